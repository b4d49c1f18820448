/** /app/new — start a petition. */
import { t } from "../i18n/messages";

export function NewPetition() {
  return (
    <section>
      <h1 tabIndex={-1}>{t("navNew")}</h1>
      <p>{t("placeholder")}</p>
    </section>
  );
}
