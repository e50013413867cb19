import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  formatFen,
  luckyPlanProblem,
  parseYuan,
  planLucky,
  planTiers,
  planTotalFen,
  SECURE_RANDOM_RANGE_MAX,
  secureRandomInt,
  seededRandomInt,
  seededUnit,
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

describe('secureRandomInt', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('draws every value of a small range and nothing outside it', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(secureRandomInt(-3, 4));
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });

  it('reaches both ends of the widest range', () => {
    for (let i = 0; i < 100; i++) {
      const value = secureRandomInt(0, SECURE_RANDOM_RANGE_MAX);
      expect(Number.isSafeInteger(value) && value >= 0 && value < SECURE_RANDOM_RANGE_MAX).toBe(true);
    }
  });

  it('redraws a 48-bit draw above the last whole multiple of the range instead of folding it', async () => {
    // 2^48 mod 3 = 1, so the single draw 2^48 − 1 would make remainder 0 a little likelier: it is redrawn.
    const words = [0xffff, 0xffffffff, 0x0000, 0x00000005];
    vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation((array) => {
      if (array instanceof Uint32Array) array.set(words);
      return array;
    });
    vi.resetModules();
    const fresh = await import('./money.ts');
    expect(fresh.secureRandomInt(10, 13)).toBe(10 + (5 % 3));
  });

  it.each([
    [5, 5],
    [5, 4],
    [0, SECURE_RANDOM_RANGE_MAX + 1],
    [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('refuses the empty or too-wide range [%d, %d) with a RangeError, as node:crypto', (min, max) => {
    expect(() => secureRandomInt(min, max)).toThrow(RangeError);
  });

  it.each([
    [0.5, 3],
    [0, Number.NaN],
    [0, 2 ** 53],
  ])('refuses the non-integer bounds [%d, %d) with a TypeError, as node:crypto', (min, max) => {
    expect(() => secureRandomInt(min, max)).toThrow(TypeError);
  });
});

describe('seeded generators', () => {
  it('replay the recorded mulberry32 sequences', () => {
    const unit = seededUnit(42);
    expect([unit(), unit()]).toEqual([0.6011037519201636, 0.44829055899754167]);
    const random = seededRandomInt(42);
    expect([random(0, 100), random(-5, 5), random(1000, 2_000_000), random(0, 2)]).toEqual([
      60, -1, 1705079, 1,
    ]);
    const fromZero = seededRandomInt(0);
    expect([fromZero(0, 100), fromZero(-5, 5), fromZero(1000, 2_000_000), fromZero(0, 2)]).toEqual([
      26, -5, 447320, 0,
    ]);
  });

  it('derive integers from the same unit draws', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000_000 }), (seed, span) => {
        const unit = seededUnit(seed);
        const random = seededRandomInt(seed);
        for (let i = 0; i < 5; i++) expect(random(7, 7 + span)).toBe(7 + Math.floor(unit() * span));
      }),
    );
  });
});

describe('luckyPlanProblem', () => {
  it.each([
    [{ totalFen: 10.5, count: 10, minFen: 1, maxFen: 10 }, 'INTEGERS'],
    [{ totalFen: 10, count: 65_536, minFen: 1, maxFen: 10 }, 'COUNT'],
    [{ totalFen: 10, count: 10, minFen: 0, maxFen: 10 }, 'MIN'],
    [{ totalFen: 10, count: 10, minFen: 5, maxFen: 4 }, 'MAX_BELOW_MIN'],
    [{ totalFen: 2 ** 33, count: 2, minFen: 1, maxFen: 2 ** 32 }, 'MAX_TOO_LARGE'],
    [{ totalFen: 5, count: 10, minFen: 1, maxFen: 10 }, 'TOTAL_LOW'],
    [{ totalFen: 500, count: 10, minFen: 1, maxFen: 10 }, 'TOTAL_HIGH'],
    [{ totalFen: 50, count: 10, minFen: 1, maxFen: 10 }, null],
  ])('names what is wrong with %j: %s', (plan, problem) => {
    expect(luckyPlanProblem(plan)).toBe(problem);
    expect(planLucky({ kind: 'lucky', ...plan }, seededRandomInt(1)).ok).toBe(problem === null);
  });
});

describe('browser safety', () => {
  it('money.ts reaches no package and no Node module, so @redtap/shared/money runs in a browser', () => {
    const importPattern = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g;
    const seen = new Set<string>();
    const queue = [fileURLToPath(new URL('./money.ts', import.meta.url))];
    const outside: string[] = [];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(importPattern)) {
        if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
        else outside.push(specifier);
      }
    }
    expect(seen.size).toBe(2);
    expect(outside).toEqual([]);
  });

  it('is the package export @redtap/shared/money', () => {
    expect(createRequire(import.meta.url).resolve('@redtap/shared/money')).toBe(
      fileURLToPath(new URL('./money.ts', import.meta.url)),
    );
  });
});
