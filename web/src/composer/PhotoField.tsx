/** The update's photo: chosen, uploaded at once through the presigned POST, shown, and
 * described (its alternative text is required with it). A published update keeps its photo. */
import { useState } from "preact/hooks";
import type { Draft, Photo } from "./draft";
import { t } from "./messages";
import { MAX_BYTES, PHOTO_TYPES, dataUrl, isPhotoType, upload } from "./upload";

interface Props {
  petitionId: string;
  draft: Draft;
  fixed: boolean;
  errors: Record<string, string | undefined>;
  onPhoto: (photo: Photo | null) => void;
  onAlt: (alt: string) => void;
}

export function PhotoField({ petitionId, draft, fixed, errors, onPhoto, onAlt }: Props) {
  const [state, setState] = useState<"idle" | "uploading" | "done" | "failed">("idle");
  const [problem, setProblem] = useState<string | null>(null);
  const error = problem ?? errors["photo"];
  const altError = errors["photo_alt"];

  const chosen = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setProblem(null);
    if (!isPhotoType(file.type)) return setProblem(t("photoWrongType"));
    if (file.size > MAX_BYTES) return setProblem(t("photoTooLarge"));
    setState("uploading");
    try {
      const [src, photoId] = await Promise.all([dataUrl(file), upload(petitionId, file as File & { type: typeof PHOTO_TYPES[number] })]);
      onPhoto({ photo_id: photoId, src });
      setState("done");
    } catch {
      setState("failed");
      setProblem(t("photoFailed"));
    }
  };

  return (
    <fieldset class="photo-field">
      <legend>{t("photoLegend")}</legend>
      {draft.photo && <img class="photo-preview" src={draft.photo.src} alt={t("photoPreviewAlt")} />}
      {fixed ? (
        <p class="hint">{t("photoFixed")}</p>
      ) : (
        <div class="field">
          <label for="field-photo">{t("photoChoose")}</label>
          <input
            id="field-photo"
            type="file"
            accept={PHOTO_TYPES.join(",")}
            aria-describedby={`field-photo-hint${error ? " field-photo-error" : ""}`}
            aria-invalid={error ? "true" : undefined}
            onChange={(event) => void chosen(event.currentTarget)}
          />
          <p class="hint" id="field-photo-hint">{t("photoHint")}</p>
          <p class="status" role="status">
            {state === "uploading" ? t("photoUploading") : state === "done" ? t("photoUploaded") : ""}
          </p>
          {error && <p class="field-error" id="field-photo-error">{error}</p>}
        </div>
      )}
      {draft.photo && (
        <div class="field">
          <label for="field-photo_alt">{t("photoAlt")}</label>
          <input
            id="field-photo_alt"
            type="text"
            maxLength={300}
            value={String(draft.values["photo_alt"] ?? "")}
            aria-required="true"
            aria-invalid={altError ? "true" : undefined}
            aria-describedby={altError ? "field-photo_alt-error" : undefined}
            disabled={fixed}
            onInput={(event) => onAlt(event.currentTarget.value)}
          />
          {altError && <p class="field-error" id="field-photo_alt-error">{altError}</p>}
          {!fixed && (
            <button type="button" class="button button-quiet" onClick={() => { onPhoto(null); setState("idle"); }}>
              {t("photoRemove")}
            </button>
          )}
        </div>
      )}
    </fieldset>
  );
}
