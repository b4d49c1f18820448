/**
 * /app/petitions/:id/compose — write an update: choose its type (each with its advice), fill
 * its fields, add a photo, watch the email at a phone's and a computer's width, send a test,
 * then publish now or schedule. With ``?update={uid}`` the same form corrects a published
 * update, or changes or cancels a scheduled one. The API's refusals are said in words next to
 * what they concern: a 422 by the field it names, a 429 by the time the window reopens.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import type { Problem } from "../api/problems";
import { settled, useApi } from "../api/useApi";
import { Link, navigate, useFocusHeading } from "../router";
import { ProblemNotice } from "../ui/Status";
import { loadUpdate } from "../updates/load";
import { leave } from "../updates/flash";
import { Countdown, tooSoon } from "./Countdown";
import { EmailPreview } from "./EmailPreview";
import { FieldInput } from "./FieldInput";
import { PhotoField } from "./PhotoField";
import { TypeChoice } from "./TypeChoice";
import { draftOf, emptyDraft, fieldsOf, patchBody, requestBody, type Draft } from "./draft";
import { t, type Key } from "./messages";
import { byField } from "./problems";
import { isType, type UpdateType } from "./typology";
import { usePreview } from "./usePreview";
import { moment } from "./zoned";
import "./composer.css";

type Notice = { kind: "error" | "ok"; text: string } | null;
type Busy = null | "publish" | "test" | "cancel";

/** The words of a refusal other than a 422 (those go next to their fields). */
function refusal(problem: Problem, editing: boolean): string {
  if (problem.code === "update_too_soon" && problem.nextUpdateAllowedAt) {
    return tooSoon(problem.nextUpdateAllowedAt);
  }
  const words: Record<string, Key> = {
    conflict: editing ? "conflictChanged" : "conflictScheduled",
    no_verified_address: "testNoAddress",
    too_many_requests: "testTooMany",
    email_refused: "testRefused",
    email_unavailable: "emailUnavailable",
    email_unconfirmed: "testUnconfirmed",
    email_paused: "emailPaused",
    forbidden: "notYours",
    not_found: "notFound",
    network_error: "offline",
  };
  return t(words[problem.code] ?? "failed");
}

