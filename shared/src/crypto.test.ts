import { describe, expect, it } from 'vitest';
import { fromHex } from './bytes.ts';
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeyRaw,
  PublicKeyCache,
  sign,
  SignatureLabel,
  verify,
} from './crypto.ts';
import { fixedSignatureVector, testKeys } from './test-vectors.ts';

const message = new TextEncoder().encode(fixedSignatureVector.message);
const fixedSignature = fromHex(fixedSignatureVector.signatureHex) ?? new Uint8Array();

describe('P-256 signatures', () => {
  it('verifies the fixed test vector', () => {
    const { screen } = testKeys();
    expect(fixedSignature).toHaveLength(64);
    expect(verify(SignatureLabel.tap, message, fixedSignature, screen.publicKey)).toBe(true);
  });

  it('rejects the fixed vector under another label, message, signature or key', () => {
    const { screen, phone } = testKeys();
    expect(verify(SignatureLabel.challenge, message, fixedSignature, screen.publicKey)).toBe(false);
    const tamperedMessage = message.slice();
    tamperedMessage[0] = (tamperedMessage[0] ?? 0) ^ 1;
    expect(verify(SignatureLabel.tap, tamperedMessage, fixedSignature, screen.publicKey)).toBe(false);
    for (const index of [0, 31, 32, 63]) {
      const tampered = fixedSignature.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      expect(verify(SignatureLabel.tap, message, tampered, screen.publicKey)).toBe(false);
    }
    expect(verify(SignatureLabel.tap, message, fixedSignature, phone.publicKey)).toBe(false);
    expect(verify(SignatureLabel.tap, message, fixedSignature.subarray(0, 63), screen.publicKey)).toBe(false);
  });

  it('signs 64-byte raw r‖s signatures that verify', () => {
    const keys = generateKeyPair();
    const signature = sign(SignatureLabel.deck, message, keys.privateKey);
    expect(signature).toHaveLength(64);
    expect(verify(SignatureLabel.deck, message, signature, keys.publicKey)).toBe(true);
  });

  it('round-trips raw public keys and PEM private keys', () => {
    const keys = generateKeyPair();
    expect(keys.publicKeyRaw).toHaveLength(65);
    expect(keys.publicKeyRaw[0]).toBe(0x04);
    const imported = importPublicKeyRaw(keys.publicKeyRaw);
    expect(imported.ok).toBe(true);
    const restored = importPrivateKeyPem(exportPrivateKeyPem(keys.privateKey));
    expect(restored.publicKeyRaw).toEqual(keys.publicKeyRaw);
    const signature = sign(SignatureLabel.enroll, message, restored.privateKey);
    if (imported.ok) expect(verify(SignatureLabel.enroll, message, signature, imported.value)).toBe(true);
  });

  it('rejects public keys that are not uncompressed points on P-256', () => {
    const { publicKeyRaw } = generateKeyPair();
    expect(importPublicKeyRaw(publicKeyRaw.subarray(0, 64))).toMatchObject({
      ok: false,
      code: 'BAD_PUBLIC_KEY',
    });
    const compressedTag = publicKeyRaw.slice();
    compressedTag[0] = 0x02;
    expect(importPublicKeyRaw(compressedTag)).toMatchObject({ ok: false, code: 'BAD_PUBLIC_KEY' });
    const offCurve = publicKeyRaw.slice();
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    expect(importPublicKeyRaw(offCurve)).toMatchObject({ ok: false, code: 'BAD_PUBLIC_KEY' });
  });

  it('caches imported keys with a bounded size', () => {
    const cache = new PublicKeyCache(2);
    const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    for (const key of keys) expect(cache.get(key.publicKeyRaw).ok).toBe(true);
    const again = cache.get(keys[2]!.publicKeyRaw);
    expect(again.ok && again.value.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});
