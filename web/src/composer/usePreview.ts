/** The live preview: the draft rendered by the API (POST .../updates/preview) half a second
 * after the last keystroke; the last good rendering stays while a draft is incomplete. */
import { useEffect, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { requestBody, type Draft } from "./draft";

export interface PreviewState {
  shown: Schemas["PreviewOut"] | null;
  updating: boolean;
}

const DEBOUNCE_MS = 500;

export function usePreview(petitionId: string, draft: Draft | null): PreviewState {
  const [state, setState] = useState<PreviewState>({ shown: null, updating: false });
  const body = draft ? JSON.stringify(requestBody(draft)) : null;

  useEffect(() => {
    if (!draft || body === null) return;
    const values = draft.values;
    if (!String(values["title"] ?? "").trim() || !String(values["body"] ?? "").trim()) return;
    let current = true;
    const timer = setTimeout(() => {
      setState((before) => ({ ...before, updating: true }));
      api()
        .POST("/petitions/{petition_id}/updates/preview", {
          params: { path: { petition_id: petitionId } },
          body: requestBody(draft),
        })
        .then(
          ({ data }) => current && setState((before) => ({ shown: data ?? before.shown, updating: false })),
          () => current && setState((before) => ({ ...before, updating: false })),
        );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // the body says all the draft says to the API
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [petitionId, body]);

  return state;
}
