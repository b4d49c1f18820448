/** One update of the starter's, whatever its status: the public route shows published ones,
 * the starter's list of unpublished ones holds the scheduled and cancelled. */
import { api, type Schemas } from "../api/client";
import { settled } from "../api/useApi";
import { problemOf } from "../api/problems";

export async function loadUpdate(petitionId: string, updateId: string): Promise<Schemas["UpdateOut"]> {
  const path = { petition_id: petitionId, update_id: updateId };
  const shown = await api().GET("/petitions/{petition_id}/updates/{update_id}", { params: { path } });
  if (shown.data) return shown.data;
  if (shown.response.status !== 404) throw problemOf(shown.response, shown.error);
  let cursor: string | undefined;
  do {
    const page = await settled(
      api().GET("/petitions/{petition_id}/unpublished-updates", {
        params: { path: { petition_id: petitionId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    const found = page.updates.find((update) => update.update_id === updateId);
    if (found) return found;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  throw problemOf(shown.response, shown.error);
}
