// The local calendar day of a Unix time in the screen's timezone: the unit of the kiosk's local caps.
// The rule itself is shared with the cloud (localDay in @redtap/shared), so both count the same day.
import { isKnownTimeZone, localDay } from '@redtap/shared';
import type { Logger } from 'pino';

export type LocalDay = (ts: number) => string;

/** `YYYY-MM-DD` in `timezone`; an unknown zone counts UTC days (as in the cloud) rather than refusing taps. */
export function localDayIn(timezone: string, logger?: Logger): LocalDay {
  if (!isKnownTimeZone(timezone))
    logger?.warn({ timezone }, 'unknown timezone in config; local caps use UTC days');
  return (ts) => localDay(ts, timezone);
}
