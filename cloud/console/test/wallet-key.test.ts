// The browser wallet's login signature verifies with the cloud's verifier (WebCrypto in Node).
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fromHex as sharedFromHex,
  importPublicKeyRaw,
  loginMessage,
  SignatureLabel,
  verify,
} from '@redtap/shared';
import { fromHex } from '../src/lib/bytes.ts';
import { generatePhoneKey, parsePhoneKeyFile, publicKeyHex, signLogin } from '../src/lib/wallet-key.ts';

describe('wallet phone key', () => {
  it('signs `u64 walletId ‖ nonce` with label login so the shared verifier accepts it', async () => {
    expect(globalThis.crypto.subtle).toBe(webcrypto.subtle);
    const jwk = await generatePhoneKey();
    const publicKey = await publicKeyHex(jwk);
    expect(publicKey).toMatch(/^04[0-9a-f]{128}$/);
    const nonceHex = 'ab'.repeat(32);
    const signature = await signLogin(jwk, 123_456_789, nonceHex);
    const key = importPublicKeyRaw(sharedFromHex(publicKey) ?? new Uint8Array());
    expect(key.ok).toBe(true);
    if (!key.ok || signature === null) return;
    const message = loginMessage(123_456_789, fromHex(nonceHex) ?? new Uint8Array());
    expect(verify(SignatureLabel.login, message, fromHex(signature) ?? new Uint8Array(), key.value)).toBe(
      true,
    );
    expect(await signLogin(jwk, 1, 'abcd')).toBeNull();
  });

  it('imports its own export and a bare JWK, and refuses anything else', async () => {
    const jwk = await generatePhoneKey();
    const exported = JSON.stringify({ jwk, walletId: 7, credentialSerial: 1, credential: 'aa' });
    expect(parsePhoneKeyFile(exported)?.walletId).toBe(7);
    expect(parsePhoneKeyFile(JSON.stringify(jwk))?.walletId).toBeNull();
    expect(parsePhoneKeyFile('{"kty":"RSA"}')).toBeNull();
    expect(parsePhoneKeyFile('not json')).toBeNull();
  });
});
