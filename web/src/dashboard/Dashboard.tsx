/** /app/petitions/:id — a petition's dashboard: its signers over time, the update window,
 * its updates with their funnels, its page's shares, and its switches. */
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { formatDate, formatNumber } from "../i18n";
import { StatusBadge } from "../petitions/StatusBadge";
import { Link } from "../router";
import { Show } from "../ui/Status";
import { Countdown } from "./Countdown";
import { DecisionMaker } from "./DecisionMaker";
import { Shares } from "./Shares";
import { series, todayUtc, type CountsWithHistory } from "./history";
import { t } from "./messages";
import { CloseOrWin, NudgesSwitch } from "./Settings";
import { SignersChart } from "./SignersChart";
import { Updates } from "./Updates";
import "./dashboard.css";

type Petition = Schemas["PetitionOut"];

export function Dashboard(props: { petitionId: string }) {
  const path = { petition_id: props.petitionId };
  const [loaded, retry] = useApi(() => api().GET("/petitions/{petition_id}", { params: { path } }), [props.petitionId]);
  const [changed, setChanged] = useState<Petition | null>(null);
  const petition = changed ?? (loaded.state === "done" ? loaded.data : null);
  // One h1 from the first render on: the focus a navigation gives it stays when it loads.
  return (
    <article class="dashboard">
      <header class="dashboard-header">
        <h1 tabIndex={-1}>{petition ? petition.title : t("loadingPetition")}</h1>
        {petition ? <Summary petition={petition} /> : <Show loaded={loaded} onRetry={retry}>{() => <></>}</Show>}
      </header>
      {petition && (
        <>
          <div class="dashboard-grid">
            <Signers petitionId={petition.petition_id} />
            <section class="card" aria-labelledby="window-heading">
              <h2 id="window-heading">{t("windowHeading")}</h2>
              <Countdown until={petition.next_update_allowed_at} onReached={retry} />
              <p class="hint">{t("windowRule")}</p>
              <Link to={`/petitions/${petition.petition_id}/compose`} class="button button-primary">{t("compose")}</Link>
            </section>
          </div>
          <Updates petitionId={petition.petition_id} />
          <DecisionMaker petitionId={petition.petition_id} open={petition.status === "open"} />
          <Shares petitionId={petition.petition_id} />
          <section class="card" aria-labelledby="settings-heading">
            <h2 id="settings-heading">{t("settingsHeading")}</h2>
            <NudgesSwitch petition={petition} />
            <CloseOrWin petition={petition} onChanged={setChanged} />
          </section>
        </>
      )}
    </article>
  );
}

function Summary(props: { petition: Petition }) {
  const { petition } = props;
  return (
    <>
      <p class="meta">
        <StatusBadge status={petition.status} />
        <span>{t("startedOn", { date: formatDate(petition.created_at) })}</span>
        <a href={`/p/${petition.petition_id}`}>{t("publicPage")}</a>
      </p>
      {petition.status === "closed" && <p class="notice">{t("closedNotice")}</p>}
      {petition.status === "victory" && <p class="notice notice-victory">{t("victoryNotice")}</p>}
    </>
  );
}

function Signers(props: { petitionId: string }) {
  const path = { petition_id: props.petitionId };
  const [counts, retry] = useApi(
    () => api().GET("/petitions/{petition_id}/signature-counts", { params: { path } }),
    [props.petitionId],
  );
  return (
    <section class="card" aria-labelledby="signers-heading">
      <h2 id="signers-heading">{t("signersHeading")}</h2>
      <Show loaded={counts} onRetry={retry}>
        {(data) => {
          const withHistory: CountsWithHistory = data;
          const points = series(withHistory, todayUtc());
          return (
            <>
              <dl class="totals">
                <div class="total-confirmed">
                  <dt>{t("confirmed")}</dt>
                  <dd data-count="confirmed">{formatNumber(data.confirmed)}</dd>
                </div>
                <div class="total-unconfirmed">
                  <dt>{t("unconfirmed")}</dt>
                  <dd data-count="unconfirmed">{formatNumber(data.unconfirmed)}</dd>
                </div>
              </dl>
              <p class="hint">{t("confirmedHint")}</p>
              {points.length ? <SignersChart points={points} /> : <p class="muted">{t("chartEmpty")}</p>}
            </>
          );
        }}
      </Show>
    </section>
  );
}
