// The proof-of-play judge without a database: whatever a screen claims, what counts is configured, merged
// and no more than one screen shows in the period.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgePlayItems, PLAY_SHOWING_MS_MAX, PlayCode } from './proof-of-play.ts';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const PERIOD = { periodStart: 36_000, periodEnd: 39_600 };
const playlist = [
  { campaignId: 1, creativeSha256: SHA_A, durationMs: 10_000, validFrom: 0, validUntil: 100_000 },
  { campaignId: 2, creativeSha256: SHA_B, durationMs: 15_000, validFrom: 0, validUntil: 100_000 },
  // Ended before the period: not playable in it.
  { campaignId: 3, creativeSha256: SHA_A, durationMs: 10_000, validFrom: 0, validUntil: 30_000 },
];

describe('judgePlayItems', () => {
  it('counts an honest hour as it is', () => {
    const judged = judgePlayItems(
      { ...PERIOD, items: [{ campaignId: 1, creativeSha256: SHA_A, plays: 180, durationMs: 1_800_000 }] },
      playlist,
      300,
    );
    expect(judged).toEqual({
      counted: [{ campaignId: 1, creativeSha256: SHA_A, plays: 180, durationMs: 1_800_000 }],
      notes: [],
      configured: 1,
    });
  });

  it('refuses what is not configured in the period and merges repeats', () => {
    const judged = judgePlayItems(
      {
        ...PERIOD,
        items: [
          { campaignId: 1, creativeSha256: SHA_A, plays: 5, durationMs: 50_000 },
          { campaignId: 1, creativeSha256: SHA_A, plays: 5, durationMs: 50_000 },
          { campaignId: 1, creativeSha256: SHA_B, plays: 5, durationMs: 50_000 },
          { campaignId: 3, creativeSha256: SHA_A, plays: 5, durationMs: 50_000 },
        ],
      },
      playlist,
      300,
    );
    expect(judged.counted).toEqual([
      { campaignId: 1, creativeSha256: SHA_A, plays: 10, durationMs: 100_000 },
    ]);
    expect(judged.notes.map((note) => note.code)).toEqual([
      PlayCode.ITEM_REPEATED,
      PlayCode.NOT_IN_CONFIG,
      PlayCode.NOT_IN_CONFIG,
    ]);
  });

  it('never counts more than one screen shows in the period, whatever is claimed', () => {
    const item = fc.record({
      campaignId: fc.constantFrom(1, 2, 3, 4),
      creativeSha256: fc.constantFrom(SHA_A, SHA_B),
      plays: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      durationMs: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
    });
    const period = fc
      .tuple(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1, max: 3_600 }))
      .map(([hour, length]) => ({ periodStart: hour * 3_600, periodEnd: hour * 3_600 + length }));
    fc.assert(
      fc.property(period, fc.array(item, { maxLength: 50 }), (bounds, items) => {
        const judged = judgePlayItems({ ...bounds, items }, playlist, 300);
        const periodMs = (bounds.periodEnd - bounds.periodStart) * 1000;
        const showingMs = (campaignId: number) => (campaignId === 2 ? 15_000 : 10_000);
        const playsMs = judged.counted.reduce((sum, row) => sum + row.plays * showingMs(row.campaignId), 0);
        const shownMs = judged.counted.reduce((sum, row) => sum + row.durationMs, 0);
        expect(playsMs).toBeLessThanOrEqual(periodMs + 15_000);
        expect(shownMs).toBeLessThanOrEqual(periodMs + PLAY_SHOWING_MS_MAX);
        for (const row of judged.counted) {
          expect(Number.isSafeInteger(row.plays) && Number.isSafeInteger(row.durationMs)).toBe(true);
          expect(row.durationMs).toBeLessThanOrEqual(row.plays * PLAY_SHOWING_MS_MAX);
        }
        expect(new Set(judged.counted.map((row) => `${row.campaignId}:${row.creativeSha256}`)).size).toBe(
          judged.counted.length,
        );
      }),
    );
  });
});
