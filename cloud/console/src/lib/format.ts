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

export function formatCount(value: number, language: string): string {
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

/** The kiosk's heartbeat interval (`heartbeatIntervalMs` in screen-app's sync limits). */
export const HEARTBEAT_INTERVAL_MS = 60_000;
/**
 * Two missed heartbeats and a half (for network jitter) mean the screen is offline, where the broker has
 * not said so sooner.
 */
export const OFFLINE_AFTER_MS = 2.5 * HEARTBEAT_INTERVAL_MS;
/** Offline this long is no blip: the screens page raises an alert for it. */
export const OFFLINE_ALERT_AFTER_MS = 5 * 60_000;

/** What the online state is judged from: a screen's health as the screens API reports it. */
export interface ConnectionHealth {
  lastSeenAt: string;
  /** The broker's last word on the MQTT connection; null (or absent) when it said nothing yet. */
  connected?: boolean | null;
  connectionChangedAt?: string | null;
}

function timeMs(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** Milliseconds since the last heartbeat; null when the screen was never seen. */
export function lastSeenAgeMs(lastSeenAt: string | null | undefined, nowMs: number): number | null {
  const seenMs = timeMs(lastSeenAt);
  return seenMs === null ? null : Math.max(0, nowMs - seenMs);
}

/** True when the broker reported the screen's connection gone (its will, or its own offline). */
export function isDisconnected(health: ConnectionHealth | null | undefined): boolean {
  return health?.connected === false;
}

/**
 * OFFLINE as soon as the broker reported the screen disconnected (a dead link is noticed within 1.5
 * keepalives, a closed socket at once); otherwise by the heartbeat-age rule, which also covers a broker
 * that never reported (an older kiosk, a cloud restart) and a screen never seen.
 */
export function isOnline(health: ConnectionHealth | null | undefined, nowMs: number): boolean {
  if (health === null || health === undefined || isDisconnected(health)) return false;
  const ageMs = lastSeenAgeMs(health.lastSeenAt, nowMs);
  return ageMs !== null && ageMs <= OFFLINE_AFTER_MS;
}

/**
 * When a disconnected screen went offline, as the broker reported it (ISO time); null when the broker
 * did not report it disconnected or the time is unreadable.
 */
export function offlineSince(health: ConnectionHealth | null | undefined): string | null {
  if (!isDisconnected(health)) return null;
  return timeMs(health?.connectionChangedAt) === null ? null : (health?.connectionChangedAt ?? null);
}

/**
 * How long an offline screen has been offline: from the disconnect the broker reported when there is
 * one, else from its last heartbeat; null when it was never seen (or online).
 */
export function offlineForMs(health: ConnectionHealth | null | undefined, nowMs: number): number | null {
  if (isOnline(health, nowMs)) return null;
  const sinceMs = timeMs(offlineSince(health));
  if (sinceMs !== null) return Math.max(0, nowMs - sinceMs);
  return lastSeenAgeMs(health?.lastSeenAt, nowMs);
}

/** An active screen offline for longer than OFFLINE_ALERT_AFTER_MS, or never seen, is alerted on. */
export function isLongOffline(health: ConnectionHealth | null | undefined, nowMs: number): boolean {
  if (isOnline(health, nowMs)) return false;
  const forMs = offlineForMs(health, nowMs);
  return forMs === null || forMs > OFFLINE_ALERT_AFTER_MS;
}

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
