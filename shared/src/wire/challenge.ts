// The 36-byte challenge a kiosk asks the phone to sign (docs/protocol.md §3.2).
// The same 36 bytes sit at offset 1 of every tap token, so the cloud rebuilds it without extra data.
import { ByteReader, ByteWriter } from '../bytes.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';

export const CHALLENGE_LENGTH = 36;
export const NONCE_LENGTH = 16;

export interface Challenge {
  screenId: number;
  counter: number;
  ts: number;
  nonce: Uint8Array;
  campaignId: number;
}

export function writeChallenge(writer: ByteWriter, challenge: Challenge): ByteWriter {
  return writer
    .u64(challenge.screenId)
    .u32(challenge.counter)
    .u32(challenge.ts)
    .raw(challenge.nonce, NONCE_LENGTH)
    .u32(challenge.campaignId);
}

export function encodeChallenge(challenge: Challenge): Uint8Array {
  return writeChallenge(new ByteWriter(CHALLENGE_LENGTH), challenge).finish();
}

export function readChallenge(reader: ByteReader): Challenge {
  return {
    screenId: reader.u64(),
    counter: reader.u32(),
    ts: reader.u32(),
    nonce: reader.raw(NONCE_LENGTH),
    campaignId: reader.u32(),
  };
}

export function decodeChallenge(bytes: Uint8Array): Result<Challenge> {
  if (bytes.length < CHALLENGE_LENGTH) return fail(ErrorCode.TRUNCATED, 'challenge is shorter than 36 bytes');
  if (bytes.length > CHALLENGE_LENGTH) return fail(ErrorCode.BAD_LENGTH, 'challenge is longer than 36 bytes');
  const reader = new ByteReader(bytes);
  const challenge = readChallenge(reader);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'screenId exceeds 2^53 - 1');
  return ok(challenge);
}
