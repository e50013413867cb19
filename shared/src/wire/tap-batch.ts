// Tap batch, screen → cloud over MQTT (docs/protocol.md §3.5): version, count, count × token.
// The batch decoder checks only the framing; each token is decoded and judged on its own, so one
// bad token is rejected by its counter without losing its neighbours.
import { ByteReader, ByteWriter } from '../bytes.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';
import { TAP_TOKEN_LENGTH } from './tap-token.ts';

export const TAP_BATCH_VERSION = 1;
export const TAP_BATCH_SIZE_MAX = 500;
const HEADER_LENGTH = 3;
export const TAP_BATCH_BYTES_MAX = HEADER_LENGTH + TAP_BATCH_SIZE_MAX * TAP_TOKEN_LENGTH;

export function encodeTapBatch(tokens: readonly Uint8Array[]): Uint8Array {
  const writer = new ByteWriter(HEADER_LENGTH + tokens.length * TAP_TOKEN_LENGTH);
  writer.u8(TAP_BATCH_VERSION).u16(tokens.length);
  for (const token of tokens) writer.raw(token, TAP_TOKEN_LENGTH);
  return writer.finish();
}

export function decodeTapBatch(bytes: Uint8Array): Result<Uint8Array[]> {
  if (bytes.length < HEADER_LENGTH) return fail(ErrorCode.TRUNCATED, 'tap batch header is truncated');
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== TAP_BATCH_VERSION) return fail(ErrorCode.BAD_VERSION, `tap batch version ${version}`);
  const count = reader.u16();
  if (count === 0) return fail(ErrorCode.BATCH_EMPTY, 'a tap batch holds at least one token');
  if (count > TAP_BATCH_SIZE_MAX)
    return fail(ErrorCode.BATCH_TOO_LARGE, `at most ${TAP_BATCH_SIZE_MAX} tokens`);
  const expected = HEADER_LENGTH + count * TAP_TOKEN_LENGTH;
  if (bytes.length < expected) return fail(ErrorCode.TRUNCATED, `batch of ${count} needs ${expected} bytes`);
  if (bytes.length > expected) return fail(ErrorCode.BAD_LENGTH, `batch of ${count} is ${expected} bytes`);
  const tokens: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) tokens[i] = reader.raw(TAP_TOKEN_LENGTH);
  return ok(tokens);
}
