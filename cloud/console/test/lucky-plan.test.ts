// The console's copy of the double-mean planner must draw exactly what the cloud's planner draws.
import { describe, expect, it } from 'vitest';
import { planLucky as sharedPlanLucky, seededRandomInt as sharedSeeded } from '@redtap/shared';
import { histogram, luckyPlanProblem, planLucky, seededRandomInt } from '../src/lib/lucky-plan.ts';

describe('console lucky plan', () => {
  it('matches the shared planner envelope for envelope with a fixed seed', () => {
    for (const plan of [
      { totalFen: 10_000, count: 100, minFen: 50, maxFen: 200 },
      { totalFen: 8_888, count: 88, minFen: 1, maxFen: 8_888 },
      { totalFen: 100, count: 100, minFen: 1, maxFen: 1 },
    ]) {
      const shared = sharedPlanLucky({ kind: 'lucky', ...plan }, sharedSeeded(42));
      expect(shared.ok).toBe(true);
      expect(planLucky(plan, seededRandomInt(42))).toEqual(shared.ok ? shared.value : null);
    }
  });

  it('sums exactly and stays within bounds', () => {
    const amounts =
      planLucky({ totalFen: 12_345, count: 321, minFen: 10, maxFen: 120 }, seededRandomInt(7)) ?? [];
    expect(amounts).toHaveLength(321);
    expect(amounts.reduce((sum, a) => sum + a, 0)).toBe(12_345);
    expect(Math.min(...amounts)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...amounts)).toBeLessThanOrEqual(120);
  });

  it('names what is wrong with an impossible plan', () => {
    expect(luckyPlanProblem({ totalFen: 100, count: 10, minFen: 20, maxFen: 30 })).toBe('TOTAL_LOW');
    expect(luckyPlanProblem({ totalFen: 1_000, count: 10, minFen: 1, maxFen: 50 })).toBe('TOTAL_HIGH');
    expect(luckyPlanProblem({ totalFen: 100, count: 0, minFen: 1, maxFen: 50 })).toBe('COUNT');
    expect(luckyPlanProblem({ totalFen: 100, count: 10, minFen: 5, maxFen: 4 })).toBe('MAX_BELOW_MIN');
    expect(planLucky({ totalFen: 100, count: 10, minFen: 20, maxFen: 30 }, seededRandomInt(1))).toBeNull();
  });

  it('bins amounts for the chart without losing any envelope', () => {
    const bins = histogram([1, 2, 3, 10, 10, 24], 4);
    expect(bins.reduce((sum, bin) => sum + bin.envelopes, 0)).toBe(6);
    expect(bins[0]).toEqual({ fromFen: 1, toFen: 6, envelopes: 3 });
    expect(histogram([])).toEqual([]);
  });
});
