// encode ↔ decode round trips over generated values of every format.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testKeys } from '../test-vectors.ts';
import { decodeChallenge, encodeChallenge } from './challenge.ts';
import { decodeCredential, encodeCredential } from './credential.ts';
import { decodeDeck, encodeDeck } from './deck.ts';
import { decodeDeckClose, signDeckClose, verifyDeckCloseSignature } from './deck-close.ts';
import { decodeHello, encodeHello } from './hello.ts';
import { decodeTapBatch, encodeTapBatch } from './tap-batch.ts';
import { decodeTapToken, encodeTapToken, ENVELOPE_INDEX_NONE, type TapToken } from './tap-token.ts';
import { decodeCommandApdu, encodeCommandApdu } from './apdu.ts';

const { phone, screen } = testKeys();
const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const u8 = fc.integer({ min: 0, max: 0xff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

const credential = fc.record({
  version: fc.constant(1),
  walletId: id,
  credentialSerial: u32,
  phonePublicKey: fc.constant(phone.publicKeyRaw),
  expiresAt: u32,
  issuerKeyId: u8,
  issuerSignature: bytes(64),
});

const challenge = fc.record({
  screenId: id,
  counter: fc.integer({ min: 1, max: 0xffffffff }),
  ts: u32,
  nonce: bytes(16),
  campaignId: u32,
});

const tapToken: fc.Arbitrary<TapToken> = fc
  .record({
    challenge,
    walletId: id,
    credentialSerial: u32,
    phoneSignature: bytes(64),
    envelope: fc.option(
      fc.record({ deckId: id, envelopeIndex: fc.integer({ min: 0, max: 0xfffe }), amountFen: u32 }),
    ),
    couponOfferId: u32,
    flags: fc.integer({ min: 0, max: 7 }),
    screenSignature: bytes(64),
  })
  .map(({ challenge: c, envelope, ...rest }) => ({
    version: 1,
    ...c,
    ...rest,
    ...(envelope ?? { deckId: 0, envelopeIndex: ENVELOPE_INDEX_NONE, amountFen: 0 }),
  }));

describe('round trips', () => {
  it('credential', () => {
    fc.assert(
      fc.property(credential, (value) => {
        expect(decodeCredential(encodeCredential(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('HELLO', () => {
    fc.assert(
      fc.property(credential, fc.integer({ min: 0, max: 1 }), (value, flags) => {
        const decoded = decodeHello(encodeHello({ flags, credential: value }));
        expect(decoded.ok && decoded.value.credential).toEqual(value);
        expect(decoded.ok && decoded.value.flags).toBe(flags);
      }),
    );
  });

  it('challenge', () => {
    fc.assert(
      fc.property(challenge, (value) => {
        expect(decodeChallenge(encodeChallenge(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('tap token', () => {
    fc.assert(
      fc.property(tapToken, (value) => {
        expect(decodeTapToken(encodeTapToken(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('tap batch', () => {
    fc.assert(
      fc.property(fc.array(tapToken, { minLength: 1, maxLength: 20 }), (tokens) => {
        const encoded = tokens.map(encodeTapToken);
        expect(decodeTapBatch(encodeTapBatch(encoded))).toEqual({ ok: true, value: encoded });
      }),
      { numRuns: 50 },
    );
  });

  it('deck', () => {
    const deck = fc
      .record({
        deckId: id,
        campaignId: u32,
        screenId: id,
        validFrom: u32,
        span: u32,
        envelopes: fc.array(fc.record({ amountFen: u32, couponOfferId: u32 }), {
          minLength: 1,
          maxLength: 300,
        }),
        issuerKeyId: u8,
        issuerSignature: bytes(64),
      })
      .map(({ span, ...rest }) => ({
        version: 1,
        ...rest,
        fallbackCount: 0,
        validUntil: Math.min(0xffffffff, rest.validFrom + span),
      }));
    fc.assert(
      fc.property(deck, (value) => {
        expect(decodeDeck(encodeDeck(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('deck with a fallback-coupon allotment (version 2)', () => {
    const deck = fc
      .record({
        deckId: id,
        campaignId: u32,
        screenId: id,
        validFrom: u32,
        span: u32,
        main: fc.array(fc.record({ amountFen: u32, couponOfferId: u32 }), { maxLength: 200 }),
        fallbackOfferId: fc.integer({ min: 1, max: 0xffffffff }),
        fallbackCount: fc.integer({ min: 0, max: 100 }),
        issuerKeyId: u8,
        issuerSignature: bytes(64),
      })
      .filter(({ main, fallbackCount }) => main.length + fallbackCount > 0)
      .map(({ span, main, fallbackOfferId, fallbackCount, ...rest }) => ({
        version: 2,
        ...rest,
        envelopes: [
          ...main,
          ...Array.from({ length: fallbackCount }, () => ({ amountFen: 0, couponOfferId: fallbackOfferId })),
        ],
        fallbackCount,
        validUntil: Math.min(0xffffffff, rest.validFrom + span),
      }));
    fc.assert(
      fc.property(deck, (value) => {
        expect(decodeDeck(encodeDeck(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('deck close report, both versions', () => {
    const report = fc
      .record({
        version: fc.constantFrom(1, 2),
        deckId: id,
        screenId: id,
        usedCount: fc.integer({ min: 0, max: 0xffff }),
        fallbackUsedCount: fc.integer({ min: 0, max: 0xffff }),
        ts: u32,
      })
      .map((value) => (value.version === 1 ? { ...value, fallbackUsedCount: 0 } : value));
    fc.assert(
      fc.property(report, (value) => {
        const bytes = signDeckClose(value, screen.privateKey);
        expect(decodeDeckClose(bytes)).toMatchObject({ ok: true, value });
        expect(verifyDeckCloseSignature(bytes, screen.publicKey)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('command APDU', () => {
    const command = fc.record({
      cla: u8,
      ins: u8,
      p1: u8,
      p2: u8,
      data: fc.uint8Array({ minLength: 0, maxLength: 255 }),
      le: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(command, ({ le, ...value }) => {
        const apdu = le === undefined ? value : { ...value, le };
        expect(decodeCommandApdu(encodeCommandApdu(apdu))).toEqual({ ok: true, value: apdu });
      }),
    );
  });
});
