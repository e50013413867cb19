import { describe, expect, it } from 'vitest';
import { Ack, PRESENCE_BYTES_MAX, ScreenConfig, ScreenEvent, ScreenPresence } from './schemas.ts';

const sha = 'a'.repeat(64);

describe('JSON payload schemas', () => {
  it('accepts acks with every status and refuses unknown ones', () => {
    const ack = {
      results: [
        { counter: 1, status: 'credited', amountFen: 88 },
        { counter: 2, status: 'duplicate', amountFen: 88 },
        { counter: 3, status: 'rejected', code: 'ENVELOPE_REUSED' },
        { counter: 4, status: 'retry' },
      ],
    };
    expect(Ack.parse(ack)).toEqual(ack);
    expect(Ack.safeParse({ results: [{ counter: 1, status: 'maybe' }] }).success).toBe(false);
    expect(Ack.safeParse({ results: [{ counter: 0, status: 'credited' }] }).success).toBe(false);
    expect(
      Ack.safeParse({ results: Array.from({ length: 501 }, () => ({ counter: 1, status: 'retry' })) })
        .success,
    ).toBe(false);
  });

  it('discriminates screen events by type', () => {
    const heartbeat = {
      type: 'heartbeat',
      ts: 1_795_000_000,
      appVersion: '0.1.0',
      counter: 7,
      backlog: 2,
      decks: [{ deckId: 900, campaignId: 12, remaining: 40, count: 100, validUntil: 1_795_076_400 }],
    };
    expect(ScreenEvent.parse(heartbeat)).toEqual(heartbeat);
    const play = {
      type: 'proof-of-play',
      periodStart: 1,
      periodEnd: 2,
      items: [{ creativeSha256: sha, campaignId: 12, plays: 3, durationMs: 45_000 }],
    };
    expect(ScreenEvent.parse(play)).toEqual(play);
    expect(ScreenEvent.safeParse({ type: 'deck-close', report: 'ab' }).success).toBe(false);
    expect(ScreenEvent.safeParse({ type: 'reboot' }).success).toBe(false);
    expect(ScreenEvent.safeParse({ ...heartbeat, counter: -1 }).success).toBe(false);
  });

  it('takes presence messages with exactly their fields, in bounds', () => {
    const online = { online: true, seq: 1_795_000_000_123, ts: 1_795_000_000 };
    const offline = { online: false, seq: 1_795_000_000_123 };
    expect(ScreenPresence.parse(online)).toEqual(online);
    expect(ScreenPresence.parse(offline)).toEqual(offline);
    expect(ScreenPresence.parse({ online: true, seq: Number.MAX_SAFE_INTEGER, ts: 0 }).seq).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(JSON.stringify({ ...online, seq: Number.MAX_SAFE_INTEGER }).length).toBeLessThan(
      PRESENCE_BYTES_MAX,
    );
    for (const bad of [
      {},
      { online: true, seq: 5 },
      { online: 'true', seq: 5, ts: 1 },
      { online: false },
      { online: false, seq: 0 },
      { online: false, seq: -1 },
      { online: false, seq: 1.5 },
      { online: false, seq: '5' },
      { online: false, seq: Number.MAX_SAFE_INTEGER + 1 },
      { online: false, seq: 5, ts: 1 },
      { online: true, seq: 5, ts: 0x1_0000_0000 },
      { online: true, seq: 5, ts: 1, screenId: 2 },
      { online: false, seq: 5, extra: null },
      null,
      [],
      'online',
    ]) {
      expect(ScreenPresence.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('validates the retained screen config', () => {
    const config = {
      version: 3,
      issuedAt: 1_795_000_000,
      timezone: 'Asia/Shanghai',
      issuerKeys: [{ keyId: 1, publicKey: '04' + 'ab'.repeat(64) }],
      campaigns: [
        {
          campaignId: 12,
          name: 'Spring tea',
          sponsor: 'Leaf & Co',
          cashPerWalletPerDay: 1,
          fallbackCouponOfferId: 5,
          couponOffers: [{ couponOfferId: 5, title: '¥5 off', valueFen: 500 }],
        },
      ],
      playlist: [
        {
          campaignId: 12,
          creativeSha256: sha,
          durationMs: 15_000,
          validFrom: 0,
          validUntil: 2_000_000_000,
          dayparts: [{ days: [1, 2, 3, 4, 5], startMinute: 420, endMinute: 600 }],
        },
      ],
      creatives: [{ sha256: sha, mime: 'image/png', bytes: 1024, url: `/v1/content/${sha}` }],
      revocation: { version: 1, credentials: ['4242:1'] },
      deckRefillThreshold: 20,
    };
    expect(ScreenConfig.parse(config)).toEqual(config);
    expect(ScreenConfig.safeParse({ ...config, issuerKeys: [] }).success).toBe(false);
    expect(
      ScreenConfig.safeParse({ ...config, revocation: { version: 1, credentials: ['x'] } }).success,
    ).toBe(false);
    // The local coupon cap is optional: configs from before it carry none.
    const [campaign] = config.campaigns;
    const withCap = { ...config, campaigns: [{ ...campaign, couponsPerWalletPerDay: 2 }] };
    expect(ScreenConfig.parse(withCap)).toEqual(withCap);
    expect(ScreenConfig.parse(config).campaigns[0]?.couponsPerWalletPerDay).toBeUndefined();
    for (const couponsPerWalletPerDay of [-1, 1.5, 101])
      expect(
        ScreenConfig.safeParse({ ...config, campaigns: [{ ...campaign, couponsPerWalletPerDay }] }).success,
      ).toBe(false);
  });
});
