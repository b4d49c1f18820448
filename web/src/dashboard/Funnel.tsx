/**
 * An update's statistics as a funnel: delivered → bounced or marked as spam → clicks on each
 * of its email's buttons → responses and RSVPs. A table (read by screen readers as one), each
 * row with a bar in SVG (attributes, not styles: the CSP allows no inline style).
 */
import { api, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { formatNumber } from "../i18n";
import { t, type Key } from "./messages";

type Stats = Schemas["UpdateStats"];
type Update = Schemas["UpdateOut"];
interface Step {
  key: string;
  label: string;
  count: number;
  shown?: string;
  of: number;
  kind: "delivery" | "problem" | "click" | "answer";
}

/** The update types whose email asks for a response (a testimony, advice or contacts). */
const ASKING = new Set(["ask_testimony", "ask_advice"]);
const RESPONSES_READ = 100;

export function actionLabel(action: string): string {
  const key = `action_${action}`;
  return ACTIONS.has(key) ? t(key as Key) : action;
}
const ACTIONS = new Set(["article", "share_x", "share_facebook", "share_email", "share_whatsapp", "share_telegram",
  "share_bluesky", "share_mastodon", "share_copy", "online", "calendar", "mailto", "tweet", "tel", "facebook",
  "start_petition", "link"].map((name) => `action_${name}`));

export function steps(stats: Stats, responses: { count: number; more: boolean } | null): Step[] {
  const base = Math.max(stats.sent, 1);
  const found: Step[] = [
    {
      key: "sent", label: t("stepSent"), count: stats.sent, of: Math.max(stats.recipients, 1), kind: "delivery",
      shown: t("stepSentOf", { sent: formatNumber(stats.sent), recipients: formatNumber(stats.recipients) }),
    },
    { key: "bounced", label: t("stepBounced"), count: stats.bounced, of: base, kind: "problem" },
    { key: "complained", label: t("stepComplained"), count: stats.complained, of: base, kind: "problem" },
    { key: "unsubscribed", label: t("stepUnsubscribed"), count: stats.unsubscribed, of: base, kind: "problem" },
  ];
  for (const [action, count] of Object.entries(stats.clicks ?? {}).sort((a, b) => b[1] - a[1])) {
    found.push({ key: `click-${action}`, label: t("stepClicks", { action: actionLabel(action) }), count, of: base, kind: "click" });
  }
  if (responses) {
    const shown = formatNumber(responses.count) + (responses.more ? "+" : "");
    found.push({ key: "responses", label: t("stepResponses"), count: responses.count, shown, of: base, kind: "answer" });
  }
  if (stats.rsvp) {
    found.push({ key: "rsvp-yes", label: t("stepRsvpYes"), count: stats.rsvp.yes, of: base, kind: "answer" });
    found.push({ key: "rsvp-no", label: t("stepRsvpNo"), count: stats.rsvp.no, of: base, kind: "answer" });
  }
  return found;
}

export function Funnel(props: { update: Update }) {
  const { update } = props;
  const path = { petition_id: update.petition_id, update_id: update.update_id };
  const [stats] = useApi(
    () => api().GET("/petitions/{petition_id}/updates/{update_id}/stats", { params: { path } }),
    [update.update_id],
  );
  const asking = ASKING.has(update.type);
  const [responses] = useApi(
    () => asking
      ? api().GET("/petitions/{petition_id}/updates/{update_id}/responses", { params: { path, query: { limit: RESPONSES_READ } } })
      : Promise.resolve({ data: null, response: new Response(null, { status: 200 }) }),
    [update.update_id],
  );
  if (stats.state === "loading") return <p role="status" class="muted">{t("funnelLoading")}</p>;
  if (stats.state === "failed") return <p class="muted">{t("funnelMissing")}</p>;
  const answered = responses.state === "done" && responses.data
    ? { count: responses.data.responses.length, more: responses.data.next_cursor !== null }
    : null;
  return (
    <table class="funnel">
      <caption class="visually-hidden">{t("funnelTitle", { title: update.title })}</caption>
      <thead class="visually-hidden">
        <tr><th scope="col">{t("step")}</th><th scope="col">{t("people")}</th><th scope="col">{t("share")}</th></tr>
      </thead>
      <tbody>
        {steps(stats.data, answered).map((step) => {
          const share = Math.min(100, Math.round((100 * step.count) / step.of));
          return (
            <tr key={step.key} class={`funnel-${step.kind}`} data-step={step.key}>
              <th scope="row">{step.label}</th>
              <td class="funnel-count">{step.shown ?? formatNumber(step.count)}</td>
              <td class="funnel-bar">
                <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  <rect class="funnel-track" x="0" y="0" width="100" height="10" />
                  <rect class="funnel-fill" x="0" y="0" width={share} height="10" />
                </svg>
                <span class="visually-hidden">{share} %</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
