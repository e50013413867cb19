// ISO 7816-4 short APDUs for the RedTap application (docs/protocol.md §4). The kiosk's reader is the
// reader and the phone is the card: the kiosk encodes commands and decodes responses, the phone the
// reverse. Both decoders take hostile bytes and never throw.
import { ErrorCode, fail, ok, type Result } from '../errors.ts';
import { CHALLENGE_LENGTH } from './challenge.ts';
import { DAY_STATE_REQUEST_LENGTH, RECEIPT_EXTRA_LENGTH } from './day-state.ts';
import { TAP_TOKEN_LENGTH } from './tap-token.ts';

/** Proprietary AID: F0 followed by ASCII "REDTAP". */
export const REDTAP_AID = Uint8Array.of(0xf0, 0x52, 0x45, 0x44, 0x54, 0x41, 0x50);

export const StatusWord = {
  ok: 0x9000,
  wrongLength: 0x6700,
  conditionsNotSatisfied: 0x6985,
  fileNotFound: 0x6a82,
  wrongP1P2: 0x6b00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const;

export const Ins = {
  select: 0xa4,
  signChallenge: 0x10,
  putReceipt: 0x20,
  getDayState: 0x30,
} as const;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Expected response length; 256 is encoded as 00. Absent when no response data is expected. */
  le?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function encodeCommandApdu(command: CommandApdu): Uint8Array {
  const hasData = command.data.length > 0;
  const hasLe = command.le !== undefined;
  const out = new Uint8Array(4 + (hasData ? 1 + command.data.length : 0) + (hasLe ? 1 : 0));
  out.set([command.cla, command.ins, command.p1, command.p2]);
  let offset = 4;
  if (hasData) {
    out[offset++] = command.data.length;
    out.set(command.data, offset);
    offset += command.data.length;
  }
  if (hasLe) out[offset] = command.le === 256 ? 0 : (command.le ?? 0);
  return out;
}

/** Parses a short APDU in any of the four ISO cases. */
export function decodeCommandApdu(bytes: Uint8Array): Result<CommandApdu> {
  if (bytes.length < 4) return fail(ErrorCode.APDU_MALFORMED, 'an APDU has at least 4 header bytes');
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = bytes;
  const header = { cla, ins, p1, p2 };
  if (bytes.length === 4) return ok({ ...header, data: new Uint8Array(0) });
  const first = bytes[4] ?? 0;
  if (bytes.length === 5) return ok({ ...header, data: new Uint8Array(0), le: first === 0 ? 256 : first });
  if (first === 0) return fail(ErrorCode.APDU_MALFORMED, 'extended APDUs are not supported');
  const dataEnd = 5 + first;
  if (bytes.length === dataEnd) return ok({ ...header, data: bytes.slice(5, dataEnd) });
  if (bytes.length === dataEnd + 1) {
    const le = bytes[dataEnd] ?? 0;
    return ok({ ...header, data: bytes.slice(5, dataEnd), le: le === 0 ? 256 : le });
  }
  return fail(ErrorCode.APDU_MALFORMED, `Lc ${first} does not match ${bytes.length - 5} trailing bytes`);
}

export function encodeResponseApdu(response: ResponseApdu): Uint8Array {
  const out = new Uint8Array(response.data.length + 2);
  out.set(response.data);
  out[response.data.length] = response.sw >> 8;
  out[response.data.length + 1] = response.sw & 0xff;
  return out;
}

export function decodeResponseApdu(bytes: Uint8Array): Result<ResponseApdu> {
  if (bytes.length < 2) return fail(ErrorCode.APDU_MALFORMED, 'a response ends in a 2-byte status word');
  const swOffset = bytes.length - 2;
  const sw = ((bytes[swOffset] ?? 0) << 8) | (bytes[swOffset + 1] ?? 0);
  return ok({ data: bytes.slice(0, swOffset), sw });
}

export function statusWordHex(sw: number): string {
  return sw
    .toString(16)
    .toUpperCase()
    .padStart(4, '0')
    .replace(/(..)(..)/, '$1 $2');
}

/** `00 A4 04 00 07 F0 52 45 44 54 41 50 00` */
export function selectApdu(): Uint8Array {
  return encodeCommandApdu({ cla: 0x00, ins: Ins.select, p1: 0x04, p2: 0x00, data: REDTAP_AID, le: 256 });
}

/** `80 10 00 00 24 <challenge 36 B> 00` */
export function signChallengeApdu(challenge: Uint8Array): Uint8Array {
  if (challenge.length !== CHALLENGE_LENGTH) throw new RangeError('challenge must be 36 bytes');
  return encodeCommandApdu({ cla: 0x80, ins: Ins.signChallenge, p1: 0, p2: 0, data: challenge, le: 256 });
}

/** `80 30 00 00 20 <request 32 B> 00` */
export function getDayStateApdu(request: Uint8Array): Uint8Array {
  if (request.length !== DAY_STATE_REQUEST_LENGTH) throw new RangeError('day state request must be 32 bytes');
  return encodeCommandApdu({ cla: 0x80, ins: Ins.getDayState, p1: 0, p2: 0, data: request, le: 256 });
}

/**
 * `80 20 00 00 C4 <tap token 196 B>` (no Le), or with `extra` (only to a phone that answered GET DAY
 * STATE) `80 20 00 00 CC <tap token 196 B> <u32 advertiserId> <u32 cityKey>`.
 */
export function putReceiptApdu(token: Uint8Array, extra: Uint8Array | null = null): Uint8Array {
  if (token.length !== TAP_TOKEN_LENGTH) throw new RangeError('token must be 196 bytes');
  if (extra !== null && extra.length !== RECEIPT_EXTRA_LENGTH)
    throw new RangeError('receipt extra must be 8 bytes');
  const data = extra === null ? token : new Uint8Array([...token, ...extra]);
  return encodeCommandApdu({ cla: 0x80, ins: Ins.putReceipt, p1: 0, p2: 0, data });
}
