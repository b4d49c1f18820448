/**
 * Confirmed and unconfirmed signers over time: a stacked area chart in hand-written SVG (no
 * chart library: a few hundred bytes). Screen readers get its summary and, on request, the
 * numbers as a table.
 */
import { formatDate, formatNumber } from "../i18n";
import type { Point } from "./history";
import { t } from "./messages";

const WIDTH = 320;
const HEIGHT = 170;
const LEFT = 44;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;

/** The smallest of 1, 2, 5 × 10^k at or above `value` (the chart's top). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((top) => top >= value)) ?? 10 * power;
}

function shortDate(date: string): string {
  return formatDate(`${date}T12:00:00Z`, { day: "numeric", month: "short", timeZone: "UTC" });
}

export function SignersChart(props: { points: Point[] }) {
  const points = props.points.length === 1 ? [props.points[0]!, props.points[0]!] : props.points;
  const last = props.points[props.points.length - 1];
  if (!last || points.length < 2) return null;
  const top = niceCeiling(Math.max(...points.map((p) => p.confirmed + p.unconfirmed)));
  const x = (index: number) => LEFT + (index * (WIDTH - LEFT - RIGHT)) / (points.length - 1);
  const y = (value: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top);
  const line = (values: number[]) => values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`);
  const confirmed = line(points.map((p) => p.confirmed));
  const total = line(points.map((p) => p.confirmed + p.unconfirmed));
  const base = `${x(points.length - 1).toFixed(1)},${y(0)} ${x(0).toFixed(1)},${y(0)}`;
  const summary = t("chartSummary", {
    confirmed: last.confirmed,
    unconfirmed: last.unconfirmed,
    date: shortDate(last.date),
    count: props.points.length,
  });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="chart-title chart-desc" focusable="false">
        <title id="chart-title">{t("chartTitle")}</title>
        <desc id="chart-desc">{summary}</desc>
        {[0, top / 2, top].map((value) => (
          <g key={value} class="chart-grid">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(value)} y2={y(value)} />
            <text x={LEFT - 4} y={y(value) + 3} text-anchor="end">{formatNumber(value)}</text>
          </g>
        ))}
        <polygon class="chart-unconfirmed" points={[...total, ...[...confirmed].reverse()].join(" ")} />
        <polygon class="chart-confirmed" points={`${confirmed.join(" ")} ${base}`} />
        <polyline class="chart-total-line" points={total.join(" ")} />
        <text class="chart-axis" x={LEFT} y={HEIGHT - 6}>{shortDate(props.points[0]!.date)}</text>
        {props.points.length > 1 && (
          <text class="chart-axis" x={WIDTH - RIGHT} y={HEIGHT - 6} text-anchor="end">{shortDate(last.date)}</text>
        )}
      </svg>
      <figcaption class="chart-legend">
        <span class="legend legend-confirmed">{t("confirmed")}</span>
        <span class="legend legend-unconfirmed">{t("unconfirmed")}</span>
      </figcaption>
      <details class="chart-table">
        <summary>{t("chartAsTable")}</summary>
        <table>
          <thead>
            <tr><th scope="col">{t("day")}</th><th scope="col">{t("confirmed")}</th><th scope="col">{t("unconfirmed")}</th></tr>
          </thead>
          <tbody>
            {props.points.map((point) => (
              <tr key={point.date}>
                <th scope="row">{shortDate(point.date)}</th>
                <td>{formatNumber(point.confirmed)}</td>
                <td>{formatNumber(point.unconfirmed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
