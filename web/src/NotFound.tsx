import { t } from "./i18n/messages";
import { Link } from "./router";

export function NotFound() {
  return (
    <section>
      <h1 tabIndex={-1}>{t("notFoundTitle")}</h1>
      <p>{t("notFoundLead")}</p>
      <Link to="/">{t("backToPetitions")}</Link>
    </section>
  );
}
