// Envelope deck, cloud → screen (docs/protocol.md §3.4): a signed, pre-shuffled list of envelopes. From
// version 2 the last `fallbackCount` envelopes are the deck's fallback-coupon allotment: the only
// fallback coupons the screen may award, drawn in order by a cursor of their own.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { assert, ErrorCode, fail, ok, type Result } from '../errors.ts';

/** Version 1: no allotment. Version 2 adds `u16 fallbackCount` after `count`. */
export const DECK_VERSION_V1 = 1;
export const DECK_VERSION = 2;
const HEADER_LENGTH_V1 = 1 + 8 + 4 + 8 + 4 + 4 + 2;
const HEADER_LENGTH_V2 = HEADER_LENGTH_V1 + 2;
const ENVELOPE_LENGTH = 8;
const TRAILER_LENGTH = 1 + SIGNATURE_LENGTH;
/** 0xFFFF is reserved as "no envelope" in tap tokens, so a deck holds at most 65,535 envelopes. */
export const DECK_ENVELOPES_MAX = 0xffff;

export interface Envelope {
  amountFen: number;
  couponOfferId: number;
}

export interface Deck {
  version: number;
  deckId: number;
  campaignId: number;
  screenId: number;
  validFrom: number;
  validUntil: number;
  /** Every envelope; the last `fallbackCount` are the allotment, each `(0, fallbackCouponOfferId)`. */
  envelopes: Envelope[];
  /** 0 in a version 1 deck. */
  fallbackCount: number;
  issuerKeyId: number;
  issuerSignature: Uint8Array;
}

/** What the cloud signs; a deck without an allotment goes out as version 1, which every kiosk reads. */
export type UnsignedDeck = Omit<Deck, 'version' | 'issuerSignature' | 'fallbackCount'> & {
  fallbackCount?: number;
};

/** Offset of envelope 0: 31 in a version 1 deck, 33 in a version 2 deck. */
export function deckEnvelopesOffset(version: number): number {
  return version === DECK_VERSION_V1 ? HEADER_LENGTH_V1 : HEADER_LENGTH_V2;
}

export function deckLength(count: number, version: number = DECK_VERSION_V1): number {
  return deckEnvelopesOffset(version) + count * ENVELOPE_LENGTH + TRAILER_LENGTH;
}

/** The first envelope of the allotment; envelopes below it are drawn by the deck's main cursor. */
export function allotmentStart(deck: Pick<Deck, 'envelopes' | 'fallbackCount'>): number {
  return deck.envelopes.length - deck.fallbackCount;
}

function versionOf(deck: { fallbackCount?: number }): number {
  return (deck.fallbackCount ?? 0) > 0 ? DECK_VERSION : DECK_VERSION_V1;
}

function writeSignedPart(writer: ByteWriter, deck: UnsignedDeck, version: number): void {
  const fallbackCount = deck.fallbackCount ?? 0;
  assert(version === DECK_VERSION || fallbackCount === 0, 'a version 1 deck has no allotment');
  assert(fallbackCount <= deck.envelopes.length, 'the allotment is part of the envelopes');
  writer
    .u8(version)
    .u64(deck.deckId)
    .u32(deck.campaignId)
    .u64(deck.screenId)
    .u32(deck.validFrom)
    .u32(deck.validUntil)
    .u16(deck.envelopes.length);
  if (version === DECK_VERSION) writer.u16(fallbackCount);
  for (const envelope of deck.envelopes) writer.u32(envelope.amountFen).u32(envelope.couponOfferId);
  writer.u8(deck.issuerKeyId);
}

export function encodeDeck(deck: Deck): Uint8Array {
  const writer = new ByteWriter(deckLength(deck.envelopes.length, deck.version));
  writeSignedPart(writer, deck, deck.version);
  return writer.raw(deck.issuerSignature, SIGNATURE_LENGTH).finish();
}

export function signDeck(deck: UnsignedDeck, issuerKey: KeyObject): { bytes: Uint8Array; deck: Deck } {
  const version = versionOf(deck);
  const length = deckLength(deck.envelopes.length, version);
  const writer = new ByteWriter(length);
  writeSignedPart(writer, deck, version);
  const signature = sign(SignatureLabel.deck, writer.bytes.subarray(0, length - SIGNATURE_LENGTH), issuerKey);
  const bytes = writer.raw(signature, SIGNATURE_LENGTH).finish();
  return {
    bytes,
    deck: { version, ...deck, fallbackCount: deck.fallbackCount ?? 0, issuerSignature: signature },
  };
}

export function verifyDeckSignature(deckBytes: Uint8Array, issuerPublicKey: KeyObject): boolean {
  if (deckBytes.length < deckLength(0)) return false;
  const signedLength = deckBytes.length - SIGNATURE_LENGTH;
  return verify(
    SignatureLabel.deck,
    deckBytes.subarray(0, signedLength),
    deckBytes.subarray(signedLength),
    issuerPublicKey,
  );
}

export function decodeDeck(bytes: Uint8Array): Result<Deck> {
  if (bytes.length < 1) return fail(ErrorCode.TRUNCATED, 'deck header is truncated');
  const version = bytes[0] ?? 0;
  if (version !== DECK_VERSION_V1 && version !== DECK_VERSION)
    return fail(ErrorCode.BAD_VERSION, `deck version ${version}`);
  if (bytes.length < deckEnvelopesOffset(version))
    return fail(ErrorCode.TRUNCATED, 'deck header is truncated');
  const reader = new ByteReader(bytes);
  reader.u8();
  const deckId = reader.u64();
  const campaignId = reader.u32();
  const screenId = reader.u64();
  const validFrom = reader.u32();
  const validUntil = reader.u32();
  const count = reader.u16();
  const fallbackCount = version === DECK_VERSION ? reader.u16() : 0;
  const expected = deckLength(count, version);
  if (bytes.length < expected) return fail(ErrorCode.TRUNCATED, `deck of ${count} needs ${expected} bytes`);
  if (bytes.length > expected) return fail(ErrorCode.BAD_LENGTH, `deck of ${count} is ${expected} bytes`);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  if (count === 0) return fail(ErrorCode.DECK_EMPTY, 'a deck holds at least one envelope');
  if (validUntil < validFrom) return fail(ErrorCode.TOKEN_INCONSISTENT, 'deck validUntil precedes validFrom');
  if (fallbackCount > count) return fail(ErrorCode.TOKEN_INCONSISTENT, 'the allotment exceeds the deck');
  const envelopes: Envelope[] = new Array<Envelope>(count);
  for (let i = 0; i < count; i++) envelopes[i] = { amountFen: reader.u32(), couponOfferId: reader.u32() };
  // An allotment slot is a coupon and nothing else, all of one offer.
  const allotment = envelopes.slice(count - fallbackCount);
  const offerId = allotment[0]?.couponOfferId ?? 0;
  if (
    allotment.some(
      (slot) => slot.amountFen !== 0 || slot.couponOfferId === 0 || slot.couponOfferId !== offerId,
    )
  )
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'an allotment slot is one coupon of the fallback offer');
  const issuerKeyId = reader.u8();
  const issuerSignature = reader.raw(SIGNATURE_LENGTH);
  return ok({
    version,
    deckId,
    campaignId,
    screenId,
    validFrom,
    validUntil,
    envelopes,
    fallbackCount,
    issuerKeyId,
    issuerSignature,
  });
}
