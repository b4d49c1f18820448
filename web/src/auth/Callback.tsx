/** /app/callback: the identity provider sends the browser back here with a code. */
import { useEffect, useState } from "preact/hooks";
import type { AppConfig } from "../config";
import { t } from "../i18n/messages";
import { navigate } from "../router";
import { completeSignIn } from "./session";

export function Callback(props: { config: AppConfig }) {
  const [failure, setFailure] = useState("");
  useEffect(() => {
    completeSignIn(props.config, location.search).then(
      (returnTo) => navigate(returnTo, { replace: true }),
      (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
    );
  }, [props.config]);
  return (
    <section class="sign-in">
      <h1 tabIndex={-1}>{failure ? t("signInFailed", { reason: failure }) : t("signingIn")}</h1>
      {failure && <a class="button button-primary" href={import.meta.env.BASE_URL}>{t("retry")}</a>}
    </section>
  );
}
