// Tap token, 196 bytes (docs/protocol.md §3.3): the kiosk's signed record of one tap.
// (screenId, counter) is its permanent identity.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';
import { CHALLENGE_LENGTH, readChallenge, writeChallenge, type Challenge } from './challenge.ts';

export const TAP_TOKEN_VERSION = 1;
export const TAP_TOKEN_LENGTH = 196;
/** Bytes 0..131 are covered by the screen signature. */
export const TAP_TOKEN_SIGNED_LENGTH = 132;
import { ENVELOPE_INDEX_NONE } from './envelope-index.ts';
export { ENVELOPE_INDEX_NONE };
/** Offset of the challenge inside a token; the challenge is bytes 1..36. */
export const TOKEN_CHALLENGE_OFFSET = 1;
const COUNTER_OFFSET = 9;

export const TapFlag = {
  /** The phone said it was online in its HELLO, so it will likely redeem the receipt itself too. */
  phoneOnline: 0b0000_0001,
  /** The kiosk's local cap withheld cash; the tap carries a coupon or nothing. */
  localCap: 0b0000_0010,
  /** The kiosk had no usable deck for the campaign. */
  noDeck: 0b0000_0100,
} as const;
const TAP_FLAGS_KNOWN = TapFlag.phoneOnline | TapFlag.localCap | TapFlag.noDeck;

export interface TapToken extends Challenge {
  version: number;
  walletId: number;
  credentialSerial: number;
  phoneSignature: Uint8Array;
  deckId: number;
  envelopeIndex: number;
  amountFen: number;
  couponOfferId: number;
  flags: number;
  screenSignature: Uint8Array;
}

export type UnsignedTapToken = Omit<TapToken, 'version' | 'screenSignature'>;

function writeSignedPart(writer: ByteWriter, token: UnsignedTapToken): void {
  writer.u8(TAP_TOKEN_VERSION);
  writeChallenge(writer, token)
    .u64(token.walletId)
    .u32(token.credentialSerial)
    .raw(token.phoneSignature, SIGNATURE_LENGTH)
    .u64(token.deckId)
    .u16(token.envelopeIndex)
    .u32(token.amountFen)
    .u32(token.couponOfferId)
    .u8(token.flags);
}

export function encodeTapToken(token: TapToken): Uint8Array {
  const writer = new ByteWriter(TAP_TOKEN_LENGTH);
  writeSignedPart(writer, token);
  return writer.raw(token.screenSignature, SIGNATURE_LENGTH).finish();
}

/** Builds and signs a token; returns both the bytes (what is stored and sent) and the value. */
export function signTapToken(
  token: UnsignedTapToken,
  screenKey: KeyObject,
): { bytes: Uint8Array; token: TapToken } {
  const writer = new ByteWriter(TAP_TOKEN_LENGTH);
  writeSignedPart(writer, token);
  const signature = sign(SignatureLabel.tap, writer.bytes.subarray(0, TAP_TOKEN_SIGNED_LENGTH), screenKey);
  const bytes = writer.raw(signature, SIGNATURE_LENGTH).finish();
  return { bytes, token: { version: TAP_TOKEN_VERSION, ...token, screenSignature: signature } };
}

export function verifyTapTokenSignature(tokenBytes: Uint8Array, screenPublicKey: KeyObject): boolean {
  if (tokenBytes.length !== TAP_TOKEN_LENGTH) return false;
  return verify(
    SignatureLabel.tap,
    tokenBytes.subarray(0, TAP_TOKEN_SIGNED_LENGTH),
    tokenBytes.subarray(TAP_TOKEN_SIGNED_LENGTH),
    screenPublicKey,
  );
}

/** The challenge the phone signed, exactly as it sits in the token. */
export function tokenChallengeBytes(tokenBytes: Uint8Array): Uint8Array {
  return tokenBytes.subarray(TOKEN_CHALLENGE_OFFSET, TOKEN_CHALLENGE_OFFSET + CHALLENGE_LENGTH);
}

/**
 * Reads just the identity of a token-sized buffer, without validating the rest, so even a token that
 * fails to decode can be acknowledged by its counter.
 */
export function peekTokenCounter(tokenBytes: Uint8Array): number | null {
  if (tokenBytes.length < COUNTER_OFFSET + 4) return null;
  return new DataView(tokenBytes.buffer, tokenBytes.byteOffset, tokenBytes.byteLength).getUint32(
    COUNTER_OFFSET,
  );
}

export function decodeTapToken(bytes: Uint8Array): Result<TapToken> {
  if (bytes.length < TAP_TOKEN_LENGTH)
    return fail(ErrorCode.TRUNCATED, 'tap token is shorter than 196 bytes');
  if (bytes.length > TAP_TOKEN_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, 'tap token is longer than 196 bytes');
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== TAP_TOKEN_VERSION) return fail(ErrorCode.BAD_VERSION, `tap token version ${version}`);
  const challenge = readChallenge(reader);
  const walletId = reader.u64();
  const credentialSerial = reader.u32();
  const phoneSignature = reader.raw(SIGNATURE_LENGTH);
  const deckId = reader.u64();
  const envelopeIndex = reader.u16();
  const amountFen = reader.u32();
  const couponOfferId = reader.u32();
  const flags = reader.u8();
  const screenSignature = reader.raw(SIGNATURE_LENGTH);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  if ((flags & ~TAP_FLAGS_KNOWN) !== 0) return fail(ErrorCode.RESERVED_FLAGS, 'token sets reserved flags');
  if (challenge.counter === 0) return fail(ErrorCode.TOKEN_INCONSISTENT, 'counter starts at 1');
  if (envelopeIndex === ENVELOPE_INDEX_NONE && (deckId !== 0 || amountFen !== 0))
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'a token without an envelope carries no deck and no cash');
  if (envelopeIndex !== ENVELOPE_INDEX_NONE && deckId === 0)
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'an envelope needs a deck');
  return ok({
    version,
    ...challenge,
    walletId,
    credentialSerial,
    phoneSignature,
    deckId,
    envelopeIndex,
    amountFen,
    couponOfferId,
    flags,
    screenSignature,
  });
}
