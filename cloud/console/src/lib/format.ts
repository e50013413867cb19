// Dates, times and durations as the console shows them, in the reader's language.

export function formatDateTime(value: string | number | null, language: string): string {
  if (value === null) return '—';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(unixS: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(unixS * 1000));
}

/** "3 min ago", "in 2 h": relative to `nowMs`. */
export function formatAgo(iso: string, nowMs: number, language: string): string {
  const thenMs = new Date(iso).getTime();
  if (Number.isNaN(thenMs)) return '—';
  const seconds = Math.round((thenMs - nowMs) / 1000);
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

export function formatPercent(ratio: number | null, language: string): string {
  if (ratio === null) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** A count, or — where the API answers it as unknown (null): never shown as 0. */
export function formatCount(value: number | null, language: string): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(language).format(value);
}

/** `<input type="datetime-local">` value for Unix seconds, in local time. */
export function toLocalInput(unixS: number): string {
  const date = new Date(unixS * 1000);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Unix seconds for a `datetime-local` value, or null when it is empty or invalid. */
export function fromLocalInput(value: string): number | null {
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** `HH:MM` ↔ minutes since midnight, for dayparts. */
export function minuteToClock(minute: number): string {
  return `${Math.floor(minute / 60)
    .toString()
    .padStart(2, '0')}:${(minute % 60).toString().padStart(2, '0')}`;
}

export function clockToMinute(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (match === null) return null;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  return minute >= 0 && minute <= 1440 ? minute : null;
}

export {
  HEARTBEAT_INTERVAL_MS,
  OFFLINE_AFTER_MS,
  OFFLINE_ALERT_AFTER_MS,
  isDisconnected,
  isLongOffline,
  isOnline,
  lastSeenAgeMs,
  offlineForMs,
  offlineSince,
  type ConnectionHealth,
} from '@redtap/shared/screen-connection';

/**
 * The zone the console shows times in (the browser's) with its UTC offset at `atMs`, e.g.
 * `Asia/Shanghai (GMT+8)`: datetime-local inputs and formatted times carry no zone of their own.
 */
export function timeZoneLabel(atMs = Date.now(), timeZone?: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZoneName: 'shortOffset',
    ...(timeZone === undefined ? {} : { timeZone }),
  });
  const zone = format.resolvedOptions().timeZone;
  const offset = format.formatToParts(new Date(atMs)).find((part) => part.type === 'timeZoneName')?.value;
  return offset === undefined ? zone : `${zone} (${offset})`;
}
