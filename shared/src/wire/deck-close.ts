// Early deck close, screen → cloud (docs/protocol.md §3.6): the screen signs how many envelopes it
// used, so the cloud can return the rest of the escrow before validUntil. Version 2 also counts the
// allotment slots (§3.4) its fallback cursor used.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';

export const DECK_CLOSE_VERSION_V1 = 1;
export const DECK_CLOSE_VERSION = 2;
export const DECK_CLOSE_LENGTH_V1 = 1 + 8 + 8 + 2 + 4 + SIGNATURE_LENGTH;
export const DECK_CLOSE_LENGTH = DECK_CLOSE_LENGTH_V1 + 2;

export interface DeckClose {
  version: number;
  deckId: number;
  screenId: number;
  /** Envelopes 0..usedCount-1 may have been used; the rest below the allotment never will be. */
  usedCount: number;
  /** Allotment slots 0..fallbackUsedCount-1 may have been used; 0 in a version 1 report. */
  fallbackUsedCount: number;
  ts: number;
  screenSignature: Uint8Array;
}

function lengthOf(version: number): number {
  return version === DECK_CLOSE_VERSION_V1 ? DECK_CLOSE_LENGTH_V1 : DECK_CLOSE_LENGTH;
}

/** Signs a version 2 report; `version: 1` signs the old 87-byte form (its fallbackUsedCount must be 0). */
export function signDeckClose(
  close: Omit<DeckClose, 'version' | 'screenSignature' | 'fallbackUsedCount'> & {
    fallbackUsedCount?: number;
    version?: number;
  },
  screenKey: KeyObject,
): Uint8Array {
  const version = close.version ?? DECK_CLOSE_VERSION;
  const fallbackUsedCount = close.fallbackUsedCount ?? 0;
  const length = lengthOf(version);
  const writer = new ByteWriter(length)
    .u8(version)
    .u64(close.deckId)
    .u64(close.screenId)
    .u16(close.usedCount);
  if (version === DECK_CLOSE_VERSION) writer.u16(fallbackUsedCount);
  else if (fallbackUsedCount !== 0) throw new Error('a version 1 close report counts no allotment');
  writer.u32(close.ts);
  const signature = sign(
    SignatureLabel.deckClose,
    writer.bytes.subarray(0, length - SIGNATURE_LENGTH),
    screenKey,
  );
  return writer.raw(signature, SIGNATURE_LENGTH).finish();
}

export function verifyDeckCloseSignature(bytes: Uint8Array, screenPublicKey: KeyObject): boolean {
  if (bytes.length !== DECK_CLOSE_LENGTH && bytes.length !== DECK_CLOSE_LENGTH_V1) return false;
  const signedLength = bytes.length - SIGNATURE_LENGTH;
  return verify(
    SignatureLabel.deckClose,
    bytes.subarray(0, signedLength),
    bytes.subarray(signedLength),
    screenPublicKey,
  );
}

export function decodeDeckClose(bytes: Uint8Array): Result<DeckClose> {
  if (bytes.length < 1) return fail(ErrorCode.TRUNCATED, 'deck close is truncated');
  const version = bytes[0] ?? 0;
  if (version !== DECK_CLOSE_VERSION_V1 && version !== DECK_CLOSE_VERSION)
    return fail(ErrorCode.BAD_VERSION, `deck close version ${version}`);
  const length = lengthOf(version);
  if (bytes.length < length) return fail(ErrorCode.TRUNCATED, 'deck close is truncated');
  if (bytes.length > length) return fail(ErrorCode.BAD_LENGTH, 'deck close is too long');
  const reader = new ByteReader(bytes);
  reader.u8();
  const deckId = reader.u64();
  const screenId = reader.u64();
  const usedCount = reader.u16();
  const fallbackUsedCount = version === DECK_CLOSE_VERSION ? reader.u16() : 0;
  const ts = reader.u32();
  const screenSignature = reader.raw(SIGNATURE_LENGTH);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  return ok({ version, deckId, screenId, usedCount, fallbackUsedCount, ts, screenSignature });
}
