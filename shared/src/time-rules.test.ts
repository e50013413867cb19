import { describe, expect, it } from 'vitest';
import { credentialExpired, isKnownTimeZone, localDay } from './time-rules.ts';

describe('credentialExpired', () => {
  it('is live before expiresAt and expired from expiresAt on', () => {
    expect(credentialExpired(1_000, 999)).toBe(false);
    expect(credentialExpired(1_000, 1_000)).toBe(true);
    expect(credentialExpired(1_000, 1_001)).toBe(true);
  });
});

describe('localDay', () => {
  // 2026-01-01T16:30:00Z: already 2 January in Shanghai (UTC+8).
  const ts = 1_767_285_000;

  it('counts the day in the given zone', () => {
    expect(localDay(ts, 'Asia/Shanghai')).toBe('2026-01-02');
    expect(localDay(ts, 'UTC')).toBe('2026-01-01');
    expect(localDay(ts, 'America/Los_Angeles')).toBe('2026-01-01');
  });

  it('turns the day at local midnight', () => {
    // 2026-01-01T16:00:00Z is 00:00 on 2 January in Shanghai.
    expect(localDay(1_767_283_200 - 1, 'Asia/Shanghai')).toBe('2026-01-01');
    expect(localDay(1_767_283_200, 'Asia/Shanghai')).toBe('2026-01-02');
  });

  it('falls back to UTC days for an unknown zone instead of throwing', () => {
    expect(() => localDay(ts, 'Mars/Olympus_Mons')).not.toThrow();
    expect(localDay(ts, 'Mars/Olympus_Mons')).toBe(localDay(ts, 'UTC'));
    expect(localDay(ts, '')).toBe('2026-01-01');
  });
});

describe('isKnownTimeZone', () => {
  it('knows IANA zones and not made-up ones', () => {
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
