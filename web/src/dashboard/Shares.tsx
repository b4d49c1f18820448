/** The share links of the petition's own page: how often each was clicked, by channel,
 * aggregated (nobody named; an update's own share links are in its funnel). */
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { formatNumber } from "../i18n";
import { Show } from "../ui/Status";
import { actionLabel } from "./Funnel";
import { t } from "./messages";

export function Shares(props: { petitionId: string }) {
  const path = { petition_id: props.petitionId };
  const [loaded, retry] = useApi(
    () => api().GET("/petitions/{petition_id}/shares", { params: { path } }),
    [props.petitionId],
  );
  return (
    <section class="card" aria-labelledby="shares-heading">
      <h2 id="shares-heading">{t("sharesHeading")}</h2>
      <Show loaded={loaded} onRetry={retry}>
        {(data) => {
          const clicked = Object.entries(data.clicks ?? {})
            .filter(([, count]) => count > 0)
            .sort(([a, first], [b, second]) => second - first || a.localeCompare(b));
          return clicked.length ? (
            <dl class="totals">
              {clicked.map(([action, count]) => (
                <div key={action}>
                  <dt>{actionLabel(action)}</dt>
                  <dd data-share={action}>{formatNumber(count)}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p class="muted">{t("sharesNone")}</p>
          );
        }}
      </Show>
      <p class="hint">{t("sharesHint")}</p>
    </section>
  );
}
