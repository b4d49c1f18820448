/** Dates and times as a person types them (``2026-12-01T14:00`` in a time zone) and as the
 * API takes them (ISO 8601 in UTC), with the browser's Intl only. */
import { formatDate } from "../i18n";
import { t } from "./messages";

/** The offset of ``zone`` from UTC at ``instant``, in milliseconds. */
function offset(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** ``2026-12-01T14:00`` read in ``zone`` as an ISO time in UTC; null if it is not a time. */
export function zonedToIso(local: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offset(wall, zone);
  instant = wall - offset(instant, zone); // across a change of offset, the second guess holds
  return new Date(instant).toISOString().replace(".000Z", "Z");
}

/** An ISO time as ``2026-12-01T14:00`` on the clocks of ``zone`` (for an input to show). */
export function isoToZoned(iso: string, zone: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return "";
  const local = new Date(instant + offset(instant, zone));
  return local.toISOString().slice(0, 16);
}

/** The browser's time zone, the one a new update's times are read in by default. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The time zones the browser knows, for a select. */
export function zones(current: string): string[] {
  const known =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known];
}

/** "in 3 h 12 min": the time left until ``iso`` in words (minutes rounded up). */
export function untilInWords(iso: string, now: number): string {
  const minutes = Math.ceil((Date.parse(iso) - now) / 60_000);
  if (minutes <= 0) return t("soon");
  const hours = Math.floor(minutes / 60);
  const duration = hours
    ? t("durationHours", { hours, minutes: minutes % 60 })
    : t("durationMinutes", { minutes });
  return t("inDuration", { duration });
}

/** A moment as people read it: "Friday 6 December, 14:05". */
export function moment(iso: string): string {
  return formatDate(iso, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
}
