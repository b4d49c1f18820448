/**
 * The signed-in starter: the ID token the API takes as `Authorization: Bearer`, kept in memory
 * and in sessionStorage (it survives a reload, not the tab). Signing in is the authorization
 * code flow with PKCE against config.json's endpoints (Cognito's managed login on AWS, the
 * local stack's /_local/oauth2/* locally); the callback is /app/callback.
 */
import type { AppConfig } from "../config";
import { challengeOf, randomString } from "./pkce";

interface Tokens {
  idToken: string;
  /** Milliseconds since the epoch; a minute early, so a request never carries a dying token. */
  expiresAt: number;
}

interface Pending {
  state: string;
  verifier: string;
  returnTo: string;
}

const TOKENS = "mobilise.tokens";
const PENDING = "mobilise.signin";
const listeners = new Set<() => void>();
let tokens: Tokens | null = stored<Tokens>(TOKENS);
let ended: "expired" | "signed-out" | null = null;

function stored<T>(key: string): T | null {
  try {
    const text = sessionStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

function store(key: string, value: unknown): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage refused: the session lasts as long as the page, in memory.
  }
}

function changed(): void {
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The ID token while it is valid, else null. */
export function idToken(): string | null {
  if (tokens && tokens.expiresAt > Date.now()) return tokens.idToken;
  return null;
}

export function signedIn(): boolean {
  return idToken() !== null;
}

/** The API refused the token (401): forget it; the app asks to sign in again. */
export function expire(): void {
  if (tokens === null) return;
  tokens = null;
  ended = "expired";
  store(TOKENS, null);
  changed();
}

/** Why the last session ended, if one did in this page: the app says "your session ended". */
export function sessionEnded(): "expired" | "signed-out" | null {
  return ended;
}

/** Keep an ID token (from the token endpoint, or the local stack's /_local/token in dev). */
export function keep(idTokenValue: string, expiresInSeconds?: number): void {
  const lifetime = expiresInSeconds ?? secondsLeft(idTokenValue);
  ended = null;
  tokens = { idToken: idTokenValue, expiresAt: Date.now() + Math.max(0, lifetime - 60) * 1000 };
  store(TOKENS, tokens);
  changed();
}

/** What the token's own `exp` claim leaves (the dev token comes without `expires_in`). */
function secondsLeft(jwt: string): number {
  try {
    const payload = jwt.split(".")[1] ?? "";
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp - Date.now() / 1000 : 3600;
  } catch {
    return 3600;
  }
}

/** Off to the sign-in page; back at /app/callback, then at `returnTo`. */
export async function signIn(config: AppConfig, returnTo: string): Promise<void> {
  const pending: Pending = { state: randomString(16), verifier: randomString(32), returnTo };
  store(PENDING, pending);
  const url = new URL(config.authorizeUrl, location.href);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes,
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

export class SignInFailed extends Error {}

/** The callback: trade the code for tokens; the app path to go back to. */
export async function completeSignIn(config: AppConfig, query: string): Promise<string> {
  const params = new URLSearchParams(query);
  const pending = stored<Pending>(PENDING);
  store(PENDING, null);
  const refused = params.get("error");
  if (refused) throw new SignInFailed(params.get("error_description") ?? refused);
  const code = params.get("code");
  if (!pending || !code || params.get("state") !== pending.state) {
    throw new SignInFailed("this sign-in link is not the one this tab asked for");
  }
  const response = await fetch(config.tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      code_verifier: pending.verifier,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
    }).toString(),
  });
  if (!response.ok) throw new SignInFailed(`the token endpoint answered ${response.status}`);
  const answer = (await response.json()) as { id_token?: unknown; expires_in?: unknown };
  if (typeof answer.id_token !== "string") throw new SignInFailed("no ID token in the answer");
  keep(answer.id_token, typeof answer.expires_in === "number" ? answer.expires_in : undefined);
  return pending.returnTo;
}

/** Forget the tokens here, then end the identity provider's session: config.json's
 * logoutUrl is complete (Cognito's /logout with the client and the app's address to return to). */
export function signOut(config: AppConfig | null): void {
  tokens = null;
  ended = "signed-out";
  store(TOKENS, null);
  changed();
  if (config?.logoutUrl) location.assign(config.logoutUrl);
}
