/** The frame of every signed-in page: a skip link, the header with its navigation, the
 * language switch and sign-out, and the page's main region. */
import type { ComponentChildren } from "preact";
import { LOCALES, setLocale, useLocale, type Locale } from "../i18n";
import { t } from "../i18n/messages";
import { Link } from "../router";

const NAMES: Record<Locale, string> = { en: "English", fr: "Français" };

export function Layout(props: { path: string; onSignOut?: () => void; children: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">{t("skipToContent")}</a>
      <header class="site-header">
        <Link to="/" class="brand">{t("appName")}</Link>
        {props.onSignOut && (
          <nav class="site-nav" aria-label={t("navMain")}>
            <Link to="/" aria-current={props.path === "/" ? "page" : undefined}>{t("navMyPetitions")}</Link>
            <Link to="/new" aria-current={props.path === "/new" ? "page" : undefined}>{t("navNew")}</Link>
          </nav>
        )}
        <div class="site-tools">
          <LanguageSwitch />
          {props.onSignOut && (
            <button type="button" class="button button-quiet" onClick={props.onSignOut}>{t("signOut")}</button>
          )}
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>{props.children}</main>
    </>
  );
}

function LanguageSwitch() {
  const current = useLocale();
  return (
    <label class="language-switch">
      <span class="visually-hidden">{t("language")}</span>
      <select value={current} onChange={(event) => setLocale(event.currentTarget.value as Locale)}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>{NAMES[code]}</option>
        ))}
      </select>
    </label>
  );
}
