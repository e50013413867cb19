// A screen's online state comes from its last-seen age against 2.5 heartbeat intervals, so a cut
// screen turns offline after two missed heartbeats and a half, not after a fixed 3 minutes.
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, isOnline, lastSeenAgeMs, OFFLINE_AFTER_MS } from '../src/lib/format.ts';

const nowMs = Date.UTC(2026, 0, 1, 12);
const seen = (ageMs: number) => new Date(nowMs - ageMs).toISOString();

describe('screen online state', () => {
  it('is online up to 2.5 heartbeat intervals of silence and offline after', () => {
    expect(OFFLINE_AFTER_MS).toBe(2.5 * HEARTBEAT_INTERVAL_MS);
    expect(isOnline(seen(12_000), nowMs)).toBe(true);
    expect(isOnline(seen(OFFLINE_AFTER_MS), nowMs)).toBe(true);
    expect(isOnline(seen(OFFLINE_AFTER_MS + 1_000), nowMs)).toBe(false);
    expect(isOnline(seen(160_000), nowMs)).toBe(false);
  });

  it('treats a screen never seen or with an unreadable time as offline', () => {
    expect(isOnline(null, nowMs)).toBe(false);
    expect(isOnline(undefined, nowMs)).toBe(false);
    expect(isOnline('not a time', nowMs)).toBe(false);
    expect(lastSeenAgeMs(null, nowMs)).toBeNull();
    // A heartbeat stamped slightly ahead of the browser's clock is "just now", not negative.
    expect(lastSeenAgeMs(seen(-5_000), nowMs)).toBe(0);
  });
});
