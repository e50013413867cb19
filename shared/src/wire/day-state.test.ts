// The phone's day state and its request (docs/protocol.md §4.4): annotated fixtures, round trips,
// signature binding to the kiosk's request, and hostile bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../bytes.ts';
import { sign, SignatureLabel } from '../crypto.ts';
import { errorCodes } from '../errors.ts';
import { testKeys } from '../test-vectors.ts';
import {
  DAY_STATE_LENGTH_MAX,
  DAY_STATE_REQUEST_LENGTH,
  DayStateFlag,
  dayStateLength,
  decodeDayState,
  decodeDayStateRequest,
  decodeReceiptExtra,
  encodeDayState,
  encodeDayStateRequest,
  encodeReceiptExtra,
  signDayState,
  verifyDayState,
  type DayState,
} from './day-state.ts';

const { phone, screen } = testKeys();
const signature = new Uint8Array(64).fill(0x5c);

// GET DAY STATE data, field by field.
const requestFixture = concatBytes(
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0x12, 0x34, 0x56, 0x78), // u32 cityKey = 0x12345678
  Uint8Array.of(0x6a, 0xfc, 0xf5, 0x00), // u32 dayStart = 1794962688
  Uint8Array.of(0x6a, 0xfd, 0x86, 0xc0), // u32 ts = 1795000000
  Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), // 12 B nonce
);
const request = {
  screenId: 1001,
  cityKey: 0x1234_5678,
  dayStart: 1_794_962_688,
  ts: 1_795_000_000,
  nonce: Uint8Array.from({ length: 12 }, (_, i) => i),
};

// The phone's answer, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x01), // u8 version = 1
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x10, 0x92), // u64 walletId = 4242
  Uint8Array.of(0x6a, 0xfc, 0xf5, 0x00), // u32 dayStart = 1794962688
  Uint8Array.of(0, 0x03), // u16 cashCount = 3
  Uint8Array.of(0, 0, 0x01, 0x2c), // u32 cashFen = 300
  Uint8Array.of(0x02), // u8 screensWithCash = 2
  Uint8Array.of(0x01), // u8 flags: thisScreenHasCash
  Uint8Array.of(0x6a, 0xfd, 0x80, 0x00), // u32 lastTapTs = 1794998272
  Uint8Array.of(0xca, 0xfe, 0xba, 0xbe), // u32 lastCityKey = 0xCAFEBABE
  Uint8Array.of(0x02), // u8 n = 2
  Uint8Array.of(0, 0, 0, 0x0c, 0, 0, 0, 0x07, 0x02, 0x01), // campaign 12, advertiser 7, 2 cash, 1 coupon
  Uint8Array.of(0, 0, 0, 0x0d, 0, 0, 0, 0x08, 0x01, 0x00), // campaign 13, advertiser 8, 1 cash, 0 coupons
  signature, // 64 B phone signature over request ‖ everything before it, label day-state
);
const value: DayState = {
  version: 1,
  walletId: 4242,
  dayStart: 1_794_962_688,
  cashCount: 3,
  cashFen: 300,
  screensWithCash: 2,
  flags: DayStateFlag.thisScreenHasCash,
  lastTapTs: 1_794_998_272,
  lastCityKey: 0xcafe_babe,
  campaigns: [
    { campaignId: 12, advertiserId: 7, cash: 2, coupons: 1 },
    { campaignId: 13, advertiserId: 8, cash: 1, coupons: 0 },
  ],
  signature,
};

const withByte = (bytes: Uint8Array, index: number, byte: number): Uint8Array => {
  const copy = bytes.slice();
  copy[index] = byte;
  return copy;
};

