import { describe, expect, it } from 'vitest';
import { histogram } from '../src/lib/histogram.ts';

describe('histogram', () => {
  it('bins amounts for the chart without losing any envelope', () => {
    const bins = histogram([1, 2, 3, 10, 10, 24], 4);
    expect(bins.reduce((sum, bin) => sum + bin.envelopes, 0)).toBe(6);
    expect(bins[0]).toEqual({ fromFen: 1, toFen: 6, envelopes: 3 });
    expect(histogram([])).toEqual([]);
  });
});
