/**
 * The API's errors, for people: every error body is `{"error": {"code", "message"}}`, a 422
 * adds `fields: [{field, message}]` (shown next to the field it names), a 429 of the update
 * window adds `next_update_allowed_at`.
 */
export interface Problem {
  status: number;
  code: string;
  message: string;
  /** Messages by field name as the API names it ("decision_maker.email"). */
  fields: Record<string, string>;
  nextUpdateAllowedAt?: string;
}

export function problemOf(response: Response | undefined, body: unknown): Problem {
  const status = response?.status ?? 0;
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const error = (record["error"] ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const entry of Array.isArray(record["fields"]) ? record["fields"] : []) {
    const { field, message } = (entry ?? {}) as Record<string, unknown>;
    if (typeof field === "string" && typeof message === "string") fields[field] = message;
  }
  const next = record["next_update_allowed_at"];
  return {
    status,
    code: typeof error["code"] === "string" ? error["code"] : "network_error",
    message: typeof error["message"] === "string" ? error["message"] : `HTTP ${status || "—"}`,
    fields,
    ...(typeof next === "string" ? { nextUpdateAllowedAt: next } : {}),
  };
}

/** A failure before any answer (offline, DNS): the same shape, status 0. */
export function unreachable(reason: unknown): Problem {
  return { status: 0, code: "network_error", message: String(reason), fields: {} };
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "code" in value && "fields" in value;
}

/** What a handler caught, as a Problem (a bug of ours becomes one too, with its message). */
export function asProblem(value: unknown): Problem {
  return isProblem(value) ? value : unreachable(value);
}
