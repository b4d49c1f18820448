/** One field of the composer: its label, its input for the kind of value it takes, a hint,
 * and the API's problem with it (422) right below, tied to the input for screen readers. */
import type { JSX, TargetedEvent } from "preact";
import type { Values } from "./draft";
import { t, type Key } from "./messages";
import type { Field } from "./typology";
import { zones } from "./zoned";

const HINTS: Record<string, Key> = {
  link: "hint_link",
  place: "hint_place",
  tweet_text: "hint_tweet_text",
};

/** The words of a choice: an event's kind, a meeting's status, a channel. */
const CHOICE_PREFIX: Record<string, string> = {
  kind: "kind_",
  meeting_status: "status_",
  channels: "channel_",
};

export function choiceLabel(field: string, choice: string): string {
  return t(`${CHOICE_PREFIX[field] ?? ""}${choice}` as Key);
}

interface Props {
  field: Field;
  values: Values;
  error: string | undefined;
  onChange: (name: string, value: string | string[]) => void;
}

export function FieldInput({ field, values, error, onChange }: Props) {
  const id = `field-${field.name}`;
  const hint = HINTS[field.name] ?? (field.input.kind === "zoned" ? "hint_zoned" : undefined);
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  const common = {
    id,
    name: field.name,
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": described || undefined,
    "aria-required": field.required,
  };
  const value = values[field.name];
  const text = typeof value === "string" ? value : "";
  const typed = (event: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    onChange(field.name, event.currentTarget.value);
  const label = t(`field_${field.name}` as Key);
  const after = (
    <>
      {hint && <p class="hint" id={`${id}-hint`}>{t(hint)}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </>
  );

  if (field.input.kind === "choices") {
    const chosen = Array.isArray(value) ? value : [];
    const toggle = (choice: string, on: boolean) =>
      onChange(field.name, on ? [...chosen, choice] : chosen.filter((item) => item !== choice));
    return (
      <fieldset class="choices" aria-describedby={described || undefined} id={id}>
        <legend>{label}</legend>
        {field.input.choices.map((choice) => (
          <label key={choice} class="choice">
            <input
              type="checkbox"
              name={field.name}
              value={choice}
              checked={chosen.includes(choice)}
              onChange={(event) => toggle(choice, event.currentTarget.checked)}
            />
            {choiceLabel(field.name, choice)}
          </label>
        ))}
        {after}
      </fieldset>
    );
  }

  let input: JSX.Element;
  switch (field.input.kind) {
    case "textarea":
      input = <textarea {...common} maxLength={field.input.max} value={text} onInput={typed} />;
      break;
    case "choice":
      input = (
        <select {...common} value={text} onChange={typed}>
          {field.input.choices.map((choice) => (
            <option key={choice} value={choice}>{choiceLabel(field.name, choice)}</option>
          ))}
        </select>
      );
      break;
    case "time_zone":
      input = (
        <select {...common} value={text} onChange={typed}>
          {zones(text).map((zone) => <option key={zone} value={zone}>{zone}</option>)}
        </select>
      );
      break;
    case "zoned":
      input = <input {...common} type="datetime-local" value={text} onInput={typed} />;
      break;
    case "url":
      input = <input {...common} type="url" inputMode="url" placeholder="https://" value={text} onInput={typed} />;
      break;
    default:
      input = <input {...common} type="text" maxLength={field.input.max} value={text} onInput={typed} />;
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {input}
      {after}
    </div>
  );
}
