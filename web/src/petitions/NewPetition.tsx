/** /app/new — start a petition. The API's 422 is shown next to the field it names. */
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { settled } from "../api/useApi";
import { asProblem, type Problem } from "../api/problems";
import { locale } from "../i18n";
import { navigate } from "../router";
import { ErrorSummary, fieldId } from "../ui/ErrorSummary";
import { Field } from "../ui/Field";
import { ProblemNotice } from "../ui/Status";
import { t } from "./messages";

type Language = Schemas["PetitionIn"]["language"];
type Form = Record<"title" | "description" | "name" | "email" | "x_handle" | "phone" | "facebook_url", string> & {
  language: Language;
};
const OPTIONAL = ["email", "x_handle", "phone", "facebook_url"] as const;

function body(form: Form): Schemas["PetitionIn"] {
  const decisionMaker: Schemas["DecisionMaker"] = { name: form.name };
  for (const key of OPTIONAL) {
    const value = form[key].trim();
    if (value) decisionMaker[key] = value;
  }
  return { title: form.title, description: form.description, language: form.language, decision_maker: decisionMaker };
}

export function NewPetition() {
  const [form, setForm] = useState<Form>({
    title: "", description: "", language: locale(), name: "", email: "", x_handle: "", phone: "", facebook_url: "",
  });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [sending, setSending] = useState(false);
  const set = (key: keyof Form) => (event: Event) =>
    setForm({ ...form, [key]: (event.currentTarget as HTMLInputElement).value });
  const fields = problem?.fields ?? {};
  const labels: Record<string, string> = {
    title: t("fieldTitle"), description: t("fieldDescription"), language: t("fieldLanguage"),
    "decision_maker.name": t("fieldDmName"), "decision_maker.email": t("fieldDmEmail"),
    "decision_maker.x_handle": t("fieldDmX"), "decision_maker.phone": t("fieldDmPhone"),
    "decision_maker.facebook_url": t("fieldDmFacebook"),
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setSending(true);
    try {
      const created = await settled(api().POST("/petitions", { body: body(form) }));
      navigate(`/petitions/${created.petition_id}`);
    } catch (failure) {
      setProblem(asProblem(failure));
      setSending(false);
    }
  };

  const count = Object.keys(fields).length;
  return (
    <section>
      <h1 tabIndex={-1}>{t("newTitle")}</h1>
      <p class="lead">{t("newLead")}</p>
      <ErrorSummary title={t("errorSummary", { count })} fields={fields} labels={labels} />
      {problem && count === 0 && <ProblemNotice problem={problem} />}
      <form class="form" onSubmit={submit} noValidate>
        <Field id={fieldId("title")} label={t("fieldTitle")} hint={t("fieldTitleHint")} error={fields["title"]}>
          {(control) => <input {...control} value={form.title} onInput={set("title")} maxLength={200} required autoComplete="off" />}
        </Field>
        <Field id={fieldId("description")} label={t("fieldDescription")} hint={t("fieldDescriptionHint")} error={fields["description"]}>
          {(control) => <textarea {...control} value={form.description} onInput={set("description")} rows={8} required />}
        </Field>
        <Field id={fieldId("language")} label={t("fieldLanguage")} hint={t("fieldLanguageHint")} error={fields["language"]}>
          {(control) => (
            <select {...control} value={form.language} onChange={set("language")}>
              <option value="en">{t("languageEn")}</option>
              <option value="fr">{t("languageFr")}</option>
            </select>
          )}
        </Field>
        <fieldset>
          <legend>{t("decisionMaker")}</legend>
          <p class="hint">{t("decisionMakerHint")}</p>
          <Field id={fieldId("decision_maker.name")} label={t("fieldDmName")} error={fields["decision_maker.name"]}>
            {(control) => <input {...control} value={form.name} onInput={set("name")} required autoComplete="off" />}
          </Field>
          <Field id={fieldId("decision_maker.email")} label={t("fieldDmEmail")} error={fields["decision_maker.email"]}>
            {(control) => <input {...control} type="email" value={form.email} onInput={set("email")} autoComplete="off" />}
          </Field>
          <Field id={fieldId("decision_maker.x_handle")} label={t("fieldDmX")} error={fields["decision_maker.x_handle"]}>
            {(control) => <input {...control} value={form.x_handle} onInput={set("x_handle")} autoComplete="off" />}
          </Field>
          <Field id={fieldId("decision_maker.phone")} label={t("fieldDmPhone")} error={fields["decision_maker.phone"]}>
            {(control) => <input {...control} type="tel" value={form.phone} onInput={set("phone")} autoComplete="off" />}
          </Field>
          <Field id={fieldId("decision_maker.facebook_url")} label={t("fieldDmFacebook")} hint={t("fieldDmFacebookHint")} error={fields["decision_maker.facebook_url"]}>
            {(control) => <input {...control} type="url" value={form.facebook_url} onInput={set("facebook_url")} autoComplete="off" />}
          </Field>
        </fieldset>
        <div class="actions">
          <button class="button button-primary" disabled={sending}>{sending ? t("submitting") : t("submit")}</button>
        </div>
      </form>
    </section>
  );
}
