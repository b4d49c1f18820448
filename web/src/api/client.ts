/**
 * The API, typed from infra/openapi.json (`npm run generate` writes schema.d.ts at every
 * build): a renamed field or route in the contract fails the app's typecheck. Every request
 * carries the signed-in starter's ID token; a 401 ends the session.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { expire, idToken } from "../auth/session";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const bearer: Middleware = {
  onRequest({ request }) {
    const token = idToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    request.headers.set("Accept", "application/json");
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) expire();
    return response;
  },
};

let client: Client<paths> | null = null;

/** Bind the client to the configured API origin ("" is the app's own). */
export function connect(apiUrl: string): Client<paths> {
  client = createClient<paths>({ baseUrl: apiUrl });
  client.use(bearer);
  return client;
}

export function api(): Client<paths> {
  if (client === null) throw new Error("The API client is used before the app read its config.");
  return client;
}
