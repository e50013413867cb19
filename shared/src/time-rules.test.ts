import { describe, expect, it } from 'vitest';
import { credentialExpired, isKnownTimeZone, localDay, localDayStart } from './time-rules.ts';

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

  it('answers the same on either side of a day that localDayStart has bounded', () => {
    // 2 January in Shanghai runs 2026-01-01T16:00:00Z .. 2026-01-02T16:00:00Z.
    const start = localDayStart(ts, 'Asia/Shanghai');
    expect(start).toBe(1_767_283_200);
    expect(localDay(start - 1, 'Asia/Shanghai')).toBe('2026-01-01');
    expect(localDay(start, 'Asia/Shanghai')).toBe('2026-01-02');
    expect(localDay(start + 86_400 - 1, 'Asia/Shanghai')).toBe('2026-01-02');
    expect(localDay(start + 86_400, 'Asia/Shanghai')).toBe('2026-01-03');
    // Another zone's bounds are its own.
    expect(localDay(start, 'UTC')).toBe('2026-01-01');
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

describe('localDayStart', () => {
  it('is the first second of the local day', () => {
    // 2026-01-01T16:30:00Z is 2 January in Shanghai, which began at 2026-01-01T16:00:00Z.
    expect(localDayStart(1_767_285_000, 'Asia/Shanghai')).toBe(1_767_283_200);
    expect(localDayStart(1_767_283_200, 'Asia/Shanghai')).toBe(1_767_283_200);
    expect(localDayStart(1_767_283_199, 'Asia/Shanghai')).toBe(1_767_283_200 - 86_400);
    expect(localDayStart(1_767_285_000, 'UTC')).toBe(1_767_225_600);
  });

  it('follows daylight saving: a 23-hour day starts at local midnight, the next one too', () => {
    // 2026-03-08 in Los Angeles: midnight is 08:00Z (PST); 9 March begins at 07:00Z (PDT).
    expect(localDayStart(Date.UTC(2026, 2, 8, 20) / 1000, 'America/Los_Angeles')).toBe(
      Date.UTC(2026, 2, 8, 8) / 1000,
    );
    expect(localDayStart(Date.UTC(2026, 2, 9, 20) / 1000, 'America/Los_Angeles')).toBe(
      Date.UTC(2026, 2, 9, 7) / 1000,
    );
  });

  it('counts UTC days for an unknown zone, like localDay', () => {
    expect(localDayStart(1_767_285_000, 'Mars/Olympus_Mons')).toBe(1_767_225_600);
  });
});

describe('localDayStart against a scan, every hour of a year with DST changes', () => {
  it('agrees with the first second the local day turns, in zones with and without DST', () => {
    for (const zone of ['America/Los_Angeles', 'Europe/London', 'Asia/Shanghai', 'Australia/Lord_Howe']) {
      for (let hour = 0; hour < 366 * 24; hour += 5) {
        const ts = 1_767_225_600 + hour * 3600 + 1234;
        const start = localDayStart(ts, zone);
        expect(localDay(start, zone)).toBe(localDay(ts, zone));
        expect(localDay(start - 1, zone) < localDay(ts, zone)).toBe(true);
      }
    }
  });
});
