/** How an update's delivery went: recipients, delivered, bounced…, the clicks on each of
 * its email's buttons, and for an event, who is coming. Fetched again every 15 seconds and
 * on demand, so that the numbers move while the starter watches. */
import { useEffect } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { formatNumber } from "../i18n";
import { t, type Key } from "./messages";

const COUNTS = ["recipients", "sent", "failed", "skipped", "spared", "digested", "bounced", "complained", "unsubscribed"] as const satisfies readonly (keyof Schemas["UpdateStats"])[];
const REFRESH_MS = 15_000;

function actionLabel(action: string): string {
  const key = `action_${action}`;
  return key in ACTION_KEYS ? t(key as Key) : action;
}
const ACTION_KEYS = Object.fromEntries(
  ["article", "share_email", "share_x", "share_facebook", "share_whatsapp", "share_telegram", "share_bluesky",
    "share_mastodon", "share_copy", "online", "calendar", "mailto", "tweet", "tel", "facebook",
    "start_petition", "link", "rsvp", "advice", "testimony"].map((name) => [`action_${name}`, true]),
);

export function Statistics(props: { petitionId: string; updateId: string }) {
  const path = { petition_id: props.petitionId, update_id: props.updateId };
  const [stats, reload] = useApi(
    () => api().GET("/petitions/{petition_id}/updates/{update_id}/stats", { params: { path } }),
    [props.petitionId, props.updateId],
  );
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <section class="card" aria-labelledby="stats-heading">
      <h2 id="stats-heading">{t("statsHeading")}</h2>
      <button type="button" class="button button-quiet" onClick={reload}>{t("refresh")}</button>
      {stats.state === "loading" && <p role="status">{t("loading")}</p>}
      {stats.state === "failed" && <p>{t("noStats")}</p>}
      {stats.state === "done" && <Numbers stats={stats.data} />}
    </section>
  );
}

function Numbers({ stats }: { stats: Schemas["UpdateStats"] }) {
  const clicks = Object.entries(stats.clicks ?? {});
  return (
    <>
      <p class="delivery-state">{t(`state_${stats.state}`)}</p>
      <dl class="stats">
        {COUNTS.map((name) => (
          <div key={name}>
            <dt>{t(name)}</dt>
            <dd data-stat={name}>{formatNumber(stats[name])}</dd>
          </div>
        ))}
      </dl>
      <h3>{t("clicksHeading")}</h3>
      {clicks.length === 0 ? (
        <p>{t("clicksNone")}</p>
      ) : (
        <div class="table-wrap">
          <table class="responses clicks">
            <thead><tr><th scope="col">{t("action")}</th><th scope="col">{t("clicks")}</th></tr></thead>
            <tbody>
              {clicks.map(([action, count]) => (
                <tr key={action}>
                  <th scope="row">{actionLabel(action)}</th>
                  <td data-clicks={action}>{formatNumber(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">{t("clicksNote")}</p>
      {stats.rsvp && (
        <>
          <h3>{t("rsvpHeading")}</h3>
          <dl class="stats">
            <div><dt>{t("rsvpYes")}</dt><dd data-stat="rsvp-yes">{formatNumber(stats.rsvp.yes)}</dd></div>
            <div><dt>{t("rsvpNo")}</dt><dd data-stat="rsvp-no">{formatNumber(stats.rsvp.no)}</dd></div>
          </dl>
        </>
      )}
    </>
  );
}
