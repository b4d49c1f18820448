/** The composer's form as values typed in, and the request bodies made of it: a new update
 * (publish, preview, test send) and a correction (PATCH: only what changed). */
import type { Schemas } from "../api/client";
import { COMMON, TYPOLOGY, type Field, type UpdateBody, type UpdateType } from "./typology";
import { browserZone, isoToZoned, zonedToIso } from "./zoned";

export type Values = Record<string, string | string[]>;

export interface Photo {
  photo_id: string;
  /** What the composer shows: the uploaded file (a data: URL) or the stored photo's URL. */
  src: string;
}

export interface Draft {
  type: UpdateType;
  values: Values;
  photo: Photo | null;
}

export function fieldsOf(type: UpdateType): readonly Field[] {
  return [...COMMON, ...TYPOLOGY[type]];
}

export function emptyDraft(type: UpdateType): Draft {
  const values: Values = { photo_alt: "" };
  for (const field of fieldsOf(type)) {
    if (field.input.kind === "choices") values[field.name] = [];
    else if (field.input.kind === "time_zone") values[field.name] = browserZone();
    else if (field.input.kind === "choice") values[field.name] = field.input.choices[0] ?? "";
    else values[field.name] = "";
  }
  return { type, values, photo: null };
}

function zoneOf(values: Values): string {
  const zone = values["time_zone"];
  return typeof zone === "string" && zone ? zone : browserZone();
}

/** A stored update as the form's values (its times on the clocks of its time zone). */
export function draftOf(update: Schemas["UpdateOut"], type: UpdateType): Draft {
  const draft = emptyDraft(type);
  const stored: Record<string, unknown> = {
    title: update.title,
    body: update.body,
    link: update.link ?? "",
    ...update.details,
  };
  const zone = typeof stored["time_zone"] === "string" ? stored["time_zone"] : browserZone();
  for (const field of fieldsOf(type)) {
    const value = stored[field.name];
    if (field.input.kind === "zoned") {
      draft.values[field.name] = typeof value === "string" ? isoToZoned(value, zone) : "";
    } else if (Array.isArray(value)) {
      draft.values[field.name] = value.map(String);
    } else if (value !== undefined && value !== null) {
      draft.values[field.name] = String(value);
    }
  }
  if (update.photo) {
    draft.photo = { photo_id: update.photo.photo_id, src: update.photo.url };
    draft.values["photo_alt"] = update.photo.alt;
  }
  return draft;
}

/** One field's value as the API takes it; null when it is left empty. */
function valueOf(field: Field, values: Values): string | string[] | null {
  const raw = values[field.name];
  if (Array.isArray(raw)) return raw;
  const typed = (raw ?? "").trim();
  if (!typed) return null;
  if (field.input.kind === "zoned") return zonedToIso(typed, zoneOf(values)) ?? typed;
  return typed;
}

function fieldValues(draft: Draft): Record<string, string | string[] | null> {
  const body: Record<string, string | string[] | null> = {};
  for (const field of fieldsOf(draft.type)) body[field.name] = valueOf(field, draft.values);
  // A meeting's time zone says how to read its date: without a date, it says nothing.
  if (draft.type === "decision_maker_meeting" && body["meeting_at"] === null) {
    body["time_zone"] = null;
  }
  return body;
}

/** The body of a new update; ``publishAt`` (ISO) schedules it. */
export function requestBody(draft: Draft, publishAt: string | null = null): UpdateBody {
  const body: Record<string, unknown> = { type: draft.type };
  for (const [name, value] of Object.entries(fieldValues(draft))) {
    if (value !== null) body[name] = value;
  }
  if (draft.photo) {
    body["photo"] = { photo_id: draft.photo.photo_id, alt: String(draft.values["photo_alt"]).trim() };
  }
  if (publishAt) body["publish_at"] = publishAt;
  return body as UpdateBody;
}

/** A correction: the fields that changed since ``before`` (null removes an optional one),
 * and ``publish_at`` when a scheduled update moves. The photo stays as it is. */
export function patchBody(
  before: Draft,
  after: Draft,
  publishAt: string | null,
): Record<string, unknown> {
  const was = fieldValues(before);
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fieldValues(after))) {
    if (JSON.stringify(value) !== JSON.stringify(was[name])) patch[name] = value;
  }
  if (publishAt) patch["publish_at"] = publishAt;
  return patch;
}
