/** The petition's decision-maker: send them the petition (once a week at most), and see
 * whether they answered. Their answer is on the petition's public page and goes to the
 * signers as an update of its own, outside the 24-hour window. */
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { asProblem, type Problem } from "../api/problems";
import { settled, useApi } from "../api/useApi";
import { formatDate, formatDateTime, translator, type Messages } from "../i18n";
import { ProblemNotice, Show } from "../ui/Status";

type Sendings = Schemas["SendingsOut"];
type Sending = Schemas["SendingOut"];

const en = {
  heading: "The decision-maker’s answer",
  explain:
    "Send the petition to its decision-maker: they get its text, its confirmed signers and its latest updates, with a link to answer publicly. Their answer appears on the petition’s page and goes to your signers; it does not use your update of the day.",
  noEmail: "Add the decision-maker’s email address to the petition to send it to them.",
  send: "Send the petition to {address}",
  sending: "Sending…",
  sent: "Sent to {address}.",
  nextAllowed: "You can send it again from {date} (once a week).",
  none: "Not sent yet.",
  sentOn: "Sent {date}",
  waiting: "No answer yet; the link works until {date}.",
  expired: "No answer; the link expired {date}.",
  answered: "Answered {date}",
  stance_agree: "agrees with the petition",
  stance_disagree: "disagrees with the petition",
  stance_other: "answered",
  seeAnswer: "See the answer",
} satisfies Messages<string>;

const fr: Messages<keyof typeof en> = {
  heading: "La réponse de la personne qui décide",
  explain:
    "Envoyez la pétition à la personne qui décide : elle reçoit son texte, ses signataires confirmés et ses dernières nouvelles, avec un lien pour répondre publiquement. Sa réponse apparaît sur la page de la pétition et part vers vos signataires ; elle ne compte pas comme votre nouvelle du jour.",
  noEmail: "Ajoutez l’adresse e-mail de la personne qui décide à la pétition pour la lui envoyer.",
  send: "Envoyer la pétition à {address}",
  sending: "Envoi…",
  sent: "Envoyée à {address}.",
  nextAllowed: "Vous pourrez l’envoyer à nouveau à partir du {date} (une fois par semaine).",
  none: "Pas encore envoyée.",
  sentOn: "Envoyée le {date}",
  waiting: "Pas encore de réponse ; le lien fonctionne jusqu’au {date}.",
  expired: "Pas de réponse ; le lien a expiré le {date}.",
  answered: "Réponse le {date}",
  stance_agree: "soutient la pétition",
  stance_disagree: "ne soutient pas la pétition",
  stance_other: "a répondu",
  seeAnswer: "Voir la réponse",
};

const t = translator({ en, fr });

export function DecisionMaker(props: { petitionId: string; open: boolean }) {
  const path = { petition_id: props.petitionId };
  const [loaded, retry] = useApi(
    () => api().GET("/petitions/{petition_id}/decision-maker/requests", { params: { path } }),
    [props.petitionId],
  );
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const send = async () => {
    setBusy(true);
    try {
      const sent = await settled(api().POST("/petitions/{petition_id}/decision-maker/requests", { params: { path } }));
      setSentTo(sent.sent_to);
      setProblem(null);
      retry();
    } catch (failure) {
      setProblem(asProblem(failure));
      retry(); // a sending SES did not confirm in time is kept: the list shows it
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="decision-maker-heading">
      <h2 id="decision-maker-heading">{t("heading")}</h2>
      <p class="hint">{t("explain")}</p>
      <Show loaded={loaded} onRetry={retry}>
        {(data: Sendings) => (
          <>
            {!data.decision_maker_email && <p class="notice">{t("noEmail")}</p>}
            {data.decision_maker_email && props.open && !data.next_sending_allowed_at && (
              <button type="button" class="button button-primary" disabled={busy} onClick={() => void send()}>
                {busy ? t("sending") : t("send", { address: data.decision_maker_email })}
              </button>
            )}
            {sentTo && <p role="status">{t("sent", { address: sentTo })}</p>}
            {data.next_sending_allowed_at && (
              <p class="hint">{t("nextAllowed", { date: formatDateTime(data.next_sending_allowed_at) })}</p>
            )}
            {data.sendings.length === 0 ? (
              <p class="muted">{t("none")}</p>
            ) : (
              <ul class="sendings">
                {data.sendings.map((sending) => (
                  <SendingLine key={sending.sending_id} sending={sending} petitionId={props.petitionId} />
                ))}
              </ul>
            )}
          </>
        )}
      </Show>
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}

function SendingLine(props: { sending: Sending; petitionId: string }) {
  const { sending } = props;
  const expired = new Date(sending.link_expires_at).getTime() <= Date.now();
  return (
    <li>
      <span>{t("sentOn", { date: formatDate(sending.sent_at) })}</span>
      {" — "}
      {sending.answered_at ? (
        <>
          <strong>{t("answered", { date: formatDate(sending.answered_at) })}</strong>
          {sending.stance && <span>: {t(`stance_${sending.stance}`)}</span>}
          {sending.update_id && (
            <>
              {" · "}
              <a href={`/p/${props.petitionId}/updates/${sending.update_id}`}>{t("seeAnswer")}</a>
            </>
          )}
        </>
      ) : (
        <span>{t(expired ? "expired" : "waiting", { date: formatDate(sending.link_expires_at) })}</span>
      )}
    </li>
  );
}
