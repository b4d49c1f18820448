/**
 * The 24-hour window as a live countdown ("next update possible in 3 h 12 min"), from the
 * petition's `next_update_allowed_at`. A timer (role="timer"): read when reached, not at
 * every minute.
 */
import { useEffect, useState } from "preact/hooks";
import { formatDateTime } from "../i18n";
import { t } from "./messages";

/** "3 h 12 min", "12 min", "less than a minute": whole minutes, rounded up. */
export function remaining(milliseconds: number): string {
  const minutes = Math.ceil(milliseconds / 60_000);
  if (minutes <= 1) return t("lessThanAMinute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return t("minutes", { minutes: rest });
  return rest === 0 ? t("hours", { hours }) : t("hoursMinutes", { hours, minutes: rest });
}

export function Countdown(props: { until: string | null; onReached?: () => void }) {
  const target = props.until ? Date.parse(props.until) : 0;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!target || target <= Date.now()) return;
    const tick = window.setInterval(() => {
      const moment = Date.now();
      setNow(moment);
      if (moment >= target) {
        window.clearInterval(tick);
        props.onReached?.();
      }
    }, 1000 * 15);
    return () => window.clearInterval(tick);
  }, [target]);
  const left = target - now;
  if (!target || left <= 0) {
    return <p class="countdown countdown-open" role="timer">{t("windowOpenNow")}</p>;
  }
  return (
    <p class="countdown" role="timer">
      {t("windowIn", { time: remaining(left) })}{" "}
      <span class="muted">({formatDateTime(props.until!)})</span>
    </p>
  );
}
