/** The typology, taught while it is used: each type of update with the advice for it. */
import { t, type Key } from "./messages";
import { TYPES, type UpdateType } from "./typology";

export function TypeChoice(props: { chosen: UpdateType | null; onChoose: (type: UpdateType) => void }) {
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
              aria-describedby={`advice-${type}`}
              onChange={() => props.onChoose(type)}
            />
            <span class="type-name">{t(`type_${type}` as Key)}</span>
            <span class="type-advice" id={`advice-${type}`}>{t(`advice_${type}` as Key)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
