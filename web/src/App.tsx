/** The app: its config, the session, and the page of the current path inside the layout. */
import { useEffect, useState } from "preact/hooks";
import { Callback } from "./auth/Callback";
import { onSessionChange, sessionEnded, signedIn, signOut } from "./auth/session";
import { SignIn } from "./auth/SignIn";
import type { AppConfig } from "./config";
import { useLocale } from "./i18n";
import { t } from "./i18n/messages";
import { Layout } from "./layout/Layout";
import { page } from "./routes";
import { useFocusHeading, usePath } from "./router";

export function App(props: { config: AppConfig | null }) {
  useLocale(); // every word is rendered again in the chosen language
  const path = usePath();
  const session = useSession();
  useFocusHeading(path);
  const { config } = props;
  if (path === "/callback" && config) {
    return <Layout path={path}><Callback config={config} /></Layout>;
  }
  if (!session.signedIn) {
    return (
      <Layout path={path}>
        {config === null && <p class="notice" role="alert">{t("configMissing")}</p>}
        {/* Back where the link pointed, its query too (the composer's ?type=, ?update=). */}
        <SignIn config={config} returnTo={path + location.search} expired={session.expired} />
      </Layout>
    );
  }
  return <Layout path={path} onSignOut={() => signOut(config)}>{page(path)}</Layout>;
}

/** Whether someone is signed in, and whether a session just ended (a 401, or its expiry). */
function useSession(): { signedIn: boolean; expired: boolean } {
  const read = () => ({ signedIn: signedIn(), expired: sessionEnded() === "expired" });
  const [state, setState] = useState(read);
  useEffect(() => onSessionChange(() => setState(read())), []);
  return state;
}
