/**
 * What the starter can still do to an update that is going out: while it waits its grace
 * period (pending), cancel it (the 24-hour window comes back) or correct it; while it is
 * sent, stop it, after a confirmation (the signers not emailed yet are spared).
 */
import { useRef, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { asProblem, type Problem } from "../api/problems";
import { settled } from "../api/useApi";
import { formatDate } from "../i18n";
import { Link } from "../router";
import { ProblemNotice } from "../ui/Status";
import { t } from "./messages";

type Update = Schemas["UpdateOut"];
const STOPPABLE = new Set(["published", "sending"]);

/** A pending update's time of going out, with Cancel and Edit; a sending one's Stop. */
export function Controls(props: { update: Update; onChanged: (update: Update) => void }) {
  const { update } = props;
  if (update.status === "pending") return <Pending {...props} />;
  if (STOPPABLE.has(update.status)) return <Stop {...props} />;
  return null;
}

function useAct(onChanged: (update: Update) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const act = async (request: () => Promise<Update>) => {
    setBusy(true);
    setProblem(null);
    try {
      onChanged(await request());
    } catch (failure) {
      setProblem(asProblem(failure));
    }
    setBusy(false);
  };
  return { busy, problem, act };
}

function Pending({ update, onChanged }: { update: Update; onChanged: (update: Update) => void }) {
  const { busy, problem, act } = useAct(onChanged);
  const path = { petition_id: update.petition_id, update_id: update.update_id };
  const cancel = () =>
    act(() => settled(api().PATCH("/petitions/{petition_id}/updates/{update_id}", { params: { path }, body: { status: "cancelled" } })));
  return (
    <div class="update-controls" data-controls="pending">
      {update.release_at && (
        <p class="hint">{t("goesOutAt", { time: formatDate(update.release_at, { timeStyle: "short" }) })}</p>
      )}
      <div class="actions">
        <button type="button" class="button button-danger" disabled={busy} onClick={() => void cancel()}>
          {t("cancelPending")}
        </button>
        <Link class="button" to={`/petitions/${update.petition_id}/compose?update=${update.update_id}`}>{t("editPending")}</Link>
      </div>
      <p class="hint">{t("pendingHint")}</p>
      {problem && <ProblemNotice problem={problem} />}
    </div>
  );
}

function Stop({ update, onChanged }: { update: Update; onChanged: (update: Update) => void }) {
  const { busy, problem, act } = useAct(onChanged);
  const [asking, setAsking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const path = { petition_id: update.petition_id, update_id: update.update_id };
  const stop = () => act(() => settled(api().POST("/petitions/{petition_id}/updates/{update_id}/stop", { params: { path } })));
  const keepGoing = () => {
    setAsking(false);
    requestAnimationFrame(() => opener.current?.focus());
  };
  const question = `stop-question-${update.update_id}`;
  return (
    <div class="update-controls" data-controls="sending">
      {!asking && (
        <button type="button" class="button button-danger" ref={opener} onClick={() => setAsking(true)}>{t("stop")}</button>
      )}
      {asking && (
        <div class="confirm" role="group" aria-labelledby={question}>
          <p id={question}><strong>{t("stopConfirm", { title: update.title })}</strong></p>
          <p class="hint">{t("stopHint")}</p>
          <div class="actions">
            <button type="button" class="button button-danger" disabled={busy} onClick={() => void stop()} autoFocus>
              {t("stopYes")}
            </button>
            <button type="button" class="button" disabled={busy} onClick={keepGoing}>{t("stopNo")}</button>
          </div>
        </div>
      )}
      {problem && <ProblemNotice problem={problem} />}
    </div>
  );
}
