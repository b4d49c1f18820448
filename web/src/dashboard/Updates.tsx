/** A petition's updates on its dashboard: those not sent yet (waiting their grace period, in
 * review, scheduled, rejected), then those sent, newest first, each with its funnel and a link
 * to its own page (statistics, responses, RSVPs); a waiting one can be cancelled or corrected,
 * one being sent stopped; a paused one says why. */
import { api, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { usePages } from "../api/usePages";
import { formatDateTime } from "../i18n";
import { Link } from "../router";
import { Controls } from "../updates/Controls";
import { More } from "../ui/More";
import { Show } from "../ui/Status";
import { Funnel } from "./Funnel";
import { t, type Key } from "./messages";

type Update = Schemas["UpdateOut"];
const PAGE = 10;
/** Not sent (yet): shown above the sent ones. */
const WAITING = new Set(["pending", "in_review", "scheduled", "rejected"]);

export function Updates(props: { petitionId: string }) {
  const path = { petition_id: props.petitionId };
  const [sent, retry] = useApi(
    () => api().GET("/petitions/{petition_id}/updates", { params: { path, query: { limit: PAGE } } }),
    [props.petitionId],
  );
  const [unpublished, reload] = useApi(
    () => api().GET("/petitions/{petition_id}/unpublished-updates", { params: { path, query: { limit: PAGE } } }),
    [props.petitionId],
  );
  const waiting = unpublished.state === "done"
    ? unpublished.data.updates.filter((update) => WAITING.has(update.status))
    : [];
  const changed = () => {
    reload();
    retry();
  };
  return (
    <section class="card" aria-labelledby="updates-heading">
      <h2 id="updates-heading">{t("updatesHeading")}</h2>
      {waiting.length > 0 && (
        <>
          <h3>{t("waitingHeading")}</h3>
          <ul class="update-list">
            {waiting.map((update) => <UpdateItem key={update.update_id} update={update} onChanged={changed} />)}
          </ul>
        </>
      )}
      <Show loaded={sent} onRetry={retry}>
        {(page) => <SentPages petitionId={props.petitionId} first={page.updates} cursor={page.next_cursor} onChanged={changed} />}
      </Show>
    </section>
  );
}

function SentPages(props: { petitionId: string; first: Update[]; cursor: string | null; onChanged: () => void }) {
  const path = { petition_id: props.petitionId };
  const pages = usePages(
    props.first,
    props.cursor,
    (cursor) => api().GET("/petitions/{petition_id}/updates", { params: { path, query: { limit: PAGE, cursor } } }),
    (page) => page.updates,
  );
  if (pages.items.length === 0) return <p class="empty">{t("updatesNone")}</p>;
  return (
    <>
      <ul class="update-list">
        {pages.items.map((update) => <UpdateItem key={update.update_id} update={update} onChanged={props.onChanged} />)}
      </ul>
      <More pages={pages} label={t("updatesMore")} />
    </>
  );
}

/** An update: a link to its page, its status and time, what can still be done to it; once
 * sent, its funnel. */
function UpdateItem(props: { update: Update; onChanged: () => void }) {
  const { update } = props;
  const scheduled = WAITING.has(update.status);
  const Heading = scheduled ? "h4" : "h3";
  return (
    <li class="update-item">
      <Heading class="update-title">
        <Link to={`/petitions/${update.petition_id}/updates/${update.update_id}`}>{update.title}</Link>
      </Heading>
      <p class="meta">
        <span class={`badge badge-update-${update.status}`}>{t(`status_${update.status}` as Key)}</span>
        {scheduled && update.publish_at && <span>{t("scheduledFor", { date: formatDateTime(update.publish_at) })}</span>}
        {!scheduled && update.published_at && <span>{t("publishedOn", { date: formatDateTime(update.published_at) })}</span>}
      </p>
      {update.status === "paused" && update.paused_reason && (
        <p class="paused-reason" data-paused={update.paused_reason}>{t(`paused_${update.paused_reason}`)}</p>
      )}
      <Controls update={update} onChanged={props.onChanged} />
      {!scheduled && <Funnel update={update} />}
    </li>
  );
}
