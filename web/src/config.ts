/**
 * Where the app signs in and calls the API: /app/config.json, written at deploy by the upload
 * command (served by the local stack locally). Read once, before the first render.
 */
export interface AppConfig {
  /** The API's origin; "" is the app's own origin (one CloudFront distribution fronts both). */
  apiUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: string;
}

const FIELDS = ["apiUrl", "authorizeUrl", "tokenUrl", "logoutUrl", "clientId", "redirectUri",
  "scopes"] as const;

export class ConfigMissing extends Error {}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, {
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new ConfigMissing(`config.json: HTTP ${response.status}`);
  const found: unknown = await response.json();
  return parsed(found);
}

function parsed(found: unknown): AppConfig {
  if (typeof found !== "object" || found === null) throw new ConfigMissing("config.json: not an object");
  const record = found as Record<string, unknown>;
  const config: Partial<Record<(typeof FIELDS)[number], string>> = {};
  for (const field of FIELDS) {
    const value = record[field];
    if (typeof value !== "string") throw new ConfigMissing(`config.json: ${field} is missing`);
    config[field] = value;
  }
  return inDevelopment(config as AppConfig);
}

/**
 * Under `npm run dev` the app is on Vite's origin, which forwards the local stack's paths: the
 * sign-in endpoints are reached through it (same origin, no CORS), and the sign-in and
 * sign-out pages send the browser back to the dev server, not to the built app (the stack
 * allows it when started with `--dev-origin http://127.0.0.1:5173`).
 */
function inDevelopment(config: AppConfig): AppConfig {
  if (!import.meta.env.DEV) return config;
  const local = (url: string): string => {
    if (!url) return url;
    const parsedUrl = new URL(url, location.href);
    const forwarded = parsedUrl.hostname === "127.0.0.1" || parsedUrl.hostname === "localhost";
    return forwarded ? parsedUrl.pathname + parsedUrl.search : url;
  };
  const app = `${location.origin}${import.meta.env.BASE_URL}`;
  const logout = new URL(config.logoutUrl || app, location.href);
  if (logout.searchParams.has("logout_uri")) logout.searchParams.set("logout_uri", app);
  return {
    ...config,
    apiUrl: "",
    authorizeUrl: local(config.authorizeUrl),
    tokenUrl: local(config.tokenUrl),
    logoutUrl: config.logoutUrl ? local(logout.toString()) : "",
    redirectUri: `${app}callback`,
  };
}
