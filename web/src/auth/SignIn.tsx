/** The page of a visitor who is not signed in: one button to the identity provider's page. */
import type { AppConfig } from "../config";
import { t } from "../i18n/messages";
import { signIn } from "./session";

export function SignIn(props: { config: AppConfig | null; returnTo: string; expired?: boolean }) {
  const { config } = props;
  return (
    <section class="sign-in">
      <h1 tabIndex={-1}>{t("signInTitle")}</h1>
      <p>{t("signInLead")}</p>
      {props.expired && <p class="notice" role="status">{t("sessionExpired")}</p>}
      {config?.authorizeUrl && (
        <button type="button" class="button button-primary" onClick={() => void signIn(config, props.returnTo)}>
          {t("signIn")}
        </button>
      )}
    </section>
  );
}
