/** A petition's updates on its dashboard: the scheduled ones, then those sent, newest first,
 * each with its funnel and a link to its own page (statistics, responses, RSVPs). */
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { asProblem, type Problem } from "../api/problems";
import { settled, useApi } from "../api/useApi";
import { formatDateTime } from "../i18n";
import { Link } from "../router";
import { ProblemNotice, Show } from "../ui/Status";
import { Funnel } from "./Funnel";
import { t, type Key } from "./messages";

type Update = Schemas["UpdateOut"];
const PAGE = 10;

export function Updates(props: { petitionId: string }) {
  const path = { petition_id: props.petitionId };
  const [sent, retry] = useApi(
    () => api().GET("/petitions/{petition_id}/updates", { params: { path, query: { limit: PAGE } } }),
    [props.petitionId],
  );
  const [unpublished] = useApi(
    () => api().GET("/petitions/{petition_id}/unpublished-updates", { params: { path, query: { limit: PAGE } } }),
    [props.petitionId],
  );
  const scheduled = unpublished.state === "done"
    ? unpublished.data.updates.filter((update) => update.status === "scheduled")
    : [];
  return (
    <section class="card" aria-labelledby="updates-heading">
      <h2 id="updates-heading">{t("updatesHeading")}</h2>
      {scheduled.length > 0 && (
        <>
          <h3>{t("scheduledHeading")}</h3>
          <ul class="update-list">
            {scheduled.map((update) => <ScheduledItem key={update.update_id} update={update} />)}
          </ul>
        </>
      )}
      <Show loaded={sent} onRetry={retry}>
        {(page) => <SentPages petitionId={props.petitionId} first={page.updates} cursor={page.next_cursor} />}
      </Show>
    </section>
  );
}

function SentPages(props: { petitionId: string; first: Update[]; cursor: string | null }) {
  const [updates, setUpdates] = useState(props.first);
  const [cursor, setCursor] = useState(props.cursor);
  const [problem, setProblem] = useState<Problem | null>(null);
  const more = async () => {
    if (!cursor) return;
    try {
      const path = { petition_id: props.petitionId };
      const page = await settled(api().GET("/petitions/{petition_id}/updates", { params: { path, query: { limit: PAGE, cursor } } }));
      setUpdates([...updates, ...page.updates]);
      setCursor(page.next_cursor);
    } catch (failure) {
      setProblem(asProblem(failure));
    }
  };
  if (updates.length === 0) return <p class="empty">{t("updatesNone")}</p>;
  return (
    <>
      <ul class="update-list">
        {updates.map((update) => <SentItem key={update.update_id} update={update} />)}
      </ul>
      {problem && <ProblemNotice problem={problem} />}
      {cursor && <button type="button" class="button" onClick={() => void more()}>{t("updatesMore")}</button>}
    </>
  );
}

function statusLabel(update: Update): string {
  return t(`status_${update.status}` as Key);
}

function SentItem(props: { update: Update }) {
  const { update } = props;
  return (
    <li class="update-item">
      <h3 class="update-title">
        <Link to={`/petitions/${update.petition_id}/updates/${update.update_id}`}>{update.title}</Link>
      </h3>
      <p class="meta">
        <span class={`badge badge-update-${update.status}`}>{statusLabel(update)}</span>
        {update.published_at && <span>{t("publishedOn", { date: formatDateTime(update.published_at) })}</span>}
      </p>
      <Funnel update={update} />
    </li>
  );
}

function ScheduledItem(props: { update: Update }) {
  const { update } = props;
  return (
    <li class="update-item">
      <h4 class="update-title">
        <Link to={`/petitions/${update.petition_id}/updates/${update.update_id}`}>{update.title}</Link>
      </h4>
      <p class="meta">
        <span class="badge badge-update-scheduled">{statusLabel(update)}</span>
        {update.publish_at && <span>{t("scheduledFor", { date: formatDateTime(update.publish_at) })}</span>}
      </p>
    </li>
  );
}