export function Composer(props: { petitionId: string }) {
  const { petitionId } = props;
  const editing = new URLSearchParams(location.search).get("update");
  const [petition, readAgain] = useApi(
    () => api().GET("/petitions/{petition_id}", { params: { path: { petition_id: petitionId } } }),
    [petitionId],
  );
  const [stored, setStored] = useState<Schemas["UpdateOut"] | null>(null);
  const [initial, setInitial] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [publishAt, setPublishAt] = useState("");
  const preview = usePreview(petitionId, draft);
  const noticeRef = useRef<HTMLDivElement>(null);
  useFocusHeading(`compose:${petitionId}:${editing ?? ""}`);

  // A link may open the composer on a type (`?type=victory`: the dashboard, the reminders).
  useEffect(() => {
    const wanted = new URLSearchParams(location.search).get("type");
    if (!editing && wanted && isType(wanted)) setDraft(emptyDraft(wanted));
  }, [petitionId, editing]);

  useEffect(() => {
    if (!editing) return;
    loadUpdate(petitionId, editing).then(
      (update) => {
        const type = isType(update.type) ? update.type : "news";
        const loaded = draftOf(update, type);
        setStored(update);
        setInitial(loaded);
        setDraft(loaded);
        if (update.status === "scheduled" && update.publish_at) {
          setWhen("later");
          setPublishAt(localInput(update.publish_at));
        }
      },
      (problem: Problem) => setNotice({ kind: "error", text: refusal(problem, true) }),
    );
  }, [petitionId, editing]);

  // After a refusal, focus goes to the first field it names, or to the message.
  useEffect(() => {
    const first = Object.keys(errors)[0];
    const target = first ? document.getElementById(`field-${first}`) : null;
    (target ?? (notice?.kind === "error" ? noticeRef.current : null))?.focus();
  }, [errors, notice]);

  const scheduled = stored?.status === "scheduled";
  const correcting = stored !== null && !scheduled;

  const choose = (type: UpdateType) => {
    const next = emptyDraft(type);
    if (draft) {
      for (const name of ["title", "body", "link", "photo_alt"]) next.values[name] = draft.values[name] ?? "";
      next.photo = draft.photo;
    }
    setDraft(next);
    setErrors({});
  };
  const change = (name: string, value: string | string[]) => {
    setDraft((before) => before && { ...before, values: { ...before.values, [name]: value } });
    if (errors[name]) setErrors(({ [name]: _gone, ...rest }) => rest);
  };

  const refused = (problem: Problem) => {
    if (problem.status === 422) {
      setErrors(byField(problem.fields));
      setNotice({ kind: "error", text: t("fixErrors") });
    } else {
      setErrors({});
      setNotice({ kind: "error", text: refusal(problem, editing !== null) });
    }
  };

  async function act<T>(what: Exclude<Busy, null>, request: () => Promise<T>, done: (value: T) => void) {
    setBusy(what);
    setNotice(null);
    try {
      done(await request());
      setErrors({});
    } catch (problem) {
      refused(problem as Problem);
    } finally {
      setBusy(null);
    }
  }

  const path = { petition_id: petitionId };
  const publishAtIso = when === "later" && publishAt ? new Date(publishAt).toISOString() : null;

  const sendTest = () =>
    draft &&
    act(
      "test",
      () => settled(api().POST("/petitions/{petition_id}/updates/test", { params: { path }, body: requestBody(draft) })),
      (sent) => setNotice({ kind: "ok", text: t("testSent", { to: sent.sent_to }) }),
    );

  const publish = () => {
    if (!draft) return;
    if (stored && initial) {
      const update_id = stored.update_id;
      const patch = patchBody(initial, draft, scheduled ? publishAtIso : null);
      return act(
        "publish",
        () => settled(api().PATCH("/petitions/{petition_id}/updates/{update_id}", { params: { path: { ...path, update_id } }, body: patch })),
        (update) => {
          leave(scheduled && update.publish_at ? t("scheduled", { when: moment(update.publish_at) }) : t("corrected"));
          navigate(`/petitions/${petitionId}/updates/${update.update_id}`);
        },
      );
    }
    return act(
      "publish",
      () => settled(api().POST("/petitions/{petition_id}/updates", { params: { path }, body: requestBody(draft, publishAtIso) })),
      (update) => {
        leave(update.publish_at && update.status === "scheduled" ? t("scheduled", { when: moment(update.publish_at) }) : t("published"));
        navigate(`/petitions/${petitionId}/updates/${update.update_id}`);
      },
    );
  };

  const cancel = () =>
    stored &&
    act(
      "cancel",
      () => settled(api().PATCH("/petitions/{petition_id}/updates/{update_id}", { params: { path: { ...path, update_id: stored.update_id } }, body: { status: "cancelled" } })),
      () => {
        leave(t("cancelled"));
        navigate(`/petitions/${petitionId}`);
      },
    );

  const heading = correcting ? t("headingEdit") : scheduled ? t("headingScheduled") : t("heading");
  const title = petition.state === "done" ? petition.data.title : "";
  // The petition's title and countdown come above the form: shown before them, the types would
  // move down under a finger pressing one, and the tap would choose nothing. The form waits,
  // hidden rather than left out, so a type the link chose (?type=) keeps the list open; a
  // petition that could not be read is said in its place, with a way to ask again. Keyed: the
  // title and countdown coming before it made Preact build the form anew, and a new type list
  // starts folded on the type a link's ?type= chose.
  const waiting = petition.state !== "done";
  const recipients = preview.shown?.recipients;

  return (
    <section class="composer">
      <p class="back"><Link to={`/petitions/${petitionId}`}>{t("back")}</Link></p>
      <h1 tabIndex={-1}>{heading}</h1>
      {title && <p class="petition-title">{title}</p>}
      {!correcting && petition.state === "done" && (
        <Countdown nextUpdateAllowedAt={petition.data.next_update_allowed_at} />
      )}

      {petition.state === "loading" && <p role="status">{t("loading")}</p>}
      {petition.state === "failed" && <ProblemNotice problem={petition.problem} onRetry={readAgain} />}
      <div key="form" class="composer-grid" hidden={waiting}>
        <form
          class="form composer-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void publish();
          }}
        >
          {editing === null ? (
            <TypeChoice chosen={draft?.type ?? null} onChoose={choose} />
          ) : (
            draft && (
              <div class="type-fixed">
                <h2>{t(`type_${draft.type}` as Key)}</h2>
                <p class="type-advice">{t(`advice_${draft.type}` as Key)}</p>
              </div>
            )
          )}
          {correcting && <p class="notice">{t("correctionNote")}</p>}

          {draft && (
            <>
              {fieldsOf(draft.type).map((field) => (
                <FieldInput key={field.name} field={field} values={draft.values} error={errors[field.name]} onChange={change} />
              ))}
              <PhotoField
                petitionId={petitionId}
                draft={draft}
                fixed={correcting}
                errors={errors}
                onPhoto={(photo) => setDraft({ ...draft, photo })}
                onAlt={(alt) => change("photo_alt", alt)}
              />
              {errors["type"] && <p class="field-error">{errors["type"]}</p>}

              {!correcting && (
                <fieldset class="when">
                  <legend>{t("whenLegend")}</legend>
                  {!scheduled && (
                    <label class="choice">
                      <input type="radio" name="when" value="now" checked={when === "now"} onChange={() => setWhen("now")} />
                      {t("now")}
                    </label>
                  )}
                  <label class="choice">
                    <input type="radio" name="when" value="later" checked={when === "later"} onChange={() => setWhen("later")} />
                    {t("later")}
                  </label>
                  {when === "later" && (
                    <div class="field">
                      <label for="field-publish_at">{t("publishAt")}</label>
                      <input
                        id="field-publish_at"
                        type="datetime-local"
                        value={publishAt}
                        aria-invalid={errors["publish_at"] ? "true" : undefined}
                        aria-describedby={`field-publish_at-hint${errors["publish_at"] ? " field-publish_at-error" : ""}`}
                        onInput={(event) => {
                          setPublishAt(event.currentTarget.value);
                          if (errors["publish_at"]) setErrors(({ publish_at: _gone, ...rest }) => rest);
                        }}
                      />
                      <p class="hint" id="field-publish_at-hint">{t("publishAtHint")}</p>
                      {errors["publish_at"] && <p class="field-error" id="field-publish_at-error">{errors["publish_at"]}</p>}
                    </div>
                  )}
                </fieldset>
              )}

              <div
                ref={noticeRef}
                tabIndex={-1}
                class={notice ? `composer-notice ${notice.kind === "error" ? "notice error-notice" : "ok-notice"}` : "composer-notice"}
                role={notice?.kind === "error" ? "alert" : "status"}
              >
                {notice?.text}
              </div>

              <div class="actions">
                {!correcting && (
                  <button type="button" class="button" disabled={busy !== null} onClick={() => void sendTest()}>
                    {busy === "test" ? t("testSending") : t("testSend")}
                  </button>
                )}
                <button type="submit" class="button button-primary" disabled={busy !== null}>
                  {busy === "publish"
                    ? t("publishing")
                    : correcting
                      ? t("saveCorrection")
                      : scheduled
                        ? t("saveScheduled")
                        : when === "later"
                          ? t("schedule")
                          : t("publish")}
                </button>
                {scheduled && (
                  <button type="button" class="button button-danger" disabled={busy !== null} onClick={() => void cancel()}>
                    {t("cancel")}
                  </button>
                )}
              </div>
              {recipients !== undefined && !correcting && <p class="reaches">{t("reaches", { count: recipients })}</p>}
            </>
          )}
        </form>

        {draft && (
          <aside class="composer-preview" aria-labelledby="preview-heading">
            <h2 id="preview-heading">{t("previewHeading")}</h2>
            {recipients !== undefined && <p class="reaches" data-recipients={recipients}>{t("reaches", { count: recipients })}</p>}
            {preview.shown ? (
              <p class="subject">
                <span class="muted">{t("previewSubject")}</span> {preview.shown.subject}
              </p>
            ) : (
              <p class="hint">{t("previewWaiting")}</p>
            )}
            <p class="hint" role="status">{preview.updating ? t("previewUpdating") : ""}</p>
            <EmailPreview html={preview.shown?.html ?? null} />
          </aside>
        )}
      </div>
    </section>
  );
}

/** An ISO time as a datetime-local input shows it, on the browser's clock. */
function localInput(iso: string): string {
  const date = new Date(iso);
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}
