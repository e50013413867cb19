import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatFen,
  parseYuan,
  planLucky,
  planTiers,
  planTotalFen,
  seededRandomInt,
  type LuckyPlan,
} from './money.ts';

describe('formatFen / parseYuan', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [88, '¥0.88'],
    [100, '¥1.00'],
    [123456, '¥1,234.56'],
    [-150, '-¥1.50'],
  ])('formats %i fen as %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it.each([
    ['0.88', 88],
    ['¥0.1', 10],
    ['12', 1200],
    ['1,234.56', 123456],
    [' ￥ 3.05 ', 305],
  ])('parses %s as %i fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, value: fen });
  });

  it.each(['', 'abc', '1.234', '-1', '1e3', '0x10', '1.', '.5', '12,34', '99999999999999'])(
    'refuses %j with MONEY_INVALID',
    (text) => {
      expect(parseYuan(text)).toMatchObject({ ok: false, code: 'MONEY_INVALID' });
    },
  );

  it('round-trips every amount through format and parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (fen) => {
        expect(parseYuan(formatFen(fen))).toEqual({ ok: true, value: fen });
      }),
    );
  });
});

const luckyPlan = fc
  .record({
    count: fc.integer({ min: 1, max: 2000 }),
    minFen: fc.integer({ min: 1, max: 500 }),
    spread: fc.integer({ min: 0, max: 5000 }),
    fill: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ count, minFen, spread, fill }): LuckyPlan => {
    const maxFen = minFen + spread;
    const totalFen = minFen * count + Math.floor((maxFen - minFen) * count * fill);
    return { kind: 'lucky', totalFen, count, minFen, maxFen };
  });

describe('lucky (double-mean) plan', () => {
  it('sums exactly, keeps every envelope within [min, max] and ≥ 1 fen, and has the exact count', () => {
    fc.assert(
      fc.property(luckyPlan, fc.integer(), (plan, seed) => {
        const result = planLucky(plan, seededRandomInt(seed));
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const amounts = result.value;
        expect(amounts).toHaveLength(plan.count);
        expect(amounts.reduce((a, b) => a + b, 0)).toBe(plan.totalFen);
        const outOfBounds = amounts.filter(
          (amount) => !Number.isInteger(amount) || amount < Math.max(1, plan.minFen) || amount > plan.maxFen,
        );
        expect(outOfBounds).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('has the plan mean: total ÷ count, exactly', () => {
    const plan: LuckyPlan = { kind: 'lucky', totalFen: 100_000, count: 1000, minFen: 1, maxFen: 1000 };
    const result = planLucky(plan, seededRandomInt(7));
    expect(result.ok && result.value.reduce((a, b) => a + b, 0) / result.value.length).toBe(100);
  });

  it('spreads amounts: the double-mean draw is not degenerate', () => {
    const plan: LuckyPlan = { kind: 'lucky', totalFen: 100_000, count: 1000, minFen: 1, maxFen: 10_000 };
    const result = planLucky(plan, seededRandomInt(11));
    expect(result.ok && new Set(result.value).size).toBeGreaterThan(100);
  });

  it.each([
    [{ totalFen: 5, count: 10, minFen: 1, maxFen: 10 }, 'below count × min'],
    [{ totalFen: 500, count: 10, minFen: 1, maxFen: 10 }, 'above count × max'],
    [{ totalFen: 10, count: 0, minFen: 1, maxFen: 10 }, 'count'],
    [{ totalFen: 10, count: 10, minFen: 0, maxFen: 10 }, 'at least 1 fen'],
    [{ totalFen: 10.5, count: 10, minFen: 1, maxFen: 10 }, 'integers'],
  ])('refuses an infeasible plan %j', (values, message) => {
    const result = planLucky({ kind: 'lucky', ...values });
    expect(result).toMatchObject({ ok: false, code: 'MONEY_INVALID' });
    expect(!result.ok && result.message).toContain(message);
  });
});

describe('tier plan', () => {
  it('produces exactly the tiers, shuffled, summing to the plan total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            amountFen: fc.integer({ min: 1, max: 10_000 }),
            count: fc.integer({ min: 0, max: 300 }),
          }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.integer(),
        (tiers, seed) => {
          fc.pre(tiers.some((tier) => tier.count > 0));
          const plan = { kind: 'tiers' as const, tiers };
          const result = planTiers(plan, seededRandomInt(seed));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.value).toHaveLength(tiers.reduce((n, tier) => n + tier.count, 0));
          expect(result.value.reduce((a, b) => a + b, 0)).toBe(planTotalFen(plan));
          for (const tier of tiers) {
            const want = tiers.filter((t) => t.amountFen === tier.amountFen).reduce((n, t) => n + t.count, 0);
            expect(result.value.filter((amount) => amount === tier.amountFen)).toHaveLength(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses empty plans and zero-fen envelopes', () => {
    expect(planTiers({ kind: 'tiers', tiers: [{ amountFen: 10, count: 0 }] })).toMatchObject({ ok: false });
    expect(planTiers({ kind: 'tiers', tiers: [{ amountFen: 0, count: 3 }] })).toMatchObject({ ok: false });
  });
});
