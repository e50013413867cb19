// A screen's online state: OFFLINE as soon as the broker reported its connection gone (its presence will),
// otherwise from its last-seen age against 2.5 heartbeat intervals, so a cut screen without a report
// still turns offline after two missed heartbeats and a half, not after a fixed 3 minutes. Offline alerts
// count from the reported disconnect when there is one.
import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_INTERVAL_MS,
  isLongOffline,
  isOnline,
  lastSeenAgeMs,
  OFFLINE_AFTER_MS,
  OFFLINE_ALERT_AFTER_MS,
  offlineForMs,
  offlineSince,
  type ConnectionHealth,
} from '../src/lib/format.ts';

const nowMs = Date.UTC(2026, 0, 1, 12);
const ago = (ageMs: number) => new Date(nowMs - ageMs).toISOString();
const seen = (ageMs: number, presence: Partial<ConnectionHealth> = {}): ConnectionHealth => ({
  lastSeenAt: ago(ageMs),
  connected: null,
  connectionChangedAt: null,
  ...presence,
});

describe('screen online state', () => {
  it('is online up to 2.5 heartbeat intervals of silence and offline after, without a broker report', () => {
    expect(OFFLINE_AFTER_MS).toBe(2.5 * HEARTBEAT_INTERVAL_MS);
    expect(isOnline(seen(12_000), nowMs)).toBe(true);
    expect(isOnline(seen(OFFLINE_AFTER_MS), nowMs)).toBe(true);
    expect(isOnline(seen(OFFLINE_AFTER_MS + 1_000), nowMs)).toBe(false);
    expect(isOnline(seen(160_000), nowMs)).toBe(false);
    // A health object from before presence has no such fields at all.
    expect(isOnline({ lastSeenAt: ago(12_000) }, nowMs)).toBe(true);
  });

  it('is offline at once when the broker reported the screen disconnected', () => {
    const cut = seen(5_000, { connected: false, connectionChangedAt: ago(1_000) });
    expect(isOnline(cut, nowMs)).toBe(false);
    expect(offlineSince(cut)).toBe(ago(1_000));
    // Even with a heartbeat after the report (one that waited in a queue): the broker's word stands.
    expect(isOnline(seen(0, { connected: false, connectionChangedAt: ago(3_000) }), nowMs)).toBe(false);
  });

  it('still needs fresh heartbeats while the broker says connected', () => {
    const connected = { connected: true, connectionChangedAt: ago(600_000) };
    expect(isOnline(seen(30_000, connected), nowMs)).toBe(true);
    // A connection the broker never reported gone (a cloud restart lost the will): the age rule decides.
    expect(isOnline(seen(OFFLINE_AFTER_MS + 1_000, connected), nowMs)).toBe(false);
    expect(offlineSince(seen(OFFLINE_AFTER_MS + 1_000, connected))).toBeNull();
  });

  it('treats a screen never seen or with an unreadable time as offline', () => {
    expect(isOnline(null, nowMs)).toBe(false);
    expect(isOnline(undefined, nowMs)).toBe(false);
    expect(isOnline({ lastSeenAt: 'not a time' }, nowMs)).toBe(false);
    expect(lastSeenAgeMs(null, nowMs)).toBeNull();
    // A heartbeat stamped slightly ahead of the browser's clock is "just now", not negative.
    expect(lastSeenAgeMs(ago(-5_000), nowMs)).toBe(0);
    expect(offlineSince(seen(0, { connected: false, connectionChangedAt: 'not a time' }))).toBeNull();
  });
});

describe('offline alerts', () => {
  it('count from the disconnect the broker reported', () => {
    // Seen 4 min ago but disconnected only 1 min ago: offline for a minute, no alert yet.
    const recent = seen(240_000, { connected: false, connectionChangedAt: ago(60_000) });
    expect(offlineForMs(recent, nowMs)).toBe(60_000);
    expect(isLongOffline(recent, nowMs)).toBe(false);
    const long = seen(OFFLINE_ALERT_AFTER_MS + 60_000, {
      connected: false,
      connectionChangedAt: ago(OFFLINE_ALERT_AFTER_MS + 1_000),
    });
    expect(isLongOffline(long, nowMs)).toBe(true);
  });

  it('count from the last heartbeat where no disconnect was reported', () => {
    expect(offlineForMs(seen(200_000), nowMs)).toBe(200_000);
    expect(isLongOffline(seen(200_000), nowMs)).toBe(false);
    expect(isLongOffline(seen(OFFLINE_ALERT_AFTER_MS + 1_000), nowMs)).toBe(true);
    expect(isLongOffline(seen(OFFLINE_ALERT_AFTER_MS + 1_000, { connected: true }), nowMs)).toBe(true);
    // An unreadable disconnect time falls back to the heartbeat age too.
    const unreadable = seen(OFFLINE_ALERT_AFTER_MS + 1_000, {
      connected: false,
      connectionChangedAt: 'not a time',
    });
    expect(offlineForMs(unreadable, nowMs)).toBe(OFFLINE_ALERT_AFTER_MS + 1_000);
  });

  it('never fire for an online screen, and always for one never seen', () => {
    expect(offlineForMs(seen(10_000), nowMs)).toBeNull();
    expect(isLongOffline(seen(10_000), nowMs)).toBe(false);
    expect(isLongOffline(null, nowMs)).toBe(true);
  });
});
