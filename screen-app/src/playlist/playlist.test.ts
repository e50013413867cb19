import { describe, expect, it } from 'vitest';
import type { PlaylistItem } from '@redtap/shared';
import { localTimeAt, isKnownTimezone } from './local-time.ts';
import { campaign } from '../../test/fixtures.ts';
import {
  cachedCreatives,
  campaignsOnAir,
  DEFAULT_CONTENT_DURATION_MS,
  inDaypart,
  nextPick,
  playOrder,
  type CreativeMime,
} from './playlist.ts';

const sha = (n: number) => n.toString(16).padStart(64, '0');
/** 2026-11-21T00:00:00Z: Saturday 08:00 in Asia/Shanghai. */
const T0_MS = Date.UTC(2026, 10, 21, 0, 0);

function item(n: number, overrides: Partial<PlaylistItem> = {}): PlaylistItem {
  return {
    campaignId: 10 + n,
    creativeSha256: sha(n),
    durationMs: 10_000,
    validFrom: 0,
    validUntil: 0xffffffff,
    dayparts: [],
    ...overrides,
  };
}

function cached(...ns: number[]): Map<string, CreativeMime> {
  return new Map(ns.map((n) => [sha(n), 'image/png' as const]));
}

describe('localTimeAt', () => {
  it('reads weekday and minute in the zone, not in UTC', () => {
    expect(localTimeAt('Asia/Shanghai', T0_MS)).toEqual({ isoWeekday: 6, minuteOfDay: 8 * 60 });
    expect(localTimeAt('UTC', T0_MS)).toEqual({ isoWeekday: 6, minuteOfDay: 0 });
    // A half-hour zone.
    expect(localTimeAt('Asia/Kolkata', T0_MS)).toEqual({ isoWeekday: 6, minuteOfDay: 5 * 60 + 30 });
    // West of UTC the local day is still Friday.
    expect(localTimeAt('America/Los_Angeles', T0_MS)).toEqual({ isoWeekday: 5, minuteOfDay: 16 * 60 });
  });

  it('crosses midnight into the next weekday in the zone', () => {
    // 16:30Z Saturday is 00:30 Sunday in Shanghai.
    expect(localTimeAt('Asia/Shanghai', Date.UTC(2026, 10, 21, 16, 30))).toEqual({
      isoWeekday: 7,
      minuteOfDay: 30,
    });
  });

  it('follows daylight saving time: the skipped and the repeated hour', () => {
    // 2026-03-08: New York springs forward at 02:00 local (07:00Z); 02:xx never happens.
    expect(localTimeAt('America/New_York', Date.UTC(2026, 2, 8, 6, 59)).minuteOfDay).toBe(60 + 59);
    expect(localTimeAt('America/New_York', Date.UTC(2026, 2, 8, 7, 0)).minuteOfDay).toBe(3 * 60);
    // 2026-11-01: 01:30 happens twice, an hour apart in UTC.
    expect(localTimeAt('America/New_York', Date.UTC(2026, 10, 1, 5, 30)).minuteOfDay).toBe(90);
    expect(localTimeAt('America/New_York', Date.UTC(2026, 10, 1, 6, 30)).minuteOfDay).toBe(90);
  });

  it('falls back to UTC for an unknown zone', () => {
    expect(isKnownTimezone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimezone('Asia/Shanghai')).toBe(true);
    expect(localTimeAt('Mars/Olympus_Mons', T0_MS)).toEqual({ isoWeekday: 6, minuteOfDay: 0 });
  });
});

