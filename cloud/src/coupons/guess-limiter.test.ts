import { describe, expect, it } from 'vitest';
import { GuessLimiter } from './guess-limiter.ts';

describe('GuessLimiter', () => {
  it('reserves a failure before the lookup, refunds a hit to 1 point and resets with the window', () => {
    let nowMs = 0;
    const limiter = new GuessLimiter({
      pointsMax: 10,
      windowMs: 1_000,
      failureCost: 5,
      keysMax: 10,
      now: () => nowMs,
    });
    const hit = limiter.reserve('ip:a');
    expect(hit).not.toBeNull();
    if (hit !== null) limiter.refund(hit, 4);
    expect(limiter.reserve('ip:a')).not.toBeNull(); // 1 + 5
    expect(limiter.reserve('ip:a')).not.toBeNull(); // 6 + 5
    expect(limiter.reserve('ip:a')).toBeNull();
    expect(limiter.reserve('ip:b')).not.toBeNull();
    nowMs += 1_000;
    expect(limiter.reserve('ip:a')).not.toBeNull();
  });

  it('lets no more parallel reservations through than the points allow', () => {
    const limiter = new GuessLimiter({
      pointsMax: 60,
      windowMs: 1_000,
      failureCost: 1,
      keysMax: 10,
      now: () => 0,
    });
    const granted = Array.from({ length: 400 }, () => limiter.reserve('ip:a')).filter((r) => r !== null);
    expect(granted).toHaveLength(60);
  });

  it('ignores a refund from an earlier window', () => {
    let nowMs = 0;
    const limiter = new GuessLimiter({
      pointsMax: 5,
      windowMs: 1_000,
      failureCost: 5,
      keysMax: 10,
      now: () => nowMs,
    });
    const old = limiter.reserve('ip:a');
    nowMs += 1_000;
    expect(limiter.reserve('ip:a')).not.toBeNull();
    if (old !== null) limiter.refund(old, 5);
    expect(limiter.reserve('ip:a')).toBeNull();
  });

  it('tracks a bounded number of keys', () => {
    const limiter = new GuessLimiter({
      pointsMax: 1,
      windowMs: 1_000,
      failureCost: 1,
      keysMax: 3,
      now: () => 0,
    });
    for (let i = 0; i < 10; i++) limiter.reserve(`ip:${i}`);
    expect(limiter.size).toBe(3);
  });
});
