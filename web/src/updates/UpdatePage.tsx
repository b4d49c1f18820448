/**
 * /app/petitions/:id/updates/:uid — one update: its statistics, responses and RSVPs. A
 * placeholder from the scaffold: the composer's engineer replaces this file (and owns
 * web/src/updates/**).
 */
import { t } from "../i18n/messages";
import { Link } from "../router";

export function UpdatePage(props: { petitionId: string; updateId: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>Update {props.updateId}</h1>
      <p>{t("placeholder")}</p>
      <Link to={`/petitions/${props.petitionId}`}>←</Link>
    </section>
  );
}
