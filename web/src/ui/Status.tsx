/** What a page shows while its data loads, or when the API refused. */
import type { Problem } from "../api/problems";
import type { Loaded } from "../api/useApi";
import type { VNode } from "preact";
import { t, type Key } from "../i18n/messages";

/** The refusals whose words do not depend on the route: said in the interface's language.
 * Others quote the API's message, which says what is particular to them. */
const SAID: Record<string, Key> = {
  network_error: "problem_network_error",
  not_found: "problem_not_found",
  forbidden: "problem_forbidden",
  internal_error: "problem_internal_error",
  email_unavailable: "problem_email_unavailable",
  email_paused: "problem_email_paused",
  email_unconfirmed: "problem_email_unconfirmed",
};

export function ProblemNotice(props: { problem: Problem; onRetry?: () => void }) {
  const said = SAID[props.problem.code];
  return (
    <div class="notice error-notice" role="alert">
      <p>{said ? t(said) : t("errorGeneric", { message: props.problem.message })}</p>
      {props.onRetry && (
        <button type="button" class="button button-quiet" onClick={props.onRetry}>{t("retry")}</button>
      )}
    </div>
  );
}

/** The view of loaded data, the loading line, or the problem with a retry. */
export function Show<T>(props: { loaded: Loaded<T>; onRetry?: () => void; children: (data: T) => VNode }) {
  const { loaded } = props;
  if (loaded.state === "loading") return <p role="status">{t("loading")}</p>;
  if (loaded.state === "failed") return <ProblemNotice problem={loaded.problem} onRetry={props.onRetry} />;
  return props.children(loaded.data);
}
