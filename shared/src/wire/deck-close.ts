// Early deck close, screen → cloud (docs/protocol.md §3.6): the screen signs how many envelopes it
// used, so the cloud can return the rest of the escrow before validUntil.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';

export const DECK_CLOSE_VERSION = 1;
export const DECK_CLOSE_LENGTH = 1 + 8 + 8 + 2 + 4 + SIGNATURE_LENGTH;
const SIGNED_LENGTH = DECK_CLOSE_LENGTH - SIGNATURE_LENGTH;

export interface DeckClose {
  version: number;
  deckId: number;
  screenId: number;
  /** Envelopes 0..usedCount-1 may have been used; the rest will never be. */
  usedCount: number;
  ts: number;
  screenSignature: Uint8Array;
}

export function signDeckClose(
  close: Omit<DeckClose, 'version' | 'screenSignature'>,
  screenKey: KeyObject,
): Uint8Array {
  const writer = new ByteWriter(DECK_CLOSE_LENGTH)
    .u8(DECK_CLOSE_VERSION)
    .u64(close.deckId)
    .u64(close.screenId)
    .u16(close.usedCount)
    .u32(close.ts);
  const signature = sign(SignatureLabel.deckClose, writer.bytes.subarray(0, SIGNED_LENGTH), screenKey);
  return writer.raw(signature, SIGNATURE_LENGTH).finish();
}

export function verifyDeckCloseSignature(bytes: Uint8Array, screenPublicKey: KeyObject): boolean {
  if (bytes.length !== DECK_CLOSE_LENGTH) return false;
  return verify(
    SignatureLabel.deckClose,
    bytes.subarray(0, SIGNED_LENGTH),
    bytes.subarray(SIGNED_LENGTH),
    screenPublicKey,
  );
}

export function decodeDeckClose(bytes: Uint8Array): Result<DeckClose> {
  if (bytes.length < DECK_CLOSE_LENGTH) return fail(ErrorCode.TRUNCATED, 'deck close is truncated');
  if (bytes.length > DECK_CLOSE_LENGTH) return fail(ErrorCode.BAD_LENGTH, 'deck close is too long');
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== DECK_CLOSE_VERSION) return fail(ErrorCode.BAD_VERSION, `deck close version ${version}`);
  const deckId = reader.u64();
  const screenId = reader.u64();
  const usedCount = reader.u16();
  const ts = reader.u32();
  const screenSignature = reader.raw(SIGNATURE_LENGTH);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  return ok({ version, deckId, screenId, usedCount, ts, screenSignature });
}
