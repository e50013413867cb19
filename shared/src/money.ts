// Money is integer fen (¥1 = 100 fen) everywhere; no floating point touches an amount.
// Browser-safe (exported alone as `@redtap/shared/money`): the web console and the kiosk renderer use it
// too, so it and errors.ts import nothing from Node; randomness comes from WebCrypto.
import { assert, ErrorCode, fail, ok, type Result } from './errors.ts';

export const FEN_PER_YUAN = 100;
/** Amounts on the wire are u32 fen. */
export const FEN_MAX = 0xffffffff;

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** `88` → `¥0.88`, `-150` → `-¥1.50`, `123456` → `¥1,234.56`. */
export function formatFen(fen: number, symbol = '¥'): string {
  assert(Number.isSafeInteger(fen), `fen must be an integer: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / FEN_PER_YUAN)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % FEN_PER_YUAN).toString().padStart(2, '0');
  return `${sign}${symbol}${yuan}.${cents}`;
}

/** Parses a non-negative yuan amount such as `0.88`, `¥12`, `1,234.5` into fen, by string arithmetic. */
export function parseYuan(text: string): Result<number> {
  const match = /^\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (match === null) return fail(ErrorCode.MONEY_INVALID, `not a yuan amount: ${JSON.stringify(text)}`);
  const whole = (match[1] ?? '0').replaceAll(',', '');
  const cents = (match[2] ?? '').padEnd(2, '0');
  if (whole.length > 12) return fail(ErrorCode.MONEY_INVALID, 'amount too large');
  const fen = Number(whole) * FEN_PER_YUAN + Number(cents);
  if (!Number.isSafeInteger(fen) || fen > FEN_MAX) return fail(ErrorCode.MONEY_INVALID, 'amount too large');
  return ok(fen);
}

/** Random integer in [minInclusive, maxExclusive). Injected so plans are reproducible in tests. */
export type RandomInt = (minInclusive: number, maxExclusive: number) => number;

/** The widest range secureRandomInt draws from, as node:crypto `randomInt`: 48 random bits. */
export const SECURE_RANDOM_RANGE_MAX = 2 ** 48 - 1;
const RANDOM_BITS_SPAN = 2 ** 48;

// Each getRandomValues call crosses into the platform's CSPRNG, and a 65,535-envelope plan draws about
// twice per envelope, so words are fetched a pool at a time (as node:crypto's randomInt caches bytes).
const randomWords = new Uint32Array(512);
let randomWordsUsed = randomWords.length;

function randomWord(): number {
  if (randomWordsUsed === randomWords.length) {
    globalThis.crypto.getRandomValues(randomWords);
    randomWordsUsed = 0;
  }
  return randomWords[randomWordsUsed++] as number;
}

/**
 * Uniform integer in [minInclusive, maxExclusive) from WebCrypto (Node ≥ 20 and browsers), with the
 * contract of node:crypto `randomInt`: safe integers, max > min, a range of at most 2^48 − 1.
 */
export const secureRandomInt: RandomInt = (minInclusive, maxExclusive) => {
  if (!Number.isSafeInteger(minInclusive) || !Number.isSafeInteger(maxExclusive))
    throw new TypeError(`random bounds must be safe integers: [${minInclusive}, ${maxExclusive})`);
  const range = maxExclusive - minInclusive;
  if (!(range > 0 && range <= SECURE_RANDOM_RANGE_MAX))
    throw new RangeError(
      `random range must be 1..${SECURE_RANDOM_RANGE_MAX}: [${minInclusive}, ${maxExclusive})`,
    );
  // Rejection sampling: 48-bit draws at or above the largest multiple of `range` are redrawn, otherwise
  // `draw % range` would favour the low remainders. Each draw is redrawn with probability below ½.
  const limit = RANDOM_BITS_SPAN - (RANDOM_BITS_SPAN % range);
  for (;;) {
    const draw = (randomWord() & 0xffff) * 0x1_0000_0000 + randomWord();
    if (draw < limit) return minInclusive + (draw % range);
  }
};

/**
 * Small deterministic PRNG (mulberry32): uniform numbers in [0, 1) from a 32-bit seed, for seeded
 * simulations, tests and previews; never for production draws. The one generator behind every seeded
 * sequence in RedTap, so a recorded seed replays the same values everywhere.
 */
export function seededUnit(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded RandomInt on seededUnit; never for production draws. */
export function seededRandomInt(seed: number): RandomInt {
  const unit = seededUnit(seed);
  return (minInclusive, maxExclusive) => minInclusive + Math.floor(unit() * (maxExclusive - minInclusive));
}

export function shuffleInPlace<T>(items: T[], random: RandomInt): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random(0, i + 1);
    const swap = items[i] as T;
    items[i] = items[j] as T;
    items[j] = swap;
  }
  return items;
}

export interface LuckyPlan {
  kind: 'lucky';
  totalFen: number;
  count: number;
  minFen: number;
  maxFen: number;
}

export interface TierPlan {
  kind: 'tiers';
  tiers: { amountFen: number; count: number }[];
}

export type PrizePlan = LuckyPlan | TierPlan;

export const ENVELOPES_PER_PLAN_MAX = 65_535;

/** What makes a lucky plan infeasible, as a stable code the console can phrase for people. */
export type LuckyPlanProblem =
  'INTEGERS' | 'COUNT' | 'MIN' | 'MAX_BELOW_MIN' | 'MAX_TOO_LARGE' | 'TOTAL_LOW' | 'TOTAL_HIGH';

/** The first rule a lucky plan breaks, in the order validateLuckyPlan applies them, or null. */
export function luckyPlanProblem(plan: Omit<LuckyPlan, 'kind'>): LuckyPlanProblem | null {
  const { totalFen, count, minFen, maxFen } = plan;
  if (![totalFen, count, minFen, maxFen].every((n) => Number.isSafeInteger(n))) return 'INTEGERS';
  if (count < 1 || count > ENVELOPES_PER_PLAN_MAX) return 'COUNT';
  if (minFen < 1) return 'MIN';
  if (maxFen < minFen) return 'MAX_BELOW_MIN';
  if (maxFen > FEN_MAX) return 'MAX_TOO_LARGE';
  if (totalFen < minFen * count) return 'TOTAL_LOW';
  if (totalFen > maxFen * count) return 'TOTAL_HIGH';
  return null;
}

const LUCKY_PLAN_PROBLEM_MESSAGES: Readonly<Record<LuckyPlanProblem, string>> = {
  INTEGERS: 'plan values must be integers',
  COUNT: `count must be 1..${ENVELOPES_PER_PLAN_MAX}`,
  MIN: 'every envelope holds at least 1 fen',
  MAX_BELOW_MIN: 'max must be ≥ min',
  MAX_TOO_LARGE: `max must be ≤ ${FEN_MAX} fen`,
  TOTAL_LOW: 'total is below count × min',
  TOTAL_HIGH: 'total is above count × max',
};

export function validateLuckyPlan(plan: LuckyPlan): Result<LuckyPlan> {
  const problem = luckyPlanProblem(plan);
  return problem === null ? ok(plan) : fail(ErrorCode.MONEY_INVALID, LUCKY_PLAN_PROBLEM_MESSAGES[problem]);
}

/**
 * WeChat-style "double mean" split: each envelope is uniform in [min, 2 × remaining mean], clamped so
 * the envelopes still to come can stay within [min, max]. The last takes the remainder, so the sum is
 * exact to the fen. The result is shuffled so the draw order leaks nothing.
 */
export function planLucky(plan: LuckyPlan, random: RandomInt = secureRandomInt): Result<number[]> {
  const valid = validateLuckyPlan(plan);
  if (!valid.ok) return valid;
  const { count, minFen, maxFen } = plan;
  const amounts: number[] = [];
  let remainingFen = plan.totalFen;
  for (let left = count; left > 1; left--) {
    const low = Math.max(minFen, remainingFen - maxFen * (left - 1));
    const high = Math.min(maxFen, Math.floor((2 * remainingFen) / left), remainingFen - minFen * (left - 1));
    assert(low <= high, 'double-mean bounds crossed');
    const amount = random(low, high + 1);
    amounts.push(amount);
    remainingFen -= amount;
  }
  amounts.push(remainingFen);
  assert(remainingFen >= minFen && remainingFen <= maxFen, 'last envelope out of bounds');
  return ok(shuffleInPlace(amounts, random));
}

export function planTiers(plan: TierPlan, random: RandomInt = secureRandomInt): Result<number[]> {
  let count = 0;
  for (const tier of plan.tiers) {
    if (!Number.isSafeInteger(tier.amountFen) || !Number.isSafeInteger(tier.count))
      return fail(ErrorCode.MONEY_INVALID, 'tier values must be integers');
    if (tier.amountFen < 1 || tier.amountFen > FEN_MAX)
      return fail(ErrorCode.MONEY_INVALID, 'every envelope holds at least 1 fen');
    if (tier.count < 0) return fail(ErrorCode.MONEY_INVALID, 'tier count must be ≥ 0');
    count += tier.count;
  }
  if (count < 1 || count > ENVELOPES_PER_PLAN_MAX)
    return fail(ErrorCode.MONEY_INVALID, `count must be 1..${ENVELOPES_PER_PLAN_MAX}`);
  const amounts = plan.tiers.flatMap((tier) => Array.from({ length: tier.count }, () => tier.amountFen));
  return ok(shuffleInPlace(amounts, random));
}

export function planTotalFen(plan: PrizePlan): number {
  return plan.kind === 'lucky'
    ? plan.totalFen
    : plan.tiers.reduce((sum, tier) => sum + tier.amountFen * tier.count, 0);
}

export function planEnvelopes(plan: PrizePlan, random: RandomInt = secureRandomInt): Result<number[]> {
  return plan.kind === 'lucky' ? planLucky(plan, random) : planTiers(plan, random);
}