describe('day state request', () => {
  it('decodes and encodes the annotated fixture', () => {
    expect(requestFixture).toHaveLength(DAY_STATE_REQUEST_LENGTH);
    expect(decodeDayStateRequest(requestFixture)).toEqual({ ok: true, value: request });
    expect(toHex(encodeDayStateRequest(request))).toBe(toHex(requestFixture));
  });

  it.each([
    [requestFixture.subarray(0, 31), 'TRUNCATED'],
    [concatBytes(requestFixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    [withByte(requestFixture, 0, 0xff), 'U64_OUT_OF_RANGE'],
  ])('rejects malformed requests with a stable code (%#)', (bytes, code) => {
    expect(decodeDayStateRequest(bytes)).toMatchObject({ ok: false, code });
  });
});

describe('day state', () => {
  it('decodes and encodes the annotated fixture', () => {
    expect(fixture).toHaveLength(dayStateLength(2));
    expect(decodeDayState(fixture)).toEqual({ ok: true, value });
    expect(toHex(encodeDayState(value))).toBe(toHex(fixture));
  });

  it('fits a short APDU response with 16 campaigns', () => {
    expect(DAY_STATE_LENGTH_MAX).toBe(254);
    expect(DAY_STATE_LENGTH_MAX + 2).toBeLessThanOrEqual(258);
  });

  it('signs request ‖ body with label day-state, bound to that request', () => {
    const requestBytes = encodeDayStateRequest(request);
    const bytes = signDayState(requestBytes, value, phone.privateKey);
    const expected = { request: requestBytes, phoneKey: phone.publicKey, walletId: 4242 };
    expect(verifyDayState(bytes, expected)).toMatchObject({ ok: true, value: { cashFen: 300 } });
    // Another kiosk's request (other nonce), another key, a tampered count: none verifies.
    const otherRequest = encodeDayStateRequest({ ...request, nonce: new Uint8Array(12) });
    expect(verifyDayState(bytes, { ...expected, request: otherRequest })).toMatchObject({
      ok: false,
      code: 'PHONE_SIGNATURE_INVALID',
    });
    expect(verifyDayState(bytes, { ...expected, phoneKey: screen.publicKey })).toMatchObject({
      ok: false,
      code: 'PHONE_SIGNATURE_INVALID',
    });
    expect(verifyDayState(withByte(bytes, 18, 0x2d), expected)).toMatchObject({
      ok: false,
      code: 'PHONE_SIGNATURE_INVALID',
    });
    // The same body signed under another label is no day state.
    const body = bytes.subarray(0, bytes.length - 64);
    const asChallenge = concatBytes(
      body,
      sign(SignatureLabel.challenge, concatBytes(requestBytes, body), phone.privateKey),
    );
    expect(verifyDayState(asChallenge, expected)).toMatchObject({
      ok: false,
      code: 'PHONE_SIGNATURE_INVALID',
    });
  });

  it('refuses a day state of another wallet or another day, even correctly signed', () => {
    const requestBytes = encodeDayStateRequest(request);
    const expected = { request: requestBytes, phoneKey: phone.publicKey, walletId: 4242 };
    const otherWallet = signDayState(requestBytes, { ...value, walletId: 4243 }, phone.privateKey);
    expect(verifyDayState(otherWallet, expected)).toMatchObject({ ok: false, code: 'CREDENTIAL_MISMATCH' });
    const yesterday = signDayState(
      requestBytes,
      { ...value, dayStart: request.dayStart - 86_400 },
      phone.privateKey,
    );
    expect(verifyDayState(yesterday, expected)).toMatchObject({ ok: false, code: 'TOKEN_INCONSISTENT' });
  });

  it.each([
    [fixture.subarray(0, 93), 'TRUNCATED'],
    [fixture.subarray(0, fixture.length - 1), 'TRUNCATED'],
    [concatBytes(fixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    [withByte(fixture, 0, 2), 'BAD_VERSION'],
    [withByte(fixture, 1, 0x80), 'U64_OUT_OF_RANGE'],
    [withByte(fixture, 20, 0x05), 'RESERVED_FLAGS'],
    [withByte(fixture, 29, 17), 'BATCH_TOO_LARGE'],
    [withByte(fixture, 43, 0x0c), 'TOKEN_INCONSISTENT'], // campaign 12 listed twice
    [withByte(fixture, 14, 0x00), 'TOKEN_INCONSISTENT'], // no cash, yet 300 fen
    [withByte(fixture, 19, 0x04), 'TOKEN_INCONSISTENT'], // 4 screens with cash, 3 packets
    [withByte(fixture, 38, 0x09), 'TOKEN_INCONSISTENT'], // campaigns list more cash than the day
    [concatBytes(fixture.subarray(0, 21), new Uint8Array(4), fixture.subarray(25)), 'TOKEN_INCONSISTENT'],
  ])('rejects malformed day states with a stable code (%#)', (bytes, code) => {
    expect(decodeDayState(bytes)).toMatchObject({ ok: false, code });
  });

  it('round-trips generated day states', () => {
    const u32 = fc.integer({ min: 1, max: 0xffffffff });
    const state = fc
      .record({
        walletId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        dayStart: u32,
        campaigns: fc.uniqueArray(
          fc.record({
            campaignId: u32,
            advertiserId: u32,
            cash: fc.integer({ min: 0, max: 255 }),
            coupons: fc.integer({ min: 0, max: 255 }),
          }),
          { maxLength: 16, selector: (campaign) => campaign.campaignId },
        ),
        extraCash: fc.integer({ min: 0, max: 1000 }),
        perPacketFen: fc.integer({ min: 1, max: 1000 }),
        flags: fc.integer({ min: 0, max: 3 }),
        lastTapTs: u32,
        lastCityKey: fc.integer({ min: 0, max: 0xffffffff }),
        signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      })
      .map(({ extraCash, perPacketFen, ...rest }): DayState => {
        const cashCount = rest.campaigns.reduce((sum, campaign) => sum + campaign.cash, 0) + extraCash;
        const hasCash = cashCount > 0;
        return {
          version: 1,
          ...rest,
          cashCount,
          cashFen: cashCount * perPacketFen,
          screensWithCash: hasCash ? 1 : 0,
          flags: hasCash ? rest.flags : rest.flags & DayStateFlag.campaignsTruncated,
        };
      });
    fc.assert(
      fc.property(state, (generated) => {
        expect(decodeDayState(encodeDayState(generated))).toEqual({ ok: true, value: generated });
      }),
    );
  });

  it('answers 50,000 random and mutated buffers with a value or a known code, never a throw', () => {
    const known = new Set<string>(errorCodes);
    const mutated = fc
      .record({
        writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        cut: fc.option(fc.nat({ max: fixture.length })),
        extra: fc.uint8Array({ maxLength: 12 }),
      })
      .map(({ writes, cut, extra }) => {
        const out = fixture.slice();
        for (const [at, byte] of writes) out[at % out.length] = byte;
        return concatBytes(cut === null ? out : out.subarray(0, cut), extra);
      });
    let rejected = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (input) => {
        for (const result of [
          decodeDayState(input),
          decodeDayStateRequest(input),
          decodeReceiptExtra(input),
        ]) {
          if (result.ok) continue;
          rejected++;
          if (!known.has(result.code)) throw new Error(`unknown code ${result.code}`);
        }
      }),
      { numRuns: 50_000 },
    );
    expect(rejected).toBeGreaterThan(0);
  }, 120_000);
});

describe('receipt extra', () => {
  it('is u32 advertiserId ‖ u32 cityKey', () => {
    const bytes = Uint8Array.of(0, 0, 0, 0x07, 0xca, 0xfe, 0xba, 0xbe); // advertiser 7, city 0xCAFEBABE
    expect(decodeReceiptExtra(bytes)).toEqual({ ok: true, value: { advertiserId: 7, cityKey: 0xcafe_babe } });
    expect(toHex(encodeReceiptExtra({ advertiserId: 7, cityKey: 0xcafe_babe }))).toBe(toHex(bytes));
    expect(decodeReceiptExtra(bytes.subarray(0, 7))).toMatchObject({ ok: false, code: 'TRUNCATED' });
    expect(decodeReceiptExtra(concatBytes(bytes, bytes))).toMatchObject({ ok: false, code: 'BAD_LENGTH' });
  });
});
