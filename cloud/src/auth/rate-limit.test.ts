import { describe, expect, it } from 'vitest';
import { FixedWindowRateLimiter } from './rate-limit.ts';

describe('FixedWindowRateLimiter', () => {
  it('allows up to the limit per window and resets with the next window', () => {
    let nowMs = 0;
    const limiter = new FixedWindowRateLimiter({ limit: 2, windowMs: 1_000, keysMax: 10, now: () => nowMs });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect(limiter.take('b')).toBe(true);
    nowMs = 1_000;
    expect(limiter.take('a')).toBe(true);
  });

  it('tracks a bounded number of keys', () => {
    const limiter = new FixedWindowRateLimiter({ limit: 1, windowMs: 1_000, keysMax: 3, now: () => 0 });
    for (let i = 0; i < 100; i++) limiter.take(`ip-${i}`);
    expect(limiter.size).toBe(3);
  });
});
