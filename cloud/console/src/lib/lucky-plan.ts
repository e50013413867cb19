// The "lucky" double-mean split, the same algorithm as the cloud's planner (shared money.ts `planLucky`),
// so the wizard can chart the envelopes a prize plan will produce before it is submitted.

export type RandomInt = (minInclusive: number, maxExclusive: number) => number;

export interface LuckyPlan {
  totalFen: number;
  count: number;
  minFen: number;
  maxFen: number;
}

/** The envelope count a preview draws at most; a 65,535-envelope plan is charted from a sample. */
export const PREVIEW_ENVELOPES_MAX = 20_000;

/** Small deterministic PRNG (mulberry32), as the shared `seededRandomInt`: previews are reproducible. */
export function seededRandomInt(seed: number): RandomInt {
  let state = seed >>> 0;
  return (minInclusive, maxExclusive) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return minInclusive + Math.floor(unit * (maxExclusive - minInclusive));
  };
}

export type LuckyProblem = 'INTEGERS' | 'COUNT' | 'MIN' | 'MAX_BELOW_MIN' | 'TOTAL_LOW' | 'TOTAL_HIGH';

export function luckyPlanProblem(plan: LuckyPlan, countMax = 65_535): LuckyProblem | null {
  const { totalFen, count, minFen, maxFen } = plan;
  if (![totalFen, count, minFen, maxFen].every((n) => Number.isSafeInteger(n))) return 'INTEGERS';
  if (count < 1 || count > countMax) return 'COUNT';
  if (minFen < 1) return 'MIN';
  if (maxFen < minFen) return 'MAX_BELOW_MIN';
  if (totalFen < minFen * count) return 'TOTAL_LOW';
  if (totalFen > maxFen * count) return 'TOTAL_HIGH';
  return null;
}

/**
 * Each envelope is uniform in [min, 2 × remaining mean], clamped so the envelopes still to come can stay
 * within [min, max]; the last takes the remainder, so the sum is exact to the fen. Then shuffled.
 */
export function planLucky(plan: LuckyPlan, random: RandomInt): number[] | null {
  if (luckyPlanProblem(plan) !== null) return null;
  const { count, minFen, maxFen } = plan;
  const amounts: number[] = [];
  let remainingFen = plan.totalFen;
  for (let left = count; left > 1; left--) {
    const low = Math.max(minFen, remainingFen - maxFen * (left - 1));
    const high = Math.min(maxFen, Math.floor((2 * remainingFen) / left), remainingFen - minFen * (left - 1));
    const amount = random(low, high + 1);
    amounts.push(amount);
    remainingFen -= amount;
  }
  amounts.push(remainingFen);
  for (let i = amounts.length - 1; i > 0; i--) {
    const j = random(0, i + 1);
    const swap = amounts[i] ?? 0;
    amounts[i] = amounts[j] ?? 0;
    amounts[j] = swap;
  }
  return amounts;
}

export interface HistogramBin {
  /** Lower bound of the bin, fen, inclusive. */
  fromFen: number;
  /** Upper bound, fen, inclusive. */
  toFen: number;
  envelopes: number;
}

/** Envelope amounts grouped into at most `binsMax` equal-width bins for a bar chart. */
export function histogram(amounts: readonly number[], binsMax = 12): HistogramBin[] {
  if (amounts.length === 0) return [];
  let low = Infinity;
  let high = -Infinity;
  for (const amount of amounts) {
    low = Math.min(low, amount);
    high = Math.max(high, amount);
  }
  const width = Math.max(1, Math.ceil((high - low + 1) / binsMax));
  const bins: HistogramBin[] = [];
  for (let from = low; from <= high; from += width)
    bins.push({ fromFen: from, toFen: Math.min(high, from + width - 1), envelopes: 0 });
  for (const amount of amounts) {
    const bin = bins[Math.floor((amount - low) / width)];
    if (bin !== undefined) bin.envelopes += 1;
  }
  return bins;
}
