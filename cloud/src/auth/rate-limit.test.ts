import { describe, expect, it } from 'vitest';
import { clientAddress } from '../http/client-ip.ts';
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

describe('clientAddress', () => {
  const peer = '10.0.0.2';

  it('keys on the rightmost untrusted X-Forwarded-For hop, not the client-written leftmost one', () => {
    // The client wrote "6.6.6.6"; our proxy (the peer) appended the address it really saw.
    const forwardedFor = '6.6.6.6, 203.0.113.7';
    expect(clientAddress({ peer, forwardedFor, trustProxy: true })).toBe('203.0.113.7');
    const spoofs = ['1.1.1.1', '2.2.2.2', '3.3.3.3'].map((spoof) =>
      clientAddress({ peer, forwardedFor: `${spoof}, 203.0.113.7`, trustProxy: true }),
    );
    expect(new Set(spoofs)).toEqual(new Set(['203.0.113.7']));
  });

  it('skips the configured trusted proxies and the peer, and falls back to the peer', () => {
    expect(
      clientAddress({
        peer,
        forwardedFor: '6.6.6.6, 198.51.100.9, 10.0.0.1, ::ffff:10.0.0.2',
        trustProxy: true,
        trustedProxies: ['10.0.0.1'],
      }),
    ).toBe('198.51.100.9');
    expect(clientAddress({ peer, forwardedFor: ' 10.0.0.2 , ', trustProxy: true })).toBe(peer);
    expect(clientAddress({ peer, forwardedFor: undefined, trustProxy: true })).toBe(peer);
  });

  it('ignores X-Forwarded-For without a trusted proxy', () => {
    expect(clientAddress({ peer, forwardedFor: '6.6.6.6', trustProxy: false })).toBe(peer);
  });
});
