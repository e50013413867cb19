import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { sampleHex, sampleValues, testKeys } from '../test-vectors.ts';
import {
  allotmentStart,
  decodeDeck,
  deckLength,
  encodeDeck,
  signDeck,
  verifyDeckSignature,
  type Deck,
} from './deck.ts';

const { issuer, screen } = testKeys();
const signature = new Uint8Array(64).fill(0x5a);

// docs/protocol.md §3.4, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x01), // u8 version = 1
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0x84), // u64 deckId = 900
  Uint8Array.of(0, 0, 0, 0x0c), // u32 campaignId = 12
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0x6a, 0xfd, 0x5f, 0xb0), // u32 validFrom = 1794990000
  Uint8Array.of(0x6a, 0xfe, 0xb1, 0x30), // u32 validUntil = 1795076400
  Uint8Array.of(0, 0x02), // u16 count = 2
  Uint8Array.of(0, 0, 0, 0x78, 0, 0, 0, 0), // envelope 0: 120 fen, no coupon
  Uint8Array.of(0, 0, 0, 0x23, 0, 0, 0, 0x05), // envelope 1: 35 fen, coupon offer 5
  Uint8Array.of(0x01), // u8 issuerKeyId = 1
  signature, // 64 B issuerSignature over everything before it
);

const value: Deck = {
  version: 1,
  deckId: 900,
  campaignId: 12,
  screenId: 1001,
  validFrom: 1_794_990_000,
  validUntil: 1_795_076_400,
  envelopes: [
    { amountFen: 120, couponOfferId: 0 },
    { amountFen: 35, couponOfferId: 5 },
  ],
  fallbackCount: 0,
  issuerKeyId: 1,
  issuerSignature: signature,
};

// Version 2 (docs/protocol.md §3.4): the same deck with an allotment of two fallback coupons of offer 7.
const fixtureV2 = concatBytes(
  Uint8Array.of(0x02), // u8 version = 2
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0x84), // u64 deckId = 900
  Uint8Array.of(0, 0, 0, 0x0c), // u32 campaignId = 12
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0x6a, 0xfd, 0x5f, 0xb0), // u32 validFrom = 1794990000
  Uint8Array.of(0x6a, 0xfe, 0xb1, 0x30), // u32 validUntil = 1795076400
  Uint8Array.of(0, 0x04), // u16 count = 4
  Uint8Array.of(0, 0x02), // u16 fallbackCount = 2: envelopes 2 and 3 are the allotment
  Uint8Array.of(0, 0, 0, 0x78, 0, 0, 0, 0), // envelope 0: 120 fen, no coupon
  Uint8Array.of(0, 0, 0, 0x23, 0, 0, 0, 0x05), // envelope 1: 35 fen, coupon offer 5
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x07), // envelope 2, allotment slot 0: coupon offer 7
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x07), // envelope 3, allotment slot 1: coupon offer 7
  Uint8Array.of(0x01), // u8 issuerKeyId = 1
  signature, // 64 B issuerSignature over everything before it
);

const valueV2: Deck = {
  ...value,
  version: 2,
  envelopes: [...value.envelopes, { amountFen: 0, couponOfferId: 7 }, { amountFen: 0, couponOfferId: 7 }],
  fallbackCount: 2,
};

function withByte(bytes: Uint8Array, index: number, byte: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = byte;
  return copy;
}

describe('envelope deck', () => {
  it('decodes and encodes the annotated fixture', () => {
    expect(fixture).toHaveLength(deckLength(2));
    expect(decodeDeck(fixture)).toEqual({ ok: true, value });
    expect(toHex(encodeDeck(value))).toBe(toHex(fixture));
  });

  it('decodes and encodes the annotated version 2 fixture', () => {
    expect(fixtureV2).toHaveLength(deckLength(4, 2));
    expect(decodeDeck(fixtureV2)).toEqual({ ok: true, value: valueV2 });
    expect(toHex(encodeDeck(valueV2))).toBe(toHex(fixtureV2));
    expect(allotmentStart(valueV2)).toBe(2);
  });

  it('signs version 1 without an allotment and version 2 with one', () => {
    const plain = signDeck({ ...value, envelopes: value.envelopes }, issuer.privateKey);
    expect(plain.bytes[0]).toBe(1);
    expect(plain.bytes).toHaveLength(deckLength(2, 1));
    const allotted = signDeck({ ...valueV2 }, issuer.privateKey);
    expect(allotted.bytes[0]).toBe(2);
    expect(decodeDeck(allotted.bytes)).toMatchObject({ ok: true, value: { fallbackCount: 2 } });
    expect(verifyDeckSignature(allotted.bytes, issuer.publicKey)).toBe(true);
    // The allotment is signed: moving its boundary breaks the signature.
    expect(verifyDeckSignature(withByte(allotted.bytes, 32, 1), issuer.publicKey)).toBe(false);
  });

  it.each([
    ['an allotment larger than the deck', withByte(fixtureV2, 32, 5)],
    ['an allotment slot with cash', withByte(fixtureV2, 52, 1)],
    ['an allotment slot without a coupon', withByte(fixtureV2, 56, 0)],
    ['allotment slots of two offers', withByte(fixtureV2, 56, 8)],
  ])('rejects a version 2 deck with %s', (_name, bytes) => {
    expect(decodeDeck(bytes)).toMatchObject({ ok: false, code: 'TOKEN_INCONSISTENT' });
  });

  it('decodes and verifies the docs sample', () => {
    const bytes = fromHex(sampleHex.deck) ?? new Uint8Array();
    const decoded = decodeDeck(bytes);
    expect(decoded.ok && decoded.value.deckId).toBe(sampleValues.deckId);
    expect(decoded.ok && decoded.value.envelopes.map((e) => e.amountFen)).toEqual([120, 35, 200, 88]);
    expect(verifyDeckSignature(bytes, issuer.publicKey)).toBe(true);
    expect(verifyDeckSignature(bytes, screen.publicKey)).toBe(false);
  });

  it('signs everything before the signature; a changed amount breaks it', () => {
    const { bytes } = signDeck(
      { ...value, envelopes: [{ amountFen: 1, couponOfferId: 0 }] },
      issuer.privateKey,
    );
    expect(verifyDeckSignature(bytes, issuer.publicKey)).toBe(true);
    expect(verifyDeckSignature(withByte(bytes, 34, 2), issuer.publicKey)).toBe(false);
  });

  it.each([
    ['truncated header', fixture.subarray(0, 20), 'TRUNCATED'],
    ['truncated envelopes', fixture.subarray(0, fixture.length - 1), 'TRUNCATED'],
    ['trailing byte', concatBytes(fixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    ['version 0', withByte(fixture, 0, 0), 'BAD_VERSION'],
    ['version 3', withByte(fixture, 0, 3), 'BAD_VERSION'],
    ['version 2 framing of a version 1 deck', withByte(fixture, 0, 2), 'TRUNCATED'],
    ['deckId ≥ 2^53', withByte(fixture, 1, 0xff), 'U64_OUT_OF_RANGE'],
    [
      'empty',
      concatBytes(fixture.subarray(0, 29), Uint8Array.of(0, 0), fixture.subarray(fixture.length - 65)),
      'DECK_EMPTY',
    ],
    ['validUntil before validFrom', withByte(fixture, 25, 0x00), 'TOKEN_INCONSISTENT'],
  ])('rejects a deck with %s', (_name, bytes, code) => {
    expect(decodeDeck(bytes)).toMatchObject({ ok: false, code });
  });
});
