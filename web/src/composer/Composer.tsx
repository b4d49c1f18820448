/**
 * /app/petitions/:id/compose — the composer (issue 13). A placeholder from the scaffold:
 * the composer's engineer replaces this file (and owns web/src/composer/**).
 * Its words go in web/src/composer/messages.ts: `export const t = translator({ en, fr })`.
 */
import { t } from "../i18n/messages";
import { Link } from "../router";

export function Composer(props: { petitionId: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>Compose an update</h1>
      <p>{t("placeholder")}</p>
      <Link to={`/petitions/${props.petitionId}`}>←</Link>
    </section>
  );
}
