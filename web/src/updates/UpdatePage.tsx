/**
 * /app/petitions/:id/updates/:uid — one update as its starter follows it: what it said, its
 * delivery's statistics (clicks per button, RSVPs), the signers' responses with their CSV,
 * the 24-hour window's countdown, and the ways to correct it (published) or change or
 * cancel it (scheduled).
 */
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { api } from "../api/client";
import type { Problem } from "../api/problems";
import { useApi, type Loaded } from "../api/useApi";
import { Countdown } from "../composer/Countdown";
import { moment } from "../composer/zoned";
import { formatDate } from "../i18n";
import { Link, useFocusHeading } from "../router";
import { ProblemNotice } from "../ui/Status";
import { Controls } from "./Controls";
import { take } from "./flash";
import { loadUpdate } from "./load";
import { t } from "./messages";
import { Responses } from "./Responses";
import { Statistics } from "./Statistics";
import "../composer/composer.css";

const ANSWERED = new Set(["ask_advice", "ask_testimony"]);

export function UpdatePage(props: { petitionId: string; updateId: string }) {
  const { petitionId, updateId } = props;
  const [flash] = useState(take);
  const [update, setUpdate] = useState<Loaded<Schemas["UpdateOut"]>>({ state: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    loadUpdate(petitionId, updateId).then(
      (data) => current && setUpdate({ state: "done", data }),
      (problem: Problem) => current && setUpdate({ state: "failed", problem }),
    );
    return () => void (current = false);
  }, [petitionId, updateId, round]);
  const reload = () => setRound((value) => value + 1);
  const [petition] = useApi(
    () => api().GET("/petitions/{petition_id}", { params: { path: { petition_id: petitionId } } }),
    [petitionId],
  );
  useFocusHeading(`update:${updateId}`);

  return (
    <section class="update-page">
      <p class="back"><Link to={`/petitions/${petitionId}`}>{t("back")}</Link></p>
      {flash && <p class="ok-notice" role="status">{flash}</p>}
      {update.state === "loading" && <h1 tabIndex={-1}>{t("loading")}</h1>}
      {update.state === "failed" && (
        <>
          <h1 tabIndex={-1}>{t("failedToLoad")}</h1>
          <ProblemNotice problem={update.problem} onRetry={reload} />
        </>
      )}
      {update.state === "done" && (
        <Shown
          update={update.data}
          nextUpdateAllowedAt={petition.state === "done" ? petition.data.next_update_allowed_at : undefined}
          onChanged={(data) => setUpdate({ state: "done", data })}
        />
      )}
    </section>
  );
}

function status(update: Schemas["UpdateOut"]): string {
  const when = update.status === "pending" ? update.release_at : update.published_at ?? update.publish_at;
  if (update.status === "pending" && when) return t("status_pending", { when: formatDate(when, { timeStyle: "short" }) });
  if (update.status === "cancelled") return t("status_cancelled");
  if (update.status === "in_review") return t("status_in_review");
  if (update.status === "rejected") return t("status_rejected");
  return t(`status_${update.status}`, { when: when ? moment(when) : "" });
}

/** Statuses of an update that went out (to some signers at least, if stopped). */
const OUT = new Set(["published", "sending", "paused", "sent", "stopped"]);

function Shown(props: {
  update: Schemas["UpdateOut"];
  nextUpdateAllowedAt: string | null | undefined;
  onChanged: (update: Schemas["UpdateOut"]) => void;
}) {
  const { update, nextUpdateAllowedAt } = props;
  const { petition_id: petitionId, update_id: updateId } = update;
  const published = OUT.has(update.status);
  return (
    <>
      <h1 tabIndex={-1}>{update.title}</h1>
      <p class="update-status">{status(update)}</p>
      {update.status === "paused" && update.paused_reason && (
        <p class="paused-reason" data-paused={update.paused_reason}>{t(`paused_${update.paused_reason}`)}</p>
      )}
      <Controls update={update} onChanged={props.onChanged} />
      {published && <Countdown nextUpdateAllowedAt={nextUpdateAllowedAt} />}
      {update.photo && <img class="update-photo" src={update.photo.url} alt={update.photo.alt} />}
      <div class="update-actions">
        {published && update.status !== "stopped" && update.type !== "decision_maker_response" && (
          <Link class="button" to={`/petitions/${petitionId}/compose?update=${updateId}`}>{t("correct")}</Link>
        )}
        {update.status === "scheduled" && (
          <Link class="button" to={`/petitions/${petitionId}/compose?update=${updateId}`}>{t("changeScheduled")}</Link>
        )}
        {published && <a class="button button-quiet" href={`/p/${petitionId}/updates/${updateId}`}>{t("viewPage")}</a>}
      </div>
      {published && <Statistics petitionId={petitionId} updateId={updateId} />}
      {published && ANSWERED.has(update.type) && <Responses petitionId={petitionId} updateId={updateId} />}
    </>
  );
}
