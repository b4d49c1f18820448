/**
 * The app's words in French and English: the browser's language first, then the person's
 * choice (kept in localStorage). Each part of the app has its own catalog and its own `t()`
 * (see i18n/messages.ts; the composer's is composer/messages.ts), typed by the catalog's keys,
 * so a missing translation or an unknown key fails the typecheck.
 *
 *   const en = { hello: "Hello {name}", signers: { one: "{count} signer", other: "{count} signers" } };
 *   const fr: Messages<keyof typeof en> = { ... };
 *   export const t = translator({ en, fr });
 *   t("signers", { count: 3 })
 */
import { useEffect, useState } from "preact/hooks";

export type Locale = "en" | "fr";
export const LOCALES: readonly Locale[] = ["en", "fr"];
/** A message, or its plural forms (chosen by the `count` parameter, CLDR rules). */
export type Message = string | { one: string; other: string };
export type Messages<K extends string> = Record<K, Message>;
export type Params = Record<string, string | number>;

const STORED = "mobilise.locale";
const listeners = new Set<(locale: Locale) => void>();
let current: Locale = initial();

function initial(): Locale {
  const stored = safeStorage()?.getItem(STORED);
  if (stored === "en" || stored === "fr") return stored;
  for (const language of navigator.languages ?? [navigator.language]) {
    const base = language.toLowerCase().split("-")[0];
    if (base === "en" || base === "fr") return base;
  }
  return "en";
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused (private mode, a policy): the browser's language then
  }
}

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  current = next;
  safeStorage()?.setItem(STORED, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** The current locale; the component renders again when it changes. */
export function useLocale(): Locale {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}

export function translator<K extends string>(catalog: Record<Locale, Messages<K>>) {
  return (key: K, params: Params = {}): string => {
    const message = catalog[current][key];
    const text = typeof message === "string" ? message : plural(message, params["count"]);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === "number" ? formatNumber(value) : value;
    });
  };
}

function plural(message: { one: string; other: string }, count: string | number | undefined): string {
  if (typeof count !== "number") return message.other;
  return new Intl.PluralRules(current).select(count) === "one" ? message.one : message.other;
}

/** Numbers and dates in the chosen language, in the browser's variant of it when it has one
 * (en-GB writes "5 Dec 2026", en-US "Dec 5, 2026"). */
function regional(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    if (tag.toLowerCase().split("-")[0] === current) return tag;
  }
  return current;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(regional()).format(value);
}

export function formatDateTime(value: string | Date): string {
  return new Intl.DateTimeFormat(regional(), { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(value));
}

export function formatDate(value: string | Date, options: Intl.DateTimeFormatOptions = { dateStyle: "medium" }): string {
  return new Intl.DateTimeFormat(regional(), options).format(new Date(value));
}

document.documentElement.lang = current;
