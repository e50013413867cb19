// The local calendar day (YYYY-MM-DD) of a Unix time in a time zone; caps and reports count by it.

const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_MAX = 64;

export function localDay(unixS: number, timezone: string): string {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    // en-CA formats as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timezone, formatter);
  }
  return formatter.format(unixS * 1000);
}
