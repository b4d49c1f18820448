/**
 * A form field with its label, its hint and the API's 422 message for it, tied together for
 * assistive technology (aria-describedby, aria-invalid). The control is the caller's:
 *
 *   <Field id="title" label={t("title")} error={problem?.fields["title"]}>
 *     {(control) => <input {...control} value={title} onInput={…} />}
 *   </Field>
 */
import type { ComponentChildren, VNode } from "preact";

export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid": boolean;
  "aria-describedby"?: string;
}

export function Field(props: {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: (control: ControlProps) => VNode;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const described = [props.hint ? hintId : "", props.error ? errorId : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && <p class="hint" id={hintId}>{props.hint}</p>}
      {props.children({
        id: props.id,
        name: props.id,
        "aria-invalid": Boolean(props.error),
        ...(described ? { "aria-describedby": described } : {}),
      })}
      {props.error && <p class="field-error" id={errorId}>{props.error}</p>}
    </div>
  );
}