describe('inDaypart', () => {
  const at = (isoWeekday: number, hour: number, minute = 0) => ({
    isoWeekday,
    minuteOfDay: hour * 60 + minute,
  });

  it('is half-open and honours listed days; empty days means every day', () => {
    const morning = { days: [1, 2, 3, 4, 5], startMinute: 7 * 60, endMinute: 9 * 60 };
    expect(inDaypart(morning, at(1, 7))).toBe(true);
    expect(inDaypart(morning, at(1, 8, 59))).toBe(true);
    expect(inDaypart(morning, at(1, 9))).toBe(false);
    expect(inDaypart(morning, at(6, 8))).toBe(false);
    expect(inDaypart({ ...morning, days: [] }, at(6, 8))).toBe(true);
    expect(inDaypart({ days: [], startMinute: 0, endMinute: 1440 }, at(7, 23, 59))).toBe(true);
  });

  it('runs overnight dayparts into the next day, including Sunday into Monday', () => {
    const friNight = { days: [5], startMinute: 22 * 60, endMinute: 2 * 60 };
    expect(inDaypart(friNight, at(5, 23))).toBe(true);
    expect(inDaypart(friNight, at(6, 1, 59))).toBe(true);
    expect(inDaypart(friNight, at(6, 2))).toBe(false);
    expect(inDaypart(friNight, at(6, 23))).toBe(false);
    expect(inDaypart(friNight, at(5, 1))).toBe(false);
    const sunNight = { days: [7], startMinute: 23 * 60, endMinute: 60 };
    expect(inDaypart(sunNight, at(1, 0, 30))).toBe(true);
    expect(inDaypart(sunNight, at(7, 0, 30))).toBe(false);
  });
});

describe('playOrder and nextPick', () => {
  const context = (nowMs: number, cache = cached(1, 2, 3)) => ({
    timezone: 'Asia/Shanghai',
    cached: cache,
    nowMs,
  });

  it('round-robins through playable items after the one that played last', () => {
    const playlist = [item(1), item(2), item(3)];
    expect(playOrder(playlist, context(T0_MS))).toEqual([0, 1, 2]);
    expect(playOrder(playlist, context(T0_MS), 0)).toEqual([1, 2, 0]);
    expect(playOrder(playlist, context(T0_MS), 2)).toEqual([0, 1, 2]);
    expect(nextPick(playlist, context(T0_MS), 1)).toMatchObject({
      kind: 'creative',
      index: 2,
      mime: 'image/png',
    });
  });

  it('skips creatives not in the cache and falls back to the default content', () => {
    const playlist = [item(1), item(2)];
    expect(playOrder(playlist, context(T0_MS, cached(2)))).toEqual([1]);
    expect(nextPick(playlist, context(T0_MS, cached()))).toEqual({
      kind: 'default',
      durationMs: DEFAULT_CONTENT_DURATION_MS,
    });
    expect(nextPick([], context(T0_MS)).kind).toBe('default');
  });

  it('honours the validity window: from inclusive, until exclusive', () => {
    const t0S = T0_MS / 1000;
    const playlist = [item(1, { validFrom: t0S, validUntil: t0S + 60 })];
    expect(playOrder(playlist, context(T0_MS - 1000))).toEqual([]);
    expect(playOrder(playlist, context(T0_MS))).toEqual([0]);
    expect(playOrder(playlist, context(T0_MS + 59_999))).toEqual([0]);
    expect(playOrder(playlist, context(T0_MS + 60_000))).toEqual([]);
  });

  it('evaluates dayparts in the screen timezone', () => {
    // Saturday 07:00–09:00 local: T0 is 08:00 in Shanghai but 00:00 in UTC.
    const breakfast = item(1, { dayparts: [{ days: [6], startMinute: 7 * 60, endMinute: 9 * 60 }] });
    const playlist = [breakfast, item(2)];
    expect(playOrder(playlist, context(T0_MS))).toEqual([0, 1]);
    expect(playOrder(playlist, { ...context(T0_MS), timezone: 'UTC' })).toEqual([1]);
    expect(playOrder(playlist, context(T0_MS + 60 * 60_000))).toEqual([1]);
  });

  it('builds the cached map from the manifest', () => {
    const manifest = [
      { sha256: sha(1), mime: 'image/png' as const, bytes: 10, url: 'x' },
      { sha256: sha(2), mime: 'video/mp4' as const, bytes: 10, url: 'y' },
    ];
    expect([...cachedCreatives(manifest, (s) => s === sha(2))]).toEqual([[sha(2), 'video/mp4']]);
  });

  it('plays a campaign claimed online only without a deck, and a tap-paying one only with its deck', () => {
    const config = [
      campaign({ campaignId: 11 }),
      campaign({ campaignId: 12, claimPaths: ['qr'] }),
      campaign({ campaignId: 13, claimPaths: ['tap', 'qr'] }),
    ];
    const onAir = campaignsOnAir(config, new Set([13]));
    expect([...onAir].sort()).toEqual([12, 13]);
    const playlist = [item(1), item(2), item(3)];
    expect(playOrder(playlist, { ...context(T0_MS), campaignsWithDeck: onAir })).toEqual([1, 2]);
  });
});
