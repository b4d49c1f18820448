/** The petition's switches: the starter's reminders, closing it, announcing a victory. */
import { useRef, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { asProblem, type Problem } from "../api/problems";
import { settled, useApi } from "../api/useApi";
import { Link } from "../router";
import { ProblemNotice } from "../ui/Status";
import { t } from "./messages";

type Petition = Schemas["PetitionOut"];

export function NudgesSwitch(props: { petition: Petition }) {
  const path = { petition_id: props.petition.petition_id };
  const [loaded] = useApi(() => api().GET("/petitions/{petition_id}/nudges", { params: { path } }), [path.petition_id]);
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const current = on ?? (loaded.state === "done" ? loaded.data.on : null);
  const open = props.petition.status === "open";
  const toggle = async () => {
    if (current === null) return;
    setBusy(true);
    try {
      const switched = await settled(api().PUT("/petitions/{petition_id}/nudges", { params: { path }, body: { on: !current } }));
      setOn(switched.on);
      setProblem(null);
    } catch (failure) {
      setProblem(asProblem(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="setting">
      <div class="switch-row">
        <span id="nudges-label" class="switch-label">{t("nudgesLabel")}</span>
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={current === true}
          aria-labelledby="nudges-label"
          aria-describedby="nudges-hint"
          disabled={current === null || busy || !open}
          onClick={() => void toggle()}
        >
          <span class="switch-thumb" aria-hidden="true" />
        </button>
      </div>
      <p class="hint" id="nudges-hint">{open ? t("nudgesHint") : t("nudgesClosed")}</p>
      {problem && <ProblemNotice problem={problem} />}
    </div>
  );
}

export function CloseOrWin(props: { petition: Petition; onChanged: (petition: Petition) => void }) {
  const { petition } = props;
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  if (petition.status !== "open") return null;
  const path = { petition_id: petition.petition_id };
  const close = async () => {
    setBusy(true);
    try {
      props.onChanged(await settled(api().POST("/petitions/{petition_id}/close", { params: { path } })));
    } catch (failure) {
      setProblem(asProblem(failure));
      setBusy(false);
    }
  };
  const keepOpen = () => {
    setAsking(false);
    requestAnimationFrame(() => opener.current?.focus());
  };
  return (
    <div class="setting close-or-win">
      <h3>{t("closeHeading")}</h3>
      <p class="hint">{t("victoryHint")}</p>
      <Link to={`/petitions/${petition.petition_id}/compose?type=victory`} class="button">{t("victory")}</Link>
      <p class="hint">{t("closeHint")}</p>
      {!asking && (
        <button type="button" class="button button-danger" ref={opener} onClick={() => setAsking(true)}>{t("close")}</button>
      )}
      {asking && (
        <div class="confirm" role="group" aria-labelledby="close-question">
          <p id="close-question"><strong>{t("closeConfirm", { title: petition.title })}</strong></p>
          <div class="actions">
            <button type="button" class="button button-danger" disabled={busy} onClick={() => void close()} autoFocus>
              {t("closeYes")}
            </button>
            <button type="button" class="button" disabled={busy} onClick={keepOpen}>{t("closeNo")}</button>
          </div>
        </div>
      )}
      {problem && <ProblemNotice problem={problem} />}
    </div>
  );
}
