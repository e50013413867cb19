import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { sampleHex, sampleValues, testKeys } from '../test-vectors.ts';
import {
  CREDENTIAL_LENGTH,
  credentialSignedBytes,
  decodeCredential,
  encodeCredential,
  signCredential,
  verifyCredentialSignature,
} from './credential.ts';

const { issuer, phone } = testKeys();
const signature = new Uint8Array(64).fill(0xab);

// docs/protocol.md §3.1, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x01), // u8 version = 1
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x10, 0x92), // u64 walletId = 4242
  Uint8Array.of(0, 0, 0, 0x01), // u32 credentialSerial = 1
  phone.publicKeyRaw, // 65 B phonePublicKey (04 ‖ X ‖ Y)
  Uint8Array.of(0x70, 0xdb, 0xd8, 0x80), // u32 expiresAt = 1893456000 (2030-01-01)
  Uint8Array.of(0x01), // u8 issuerKeyId = 1
  signature, // 64 B issuerSignature over bytes 0..82
);

const value = {
  version: 1,
  walletId: 4242,
  credentialSerial: 1,
  phonePublicKey: phone.publicKeyRaw,
  expiresAt: 1_893_456_000,
  issuerKeyId: 1,
  issuerSignature: signature,
};

describe('wallet credential', () => {
  it('decodes the annotated fixture', () => {
    expect(fixture).toHaveLength(CREDENTIAL_LENGTH);
    expect(decodeCredential(fixture)).toEqual({ ok: true, value });
  });

  it('encodes to the annotated fixture', () => {
    expect(toHex(encodeCredential(value))).toBe(toHex(fixture));
  });

  it('signs bytes 0..82 with the credential label and verifies', () => {
    const credential = signCredential(
      { walletId: 1, credentialSerial: 2, phonePublicKey: phone.publicKeyRaw, expiresAt: 3, issuerKeyId: 4 },
      issuer.privateKey,
    );
    const bytes = encodeCredential(credential);
    expect(credentialSignedBytes(credential)).toEqual(bytes.subarray(0, 83));
    expect(verifyCredentialSignature(bytes, issuer.publicKey)).toBe(true);
    const tampered = bytes.slice();
    tampered[8] = (tampered[8] ?? 0) ^ 1; // walletId's low byte
    expect(verifyCredentialSignature(tampered, issuer.publicKey)).toBe(false);
    expect(verifyCredentialSignature(bytes, phone.publicKey)).toBe(false);
  });

  it('decodes and verifies the docs sample', () => {
    const bytes = fromHex(sampleHex.credential) ?? new Uint8Array();
    const decoded = decodeCredential(bytes);
    expect(decoded.ok && decoded.value.walletId).toBe(sampleValues.walletId);
    expect(decoded.ok && decoded.value.phonePublicKey).toEqual(phone.publicKeyRaw);
    expect(verifyCredentialSignature(bytes, issuer.publicKey)).toBe(true);
  });

  it.each([
    [fixture.subarray(0, 146), 'TRUNCATED'],
    [concatBytes(fixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    [concatBytes(Uint8Array.of(2), fixture.subarray(1)), 'BAD_VERSION'],
    [concatBytes(Uint8Array.of(1, 0xff), fixture.subarray(2)), 'U64_OUT_OF_RANGE'],
    [concatBytes(fixture.subarray(0, 13), Uint8Array.of(0x02), fixture.subarray(14)), 'BAD_PUBLIC_KEY'],
  ])('rejects malformed bytes with a stable code (%#)', (bytes, code) => {
    expect(decodeCredential(bytes)).toMatchObject({ ok: false, code });
  });
});
