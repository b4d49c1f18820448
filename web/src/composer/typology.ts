/** The typology as the composer shows it: each type of update, the fields it adds to the
 * common ones (title, body, link, photo), and what kind of input each one is. The field
 * names are the API's (typed against the generated schema: renaming one in
 * infra/openapi.json fails the build). */
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export const TYPES = [
  "press",
  "event",
  "ask_advice",
  "ask_testimony",
  "decision_maker_meeting",
  "call_to_action",
  "start_petition",
  "news",
  "victory",
] as const satisfies readonly NonNullable<Schemas["NewsIn" | "PressIn" | "EventIn" | "DecisionMakerMeetingIn" | "CallToActionIn" | "AskAdviceIn" | "AskTestimonyIn" | "StartPetitionIn" | "VictoryIn"]["type"]>[];

export type UpdateType = (typeof TYPES)[number];

/** The request body of each type, by its tag. */
export interface Bodies {
  news: Schemas["NewsIn"];
  press: Schemas["PressIn"];
  event: Schemas["EventIn"];
  decision_maker_meeting: Schemas["DecisionMakerMeetingIn"];
  call_to_action: Schemas["CallToActionIn"];
  ask_advice: Schemas["AskAdviceIn"];
  ask_testimony: Schemas["AskTestimonyIn"];
  start_petition: Schemas["StartPetitionIn"];
  victory: Schemas["VictoryIn"];
}
export type UpdateBody = Bodies[UpdateType];

/** How a field is typed in: ``zoned`` is a date and time read in the update's time zone. */
export type Input =
  | { kind: "text"; max: number }
  | { kind: "textarea"; max: number }
  | { kind: "url" }
  | { kind: "zoned" }
  | { kind: "time_zone" }
  | { kind: "choice"; choices: readonly string[] }
  | { kind: "choices"; choices: readonly string[] };

export interface Field<Name extends string = string> {
  name: Name;
  input: Input;
  required: boolean;
}

/** The names of a type's own fields (the common ones and the tag left out). */
type Own<T extends UpdateType> = Exclude<keyof Bodies[T] & string, keyof Schemas["NewsIn"]>;

type Typology = { [T in UpdateType]: readonly Field<Own<T>>[] };

const text = (max: number): Input => ({ kind: "text", max });
const paragraphs: Input = { kind: "textarea", max: 2000 };
const url: Input = { kind: "url" };
const zoned: Input = { kind: "zoned" };
const timeZone: Input = { kind: "time_zone" };

export const EVENT_KINDS = ["demonstration", "hand_over", "meeting", "online"] as const;
export const MEETING_STATUSES = ["requested", "obtained", "held"] as const;
export const CHANNELS = ["email", "tweet", "phone", "facebook"] as const;

export const TYPOLOGY: Typology = {
  news: [],
  press: [
    { name: "article_url", input: url, required: true },
    { name: "outlet", input: text(100), required: true },
    { name: "headline", input: text(200), required: true },
  ],
  event: [
    { name: "kind", input: { kind: "choice", choices: EVENT_KINDS }, required: true },
    { name: "starts_at", input: zoned, required: true },
    { name: "ends_at", input: zoned, required: false },
    { name: "time_zone", input: timeZone, required: true },
    { name: "place", input: text(200), required: false },
    { name: "online_url", input: url, required: false },
  ],
  decision_maker_meeting: [
    {
      name: "meeting_status",
      input: { kind: "choice", choices: MEETING_STATUSES },
      required: true,
    },
    { name: "meeting_at", input: zoned, required: false },
    { name: "time_zone", input: timeZone, required: false },
    { name: "outcome", input: paragraphs, required: false },
  ],
  call_to_action: [
    { name: "channels", input: { kind: "choices", choices: CHANNELS }, required: true },
    { name: "message", input: paragraphs, required: true },
    { name: "subject", input: text(100), required: false },
    { name: "tweet_text", input: text(250), required: false },
  ],
  ask_advice: [{ name: "question", input: paragraphs, required: true }],
  ask_testimony: [{ name: "prompt", input: paragraphs, required: true }],
  start_petition: [{ name: "theme", input: text(200), required: true }],
  victory: [],
};

/** The fields every type has, in the order the form shows them. */
export const COMMON = [
  { name: "title", input: text(150), required: true },
  { name: "body", input: { kind: "textarea", max: 20000 }, required: true },
  { name: "link", input: url, required: false },
] as const satisfies readonly Field<keyof Schemas["NewsIn"] & string>[];

export function isType(value: string): value is UpdateType {
  return (TYPES as readonly string[]).includes(value);
}
