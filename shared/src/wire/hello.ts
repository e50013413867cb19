// HELLO, the phone's reply to SELECT (docs/protocol.md §4.1): version, flags, credential.
import { ByteReader, ByteWriter } from '../bytes.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';
import { CREDENTIAL_LENGTH, readCredential, encodeCredential, type WalletCredential } from './credential.ts';

export const PROTOCOL_VERSION = 1;
export const HELLO_LENGTH = 2 + CREDENTIAL_LENGTH;

export const HelloFlag = {
  phoneOnline: 0b0000_0001,
} as const;
const HELLO_FLAGS_KNOWN = HelloFlag.phoneOnline;

export interface Hello {
  protocolVersion: number;
  flags: number;
  credential: WalletCredential;
  /** The credential exactly as received, for signature checks and for storing. */
  credentialBytes: Uint8Array;
}

export function encodeHello(hello: Omit<Hello, 'credentialBytes' | 'protocolVersion'>): Uint8Array {
  return new ByteWriter(HELLO_LENGTH)
    .u8(PROTOCOL_VERSION)
    .u8(hello.flags)
    .raw(encodeCredential(hello.credential), CREDENTIAL_LENGTH)
    .finish();
}

export function decodeHello(bytes: Uint8Array): Result<Hello> {
  if (bytes.length < HELLO_LENGTH)
    return fail(ErrorCode.TRUNCATED, `HELLO is shorter than ${HELLO_LENGTH} bytes`);
  if (bytes.length > HELLO_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, `HELLO is longer than ${HELLO_LENGTH} bytes`);
  const reader = new ByteReader(bytes);
  const protocolVersion = reader.u8();
  if (protocolVersion !== PROTOCOL_VERSION)
    return fail(ErrorCode.BAD_VERSION, `protocol version ${protocolVersion}`);
  const flags = reader.u8();
  if ((flags & ~HELLO_FLAGS_KNOWN) !== 0) return fail(ErrorCode.RESERVED_FLAGS, 'HELLO sets reserved flags');
  const credentialBytes = bytes.slice(2);
  const credential = readCredential(reader);
  if (!credential.ok) return credential;
  return ok({ protocolVersion, flags, credential: credential.value, credentialBytes });
}
