// Whether a screen is online, offline or long offline, judged from its health as the screens API
// reports it. One rule for every tier: the console applies it to the rows it shows, the cloud counts and
// filters by the same thresholds in SQL (cloud/src/services/screens.ts), and the kiosk's heartbeat
// interval is the one the thresholds are built on. Browser-safe.

/** The kiosk's heartbeat interval (the default `heartbeatIntervalMs` of screen-app's sync limits). */
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

export const screenConnections = ['online', 'offline', 'long-offline'] as const;
export type ScreenConnection = (typeof screenConnections)[number];
