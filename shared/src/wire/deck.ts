// Envelope deck, cloud → screen (docs/protocol.md §3.4): a signed, pre-shuffled list of envelopes.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';

export const DECK_VERSION = 1;
const HEADER_LENGTH = 1 + 8 + 4 + 8 + 4 + 4 + 2;
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
  envelopes: Envelope[];
  issuerKeyId: number;
  issuerSignature: Uint8Array;
}

export type UnsignedDeck = Omit<Deck, 'version' | 'issuerSignature'>;

export function deckLength(count: number): number {
  return HEADER_LENGTH + count * ENVELOPE_LENGTH + TRAILER_LENGTH;
}

function writeSignedPart(writer: ByteWriter, deck: UnsignedDeck): void {
  writer
    .u8(DECK_VERSION)
    .u64(deck.deckId)
    .u32(deck.campaignId)
    .u64(deck.screenId)
    .u32(deck.validFrom)
    .u32(deck.validUntil)
    .u16(deck.envelopes.length);
  for (const envelope of deck.envelopes) writer.u32(envelope.amountFen).u32(envelope.couponOfferId);
  writer.u8(deck.issuerKeyId);
}

export function encodeDeck(deck: Deck): Uint8Array {
  const writer = new ByteWriter(deckLength(deck.envelopes.length));
  writeSignedPart(writer, deck);
  return writer.raw(deck.issuerSignature, SIGNATURE_LENGTH).finish();
}

export function signDeck(deck: UnsignedDeck, issuerKey: KeyObject): { bytes: Uint8Array; deck: Deck } {
  const length = deckLength(deck.envelopes.length);
  const writer = new ByteWriter(length);
  writeSignedPart(writer, deck);
  const signature = sign(SignatureLabel.deck, writer.bytes.subarray(0, length - SIGNATURE_LENGTH), issuerKey);
  const bytes = writer.raw(signature, SIGNATURE_LENGTH).finish();
  return { bytes, deck: { version: DECK_VERSION, ...deck, issuerSignature: signature } };
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
  if (bytes.length < HEADER_LENGTH) return fail(ErrorCode.TRUNCATED, 'deck header is truncated');
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== DECK_VERSION) return fail(ErrorCode.BAD_VERSION, `deck version ${version}`);
  const deckId = reader.u64();
  const campaignId = reader.u32();
  const screenId = reader.u64();
  const validFrom = reader.u32();
  const validUntil = reader.u32();
  const count = reader.u16();
  const expected = deckLength(count);
  if (bytes.length < expected) return fail(ErrorCode.TRUNCATED, `deck of ${count} needs ${expected} bytes`);
  if (bytes.length > expected) return fail(ErrorCode.BAD_LENGTH, `deck of ${count} is ${expected} bytes`);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  if (count === 0) return fail(ErrorCode.DECK_EMPTY, 'a deck holds at least one envelope');
  if (validUntil < validFrom) return fail(ErrorCode.TOKEN_INCONSISTENT, 'deck validUntil precedes validFrom');
  const envelopes: Envelope[] = new Array<Envelope>(count);
  for (let i = 0; i < count; i++) envelopes[i] = { amountFen: reader.u32(), couponOfferId: reader.u32() };
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
    issuerKeyId,
    issuerSignature,
  });
}
