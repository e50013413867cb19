// Wall-clock weekday and minute of day in an IANA timezone, with Intl only (no tz database of our own).

export interface LocalTime {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** 0 … 1439. */
  minuteOfDay: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_MAX = 64;

function formatterFor(timezone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timezone);
  if (cached !== undefined) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    // An unknown zone plays on UTC rather than going dark; the kiosk core logs bad zones at config intake.
    format = formatterFor('UTC');
  }
  if (formatters.size >= FORMATTERS_MAX) formatters.clear();
  formatters.set(timezone, format);
  return format;
}

/** True when Intl knows the zone. */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function localTimeAt(timezone: string, epochMs: number): LocalTime {
  let weekday = 1;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timezone).formatToParts(new Date(epochMs))) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 1;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { isoWeekday: weekday, minuteOfDay: hour * 60 + minute };
}
