/** What a page shows while its data loads, or when the API refused. */
import type { Problem } from "../api/problems";
import type { Loaded } from "../api/useApi";
import type { VNode } from "preact";
import { t } from "../i18n/messages";

export function ProblemNotice(props: { problem: Problem; onRetry?: () => void }) {
  return (
    <div class="notice error-notice" role="alert">
      <p>{t("errorGeneric", { message: props.problem.message })}</p>
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
