// Time rules the kiosk, the demo kiosk and the cloud must apply identically, or a tap one side accepts
// is refused by the other: when a wallet credential stops being valid, and which local day a Unix
// time falls on (the unit of local caps, day caps and reports).

/**
 * A credential's `expiresAt` is the first second it is no longer valid: at `atS >= expiresAt` it is
 * expired (docs/protocol.md §3.1). The kiosk judges it at the tap's time, the cloud at the token's
 * `ts`, so a token the kiosk signed with a live credential is never refused as expired.
 */
export function credentialExpired(expiresAt: number, atS: number): boolean {
  return atS >= expiresAt;
}

/** True when Intl knows the IANA zone. Edges that accept a zone (config, settings) validate with this. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const DAY_FORMATTERS_MAX = 64;

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = dayFormatters.get(timeZone);
  if (cached !== undefined) return cached;
  // An unknown zone is a config error caught at the edge (isKnownTimeZone); one that slips through
  // counts in UTC days everywhere, rather than refusing every tap on the kiosk or every settlement in
  // the cloud, and the same everywhere, so kiosk and cloud caps agree on the day.
  const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
  // en-CA formats as YYYY-MM-DD.
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  if (dayFormatters.size >= DAY_FORMATTERS_MAX) dayFormatters.clear();
  dayFormatters.set(timeZone, format);
  return format;
}

/** The local calendar day `YYYY-MM-DD` of Unix time `unixS` in `timeZone` (UTC when the zone is unknown). */
export function localDay(unixS: number, timeZone: string): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of dayFormatter(timeZone).formatToParts(unixS * 1000)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

const dayStarts = new Map<string, { day: string; start: number }>();

/**
 * The first second of the local day `localDay(unixS, timeZone)`: the `dayStart` a kiosk asks a phone's
 * day state for (docs/protocol.md §4.4). A binary search over the day's possible starts, so days that
 * begin at 01:00 (a DST change at midnight) or last 23 or 25 hours come out right.
 */
export function localDayStart(unixS: number, timeZone: string): number {
  const day = localDay(unixS, timeZone);
  const cached = dayStarts.get(timeZone);
  if (cached?.day === day) return cached.start;
  // Zone offsets lie within UTC-12..UTC+14, so the day starts within 14 h of its UTC midnight.
  const utcMidnight =
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 1000;
  let low = Math.max(0, Math.min(unixS, utcMidnight - 15 * 3600));
  let high = unixS;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (localDay(middle, timeZone) < day) low = middle + 1;
    else high = middle;
  }
  if (dayStarts.size >= DAY_FORMATTERS_MAX) dayStarts.clear();
  dayStarts.set(timeZone, { day, start: low });
  return low;
}
