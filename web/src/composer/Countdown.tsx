/** The 24-hour window in words ("Next update possible in 3 h 12 min."), kept current. */
import { useEffect, useState } from "preact/hooks";
import { t } from "./messages";
import { moment, untilInWords } from "./zoned";

/** The time now, again every 30 seconds while the component is shown. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Countdown(props: { nextUpdateAllowedAt: string | null | undefined }) {
  const now = useNow();
  const next = props.nextUpdateAllowedAt;
  if (!next || Date.parse(next) <= now) return <p class="countdown">{t("windowOpen")}</p>;
  return (
    <p class="countdown">
      {t("nextUpdate", { in: untilInWords(next, now) })} <span class="muted">({moment(next)})</span>
    </p>
  );
}

/** A refused publish (429 update_too_soon) in words: when the window reopens. */
export function tooSoon(nextUpdateAllowedAt: string): string {
  return t("tooSoon", { in: untilInWords(nextUpdateAllowedAt, Date.now()), at: moment(nextUpdateAllowedAt) });
}
