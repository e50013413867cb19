import { describe, expect, it } from 'vitest';
import { GuessLimiter } from './guess-limiter.ts';

describe('GuessLimiter', () => {
  it('charges failures more than hits and resets with the window', () => {
    let nowMs = 0;
    const limiter = new GuessLimiter({
      pointsMax: 10,
      windowMs: 1_000,
      failureCost: 5,
      keysMax: 10,
      now: () => nowMs,
    });
    const keys = ['key:1', 'ip:a'];
    limiter.charge(keys, false);
    expect(limiter.allows(keys)).toBe(true);
    limiter.charge(keys, true);
    expect(limiter.allows(keys)).toBe(true);
    limiter.charge(keys, true);
    expect(limiter.allows(keys)).toBe(false);
    // Another key on the same address is limited too: the address is over its points.
    expect(limiter.allows(['key:2', 'ip:a'])).toBe(false);
    expect(limiter.allows(['key:2', 'ip:b'])).toBe(true);
    nowMs += 1_000;
    expect(limiter.allows(keys)).toBe(true);
  });

  it('tracks a bounded number of keys', () => {
    const limiter = new GuessLimiter({
      pointsMax: 1,
      windowMs: 1_000,
      failureCost: 1,
      keysMax: 3,
      now: () => 0,
    });
    for (let i = 0; i < 10; i++) limiter.charge([`ip:${i}`], true);
    expect(limiter.size).toBe(3);
  });
});
