// Wallet credential, 147 bytes (docs/protocol.md §3.1). Issued by the cloud when a phone registers.
import { ByteReader, ByteWriter } from '../bytes.ts';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';
import type { KeyObject } from 'node:crypto';

export const CREDENTIAL_VERSION = 1;
export const CREDENTIAL_LENGTH = 147;
/** Bytes 0..82 are covered by the issuer signature. */
export const CREDENTIAL_SIGNED_LENGTH = 83;

export interface WalletCredential {
  version: number;
  walletId: number;
  credentialSerial: number;
  phonePublicKey: Uint8Array;
  expiresAt: number;
  issuerKeyId: number;
  issuerSignature: Uint8Array;
}

export type UnsignedCredential = Omit<WalletCredential, 'version' | 'issuerSignature'>;

function writeSignedPart(writer: ByteWriter, credential: UnsignedCredential): void {
  writer
    .u8(CREDENTIAL_VERSION)
    .u64(credential.walletId)
    .u32(credential.credentialSerial)
    .raw(credential.phonePublicKey, PUBLIC_KEY_LENGTH)
    .u32(credential.expiresAt)
    .u8(credential.issuerKeyId);
}

export function credentialSignedBytes(credential: UnsignedCredential): Uint8Array {
  const writer = new ByteWriter(CREDENTIAL_SIGNED_LENGTH);
  writeSignedPart(writer, credential);
  return writer.finish();
}

export function encodeCredential(credential: WalletCredential): Uint8Array {
  const writer = new ByteWriter(CREDENTIAL_LENGTH);
  writeSignedPart(writer, credential);
  return writer.raw(credential.issuerSignature, SIGNATURE_LENGTH).finish();
}

export function signCredential(credential: UnsignedCredential, issuerKey: KeyObject): WalletCredential {
  const signature = sign(SignatureLabel.credential, credentialSignedBytes(credential), issuerKey);
  return { version: CREDENTIAL_VERSION, ...credential, issuerSignature: signature };
}

/** Checks only the issuer signature; expiry and revocation are the caller's policy. */
export function verifyCredentialSignature(credentialBytes: Uint8Array, issuerPublicKey: KeyObject): boolean {
  if (credentialBytes.length !== CREDENTIAL_LENGTH) return false;
  return verify(
    SignatureLabel.credential,
    credentialBytes.subarray(0, CREDENTIAL_SIGNED_LENGTH),
    credentialBytes.subarray(CREDENTIAL_SIGNED_LENGTH),
    issuerPublicKey,
  );
}

export function decodeCredential(bytes: Uint8Array): Result<WalletCredential> {
  if (bytes.length < CREDENTIAL_LENGTH)
    return fail(ErrorCode.TRUNCATED, 'credential is shorter than 147 bytes');
  if (bytes.length > CREDENTIAL_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, 'credential is longer than 147 bytes');
  return readCredential(new ByteReader(bytes));
}

/** Reads a credential at the reader's position; the caller has checked 147 bytes remain. */
export function readCredential(reader: ByteReader): Result<WalletCredential> {
  const version = reader.u8();
  if (version !== CREDENTIAL_VERSION) return fail(ErrorCode.BAD_VERSION, `credential version ${version}`);
  const walletId = reader.u64();
  const credentialSerial = reader.u32();
  const phonePublicKey = reader.raw(PUBLIC_KEY_LENGTH);
  const expiresAt = reader.u32();
  const issuerKeyId = reader.u8();
  const issuerSignature = reader.raw(SIGNATURE_LENGTH);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'walletId exceeds 2^53 - 1');
  if (phonePublicKey[0] !== 0x04) return fail(ErrorCode.BAD_PUBLIC_KEY, 'phone key is not uncompressed SEC1');
  return ok({ version, walletId, credentialSerial, phonePublicKey, expiresAt, issuerKeyId, issuerSignature });
}
