/** /app/ — the signed-in starter's petitions, newest first. */
import { t } from "../i18n/messages";

export function MyPetitions() {
  return (
    <section>
      <h1 tabIndex={-1}>{t("navMyPetitions")}</h1>
      <p>{t("placeholder")}</p>
    </section>
  );
}
