/** The API's refusals in the composer's words: each 422 problem next to the field it names,
 * never a raw error. */
import type { Params } from "../i18n";
import { t, type Key } from "./messages";
import { TYPES } from "./typology";

export interface Problem {
  field: string;
  message: string;
}

/** The photo's two inputs: the file (``photo``) and its description (``photo_alt``). */
const PHOTO_PARTS: Record<string, string> = { photo_id: "photo", alt: "photo_alt" };

/** The form's field a problem's ``field`` names. The API names a field of a typed body after
 * its type (``event.starts_at``), and a rule over several fields at the type itself with the
 * field in its message (``event`` / ``ends_at: must be after starts_at``). */
export function fieldOf(problem: Problem): { field: string; said: string } {
  let path = problem.field.split(".");
  let said = problem.message.replace(/^Value error, /, "");
  if ((TYPES as readonly string[]).includes(path[0] ?? "")) path = path.slice(1);
  const named = /^([a-z_]+): (.*)$/s.exec(said);
  if (path.length === 0 && named) {
    path = [named[1] ?? ""];
    said = named[2] ?? "";
  }
  if (path[0] === "photo") return { field: PHOTO_PARTS[path[1] ?? ""] ?? "photo", said };
  return { field: path[0] ?? "", said };
}

type Rule = [RegExp, Key, (match: RegExpExecArray) => Params];

const none = () => ({});

/** What the API says, recognised and said again in the interface's language; in the order
 * tried (the first match wins). */
const RULES: Rule[] = [
  [/^Field required|at least 1 character|blank/i, "error_required", none],
  [/at most (\d+) characters?/i, "error_too_long", (m) => ({ max: Number(m[1]) })],
  [/one line|control character/i, "error_one_line", none],
  [/URL|scheme|https/i, "error_url", none],
  [/must be in the future/, "error_future", none],
  [/within two years/, "error_two_years", none],
  [/must be after starts_at/, "error_ends_after", none],
  [/within 7 days/, "error_within_week", none],
  [/online event needs its link/, "error_online_link", none],
  [/give a place or an online_url/, "error_place_or_link", none],
  [/meeting has a date/, "error_meeting_date", none],
  [/needed with meeting_at|time zone/, "error_time_zone", none],
  [/only a held meeting/, "error_outcome", none],
  [/each channel once/, "error_channel_once", none],
  [/List should have at least 1 item/, "error_channels", none],
  [/too long for a tweet/, "error_tweet", none],
  [/cannot be reached by ([a-z, ]+)/, "error_unreachable", (m) => ({ channels: m[1] ?? "" })],
  [/^Input should be /, "error_choice", none],
  [/only a scheduled update can be moved/, "error_moved", none],
  [/buttons lead/, "error_buttons", none],
];

/** A problem in the interface's words. */
export function say(field: string, said: string): string {
  if (field === "photo") return t("error_photo");
  for (const [pattern, key, params] of RULES) {
    const match = pattern.exec(said);
    if (match) return t(key, params(match));
  }
  return t("error_other", { said });
}

/** The problems of a 422 (the API's ``fields``, by its names) by the form's fields. */
export function byField(fields: Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, message] of Object.entries(fields)) {
    const { field, said } = fieldOf({ field: name, message });
    found[field] ??= say(field, said);
  }
  return found;
}
