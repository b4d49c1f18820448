/**
 * Development only (`npm run dev`, left out of the build): signs in through the local stack's
 * POST /_local/token when the stack serves no OAuth endpoints in /app/config.json.
 */
import { useState } from "preact/hooks";
import { t } from "../i18n/messages";
import { keep } from "./session";

export function DevSignIn() {
  const [user, setUser] = useState("alice");
  const [problem, setProblem] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    const response = await fetch("/_local/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user }),
    });
    const answer = (await response.json()) as { token?: string };
    if (answer.token) keep(answer.token);
    else setProblem(`HTTP ${response.status}`);
  };
  return (
    <form class="card form" onSubmit={submit}>
      <h2>{t("devSignInTitle")}</h2>
      <label for="dev-user">{t("devSignInUser")}</label>
      <input id="dev-user" value={user} onInput={(event) => setUser(event.currentTarget.value)} />
      {problem && <p class="field-error" role="alert">{problem}</p>}
      <button class="button button-primary">{t("signIn")}</button>
    </form>
  );
}
