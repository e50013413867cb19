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
  // Most calls ask about the day localDayStart last bounded (today's taps): no formatting then.
  const known = dayStarts.get(timeZone);
  if (known !== undefined && known.start <= unixS && unixS < known.end) return known.day;
  return formatLocalDay(unixS, timeZone);
}

function formatLocalDay(unixS: number, timeZone: string): string {
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

const dayStarts = new Map<string, { start: number; end: number; day: string }>();
/** Zone offsets lie within UTC-12..UTC+14, so a local day starts within 14 h of its UTC midnight. */
const DAY_START_SEARCH_S = 15 * 3600;
/** No local day lasts longer than 25 h (one that gains an hour); 27 h leaves room to spare. */
const DAY_END_SEARCH_S = 27 * 3600;

/** The smallest t in [low, high] whose local day is past `day` (`after`) or `day` onwards; else high + 1. */
function firstSecond(day: string, after: boolean, low: number, high: number, timeZone: string): number {
  let from = low;
  let to = high + 1;
  while (from < to) {
    const middle = Math.floor((from + to) / 2);
    const local = formatLocalDay(middle, timeZone);
    if (after ? local <= day : local < day) from = middle + 1;
    else to = middle;
  }
  return from;
}

/**
 * The first second of the local day `localDay(unixS, timeZone)`: the `dayStart` a kiosk asks a phone's
 * day state for (docs/protocol.md §4.4). Found by binary search (localDay never decreases), so days that
 * begin at 01:00 (a DST change at midnight) or last 23 or 25 hours come out right; the day's bounds are
 * cached per zone, so a kiosk pays the search once a day.
 */
export function localDayStart(unixS: number, timeZone: string): number {
  const cached = dayStarts.get(timeZone);
  if (cached !== undefined && cached.start <= unixS && unixS < cached.end) return cached.start;
  const day = formatLocalDay(unixS, timeZone);
  const [year = 1970, month = 1, date = 1] = day.split('-').map(Number);
  const utcMidnight = Date.UTC(year, month - 1, date) / 1000;
  const start = firstSecond(
    day,
    false,
    Math.max(0, Math.min(unixS, utcMidnight - DAY_START_SEARCH_S)),
    unixS,
    timeZone,
  );
  const end = firstSecond(day, true, unixS, start + DAY_END_SEARCH_S, timeZone);
  if (dayStarts.size >= DAY_FORMATTERS_MAX) dayStarts.clear();
  dayStarts.set(timeZone, { start, end, day });
  return start;
}
