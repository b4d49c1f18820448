/** The typology, taught while it is used: each type of update with the advice for it. Once a
 * type is chosen, it stays shown with its advice, and the list folds away until asked for. */
import { useEffect, useRef, useState } from "preact/hooks";
import { t, type Key } from "./messages";
import { TYPES, type UpdateType } from "./typology";

export function TypeChoice(props: { chosen: UpdateType | null; onChoose: (type: UpdateType) => void }) {
  const [open, setOpen] = useState(props.chosen === null);
  const heading = useRef<HTMLHeadingElement>(null);
  const folded = useRef(false);
  useEffect(() => {
    // The radio that had the focus is gone: the focus moves to the chosen type's heading.
    if (!open && folded.current) heading.current?.focus();
    folded.current = open;
  }, [open]);
  if (!open && props.chosen !== null) {
    return (
      <div class="type-chosen">
        <h2 id="type-heading" ref={heading} tabIndex={-1}>{t(`type_${props.chosen}` as Key)}</h2>
        <p class="type-advice">
          <strong>{t("adviceHeading")}</strong>{" "}
          {t(`advice_${props.chosen}` as Key)}
        </p>
        <button type="button" class="button button-quiet" onClick={() => setOpen(true)}>{t("typeChange")}</button>
      </div>
    );
  }
  return (
    <fieldset class="type-choice">
      <legend>{t("typeLegend")}</legend>
      <div class="types">
        {TYPES.map((type) => (
          <label key={type} class={`type-option${props.chosen === type ? " chosen" : ""}`}>
            <input
              type="radio"
              name="type"
              value={type}
              checked={props.chosen === type}
              aria-labelledby={`type-${type}`}
              aria-describedby={`advice-${type}`}
              onChange={() => props.onChoose(type)}
              onClick={(event) => {
                props.onChoose(type);
                // A pointer's click folds the list; the arrow keys (a click of detail 0) do not.
                if (event.detail > 0) setOpen(false);
              }}
              onKeyDown={(event) => event.key === "Enter" && (event.preventDefault(), props.onChoose(type), setOpen(false))}
            />
            <span class="type-name" id={`type-${type}`}>{t(`type_${type}` as Key)}</span>
            <span class="type-advice" id={`advice-${type}`}>{t(`advice_${type}` as Key)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
