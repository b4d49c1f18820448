/** The signers' responses to an update (testimonies with their press consent, advice,
 * contacts) in a table, a page at a time, and all of them as CSV: the export route needs the
 * starter's token, so the file is fetched through the API and saved from a blob. */
import { useEffect, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { settled } from "../api/useApi";
import { formatDateTime } from "../i18n";
import { t, type Key } from "./messages";

type Response = Schemas["ResponseOut"];

export function Responses(props: { petitionId: string; updateId: string }) {
  const path = { petition_id: props.petitionId, update_id: props.updateId };
  const [rows, setRows] = useState<Response[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [exporting, setExporting] = useState<"idle" | "busy" | "failed">("idle");

  const load = async (after: string | null) => {
    const page = await settled(
      api().GET("/petitions/{petition_id}/updates/{update_id}/responses", {
        params: { path, query: { limit: 50, ...(after ? { cursor: after } : {}) } },
      }),
    );
    setRows((before) => [...(after ? (before ?? []) : []), ...page.responses]);
    setCursor(page.next_cursor);
  };
  useEffect(() => {
    load(null).catch(() => setRows([]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.petitionId, props.updateId]);

  const download = async () => {
    setExporting("busy");
    try {
      const answer = await api().GET("/petitions/{petition_id}/updates/{update_id}/responses.csv", {
        params: { path },
        parseAs: "blob",
      });
      if (!answer.response.ok || !(answer.data instanceof Blob)) throw new Error(String(answer.response.status));
      const address = URL.createObjectURL(answer.data);
      const link = document.createElement("a");
      link.href = address;
      link.download = `responses-${props.updateId}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(address), 10_000);
      setExporting("idle");
    } catch {
      setExporting("failed");
    }
  };

  return (
    <section class="card" aria-labelledby="responses-heading">
      <h2 id="responses-heading">{t("responsesHeading")}</h2>
      {rows === null && <p role="status">{t("loading")}</p>}
      {rows !== null && rows.length === 0 && <p>{t("responsesNone")}</p>}
      {rows !== null && rows.length > 0 && (
        <>
          <div class="update-actions">
            <button type="button" class="button" disabled={exporting === "busy"} onClick={() => void download()}>
              {exporting === "busy" ? t("exporting") : t("exportCsv")}
            </button>
          </div>
          {exporting === "failed" && <p class="field-error" role="alert">{t("exportFailed")}</p>}
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="responses-heading">
            <table class="responses">
              <caption class="visually-hidden">{t("responsesCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("col_kind")}</th>
                  <th scope="col">{t("col_text")}</th>
                  <th scope="col">{t("col_name")}</th>
                  <th scope="col">{t("col_contact")}</th>
                  <th scope="col">{t("col_press")}</th>
                  <th scope="col">{t("col_date")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.response_id}>
                    <td>{t(`kind_${row.kind}` as Key)}</td>
                    <td class="text">{row.text}</td>
                    <td>{row.name ?? ""}</td>
                    <td>{row.contact ?? ""}</td>
                    <td>{row.kind === "testimony" ? (row.press_consent ? t("pressYes") : t("pressNo")) : ""}</td>
                    <td>{formatDateTime(row.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {cursor && (
            <button type="button" class="button button-quiet" onClick={() => void load(cursor)}>{t("more")}</button>
          )}
        </>
      )}
    </section>
  );
}
