/** A photo sent straight to the photos bucket through the presigned POST the API grants
 * (docs/design.md, Publishing): the API's fields, a Content-Type, then the file, last. */
import { api } from "../api/client";
import { settled } from "../api/useApi";

export const MAX_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
type PhotoType = (typeof PHOTO_TYPES)[number];

export function isPhotoType(type: string): type is PhotoType {
  return (PHOTO_TYPES as readonly string[]).includes(type);
}

/** The file's bytes as a data: URL, for the composer's own preview (the app's policy allows
 * images from data: and its own origin, not blob:). */
export function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Upload ``file`` for the petition; its photo_id once the bucket accepted it. */
export async function upload(petitionId: string, file: File & { type: PhotoType }): Promise<string> {
  const grant = await settled(
    api().POST("/petitions/{petition_id}/photos", {
      params: { path: { petition_id: petitionId } },
      body: { content_type: file.type },
    }),
  );
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value);
  if (!("Content-Type" in grant.upload.fields)) form.append("Content-Type", file.type);
  form.append("file", file);
  const sent = await fetch(grant.upload.url, { method: "POST", body: form });
  if (!sent.ok) throw new Error(`upload refused: ${sent.status}`);
  return grant.photo_id;
}
