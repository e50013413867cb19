// The local calendar day of a Unix time in the screen's timezone: the unit of the kiosk's local caps.
import type { Logger } from 'pino';

export type LocalDay = (ts: number) => string;

/** `YYYY-MM-DD` in `timezone`; an unknown zone falls back to UTC rather than refusing every tap. */
export function localDayIn(timezone: string, logger?: Logger): LocalDay {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  } catch {
    logger?.warn({ timezone }, 'unknown timezone in config; local caps use UTC days');
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }
  return (ts) => {
    let year = '';
    let month = '';
    let day = '';
    for (const part of format.formatToParts(new Date(ts * 1000))) {
      if (part.type === 'year') year = part.value;
      else if (part.type === 'month') month = part.value;
      else if (part.type === 'day') day = part.value;
    }
    return `${year}-${month}-${day}`;
  };
}
