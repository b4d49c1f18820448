/** /app/petitions/:id — a petition's dashboard. */
import { t } from "../i18n/messages";

export function Dashboard(props: { petitionId: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>{props.petitionId}</h1>
      <p>{t("placeholder")}</p>
    </section>
  );
}
