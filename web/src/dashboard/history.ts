/**
 * A petition's signatures day by day, for the chart.
 *
 * `GET /petitions/{id}/signature-counts` is being extended (issue 14, the counters) with
 * `"history": [{"date": "YYYY-MM-DD", "signed": n, "confirmed": m}]`: UTC days, the new
 * signatures and the new confirmations of each day. Until infra/openapi.json has it, this
 * file alone types it by hand (HistoryDay, CountsWithHistory); once it is in the contract,
 * both become the generated types and nothing else changes.
 */
import type { Schemas } from "../api/client";

export interface HistoryDay {
  date: string;
  signed: number;
  confirmed: number;
}

export type CountsWithHistory = Schemas["SignatureCounts"] & { history?: HistoryDay[] };

/** One day of the chart: the totals at the end of that UTC day. */
export interface Point {
  date: string;
  confirmed: number;
  unconfirmed: number;
}

const DAY_MS = 86_400_000;

/**
 * The totals at the end of each day from the first day of the history to `today`, every day
 * present (a day without signatures repeats the day before). Counted back from the current
 * totals, so a history that starts after the petition did still ends at the right numbers.
 */
export function series(counts: CountsWithHistory, today: string): Point[] {
  const days = [...(counts.history ?? [])].filter((day) => day.date <= today).sort((a, b) => (a.date < b.date ? -1 : 1));
  const first = days[0]?.date;
  if (first === undefined) return [];
  const byDate = new Map(days.map((day) => [day.date, day]));
  const dates: string[] = [];
  for (let at = Date.parse(`${first}T00:00:00Z`); at <= Date.parse(`${today}T00:00:00Z`); at += DAY_MS) {
    dates.push(new Date(at).toISOString().slice(0, 10));
  }
  let signed = counts.confirmed + counts.unconfirmed;
  let confirmed = counts.confirmed;
  const points: Point[] = [];
  for (const date of dates.reverse()) {
    points.push({ date, confirmed: Math.max(0, confirmed), unconfirmed: Math.max(0, signed - confirmed) });
    const day = byDate.get(date);
    signed -= day?.signed ?? 0;
    confirmed -= day?.confirmed ?? 0;
  }
  return points.reverse();
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
