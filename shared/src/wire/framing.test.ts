// HELLO, challenge, tap batch, deck close and the enrolment/login messages.
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { sign, SignatureLabel, verify } from '../crypto.ts';
import { sampleHex, sampleValues, testKeys } from '../test-vectors.ts';
import { decodeChallenge, encodeChallenge } from './challenge.ts';
import { decodeCredential } from './credential.ts';
import {
  decodeDeckClose,
  DECK_CLOSE_LENGTH_V1,
  signDeckClose,
  verifyDeckCloseSignature,
} from './deck-close.ts';
import { decodeHello, encodeHello, HELLO_LENGTH } from './hello.ts';
import { enrolmentMessage, isEnrolmentCode, loginMessage } from './signed-messages.ts';
import { decodeTapBatch, encodeTapBatch, TAP_BATCH_SIZE_MAX } from './tap-batch.ts';

const { screen, phone } = testKeys();
const sampleCredential = fromHex(sampleHex.credential) ?? new Uint8Array();
const sampleToken = fromHex(sampleHex.token) ?? new Uint8Array();

describe('HELLO', () => {
  const fixture = concatBytes(
    Uint8Array.of(0x01), // u8 protocolVersion = 1
    Uint8Array.of(0x01), // u8 flags: bit 0 = phone online
    sampleCredential, // 147 B wallet credential
  );

  it('decodes the annotated fixture and keeps the credential bytes', () => {
    expect(fixture).toHaveLength(HELLO_LENGTH);
    const hello = decodeHello(fixture);
    expect(hello.ok && hello.value.flags).toBe(1);
    expect(hello.ok && hello.value.credentialBytes).toEqual(sampleCredential);
    expect(hello.ok && hello.value.credential.walletId).toBe(sampleValues.walletId);
  });

  it('round-trips', () => {
    const credential = decodeCredential(sampleCredential);
    if (!credential.ok) throw new Error(credential.message);
    expect(toHex(encodeHello({ flags: 1, credential: credential.value }))).toBe(toHex(fixture));
  });

  it.each([
    [fixture.subarray(0, 148), 'TRUNCATED'],
    [concatBytes(fixture, Uint8Array.of(0x90)), 'BAD_LENGTH'],
    [concatBytes(Uint8Array.of(2), fixture.subarray(1)), 'BAD_VERSION'],
    [concatBytes(Uint8Array.of(1, 0x02), fixture.subarray(2)), 'RESERVED_FLAGS'],
    [concatBytes(Uint8Array.of(1, 0, 9), fixture.subarray(3)), 'BAD_VERSION'],
  ])('rejects malformed HELLO (%#)', (bytes, code) => {
    expect(decodeHello(bytes)).toMatchObject({ ok: false, code });
  });
});

describe('challenge', () => {
  const fixture = concatBytes(
    Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
    Uint8Array.of(0, 0, 0, 0x07), // u32 counter = 7
    Uint8Array.of(0x6a, 0xfd, 0x86, 0xc0), // u32 ts = 1795000000
    Uint8Array.from({ length: 16 }, (_, i) => i), // 16 B nonce
    Uint8Array.of(0, 0, 0, 0x0c), // u32 campaignId = 12
  );

  it('decodes the fixture, which is bytes 1..36 of the sample token', () => {
    expect(fixture).toEqual(sampleToken.subarray(1, 37));
    const challenge = decodeChallenge(fixture);
    expect(challenge.ok && challenge.value).toMatchObject({ screenId: 1001, counter: 7, campaignId: 12 });
    if (challenge.ok) expect(encodeChallenge(challenge.value)).toEqual(fixture);
    expect(decodeChallenge(fixture.subarray(1))).toMatchObject({ ok: false, code: 'TRUNCATED' });
    expect(decodeChallenge(concatBytes(fixture, Uint8Array.of(0)))).toMatchObject({
      ok: false,
      code: 'BAD_LENGTH',
    });
  });
});

describe('tap batch', () => {
  it('frames count × token after a version and u16 count', () => {
    const batch = encodeTapBatch([sampleToken, sampleToken]);
    expect(toHex(batch.subarray(0, 3))).toBe('010002'); // u8 version = 1, u16 count = 2
    expect(decodeTapBatch(batch)).toEqual({ ok: true, value: [sampleToken, sampleToken] });
  });

  it('accepts 500 tokens and refuses 501', () => {
    const full = encodeTapBatch(Array.from({ length: TAP_BATCH_SIZE_MAX }, () => sampleToken));
    expect(decodeTapBatch(full).ok).toBe(true);
    const header = Uint8Array.of(1, 0x01, 0xf5); // count = 501
    expect(decodeTapBatch(header)).toMatchObject({ ok: false, code: 'BATCH_TOO_LARGE' });
  });

  it.each([
    [Uint8Array.of(1, 0), 'TRUNCATED'],
    [Uint8Array.of(2, 0, 1), 'BAD_VERSION'],
    [Uint8Array.of(1, 0, 0), 'BATCH_EMPTY'],
    [concatBytes(Uint8Array.of(1, 0, 1), sampleToken.subarray(1)), 'TRUNCATED'],
    [concatBytes(Uint8Array.of(1, 0, 1), sampleToken, Uint8Array.of(0)), 'BAD_LENGTH'],
  ])('rejects malformed batches (%#)', (bytes, code) => {
    expect(decodeTapBatch(bytes)).toMatchObject({ ok: false, code });
  });
});

describe('deck close report', () => {
  it('signs a version 1 report with the deck-close label and decodes it', () => {
    const bytes = signDeckClose(
      { version: 1, deckId: 900, screenId: 1001, usedCount: 17, ts: 1_795_000_100 },
      screen.privateKey,
    );
    expect(bytes).toHaveLength(DECK_CLOSE_LENGTH_V1);
    expect(toHex(bytes.subarray(0, 19))).toBe('01' + '0000000000000384' + '00000000000003e9' + '0011');
    expect(decodeDeckClose(bytes)).toMatchObject({
      ok: true,
      value: { version: 1, deckId: 900, screenId: 1001, usedCount: 17, fallbackUsedCount: 0 },
    });
    expect(verifyDeckCloseSignature(bytes, screen.publicKey)).toBe(true);
    const tampered = bytes.slice();
    tampered[18] = 0x12;
    expect(verifyDeckCloseSignature(tampered, screen.publicKey)).toBe(false);
    expect(decodeDeckClose(bytes.subarray(0, 86))).toMatchObject({ ok: false, code: 'TRUNCATED' });
  });
});

describe('enrolment and login messages', () => {
  it('validates enrolment codes against the unambiguous alphabet', () => {
    expect(isEnrolmentCode('7K3M9QXD')).toBe(true);
    expect(isEnrolmentCode('7K3M9QX')).toBe(false);
    expect(isEnrolmentCode('7K3M9QXI')).toBe(false); // I is not in the alphabet
    expect(isEnrolmentCode('7k3m9qxd')).toBe(false);
  });

  it('builds code ‖ public key and walletId ‖ nonce', () => {
    const message = enrolmentMessage('7K3M9QXD', screen.publicKeyRaw);
    expect(new TextDecoder().decode(message.subarray(0, 8))).toBe('7K3M9QXD');
    expect(message.subarray(8)).toEqual(screen.publicKeyRaw);
    const login = loginMessage(4242, new Uint8Array(32).fill(9));
    expect(toHex(login.subarray(0, 8))).toBe('0000000000001092');
    const signature = sign(SignatureLabel.login, login, phone.privateKey);
    expect(verify(SignatureLabel.login, login, signature, phone.publicKey)).toBe(true);
    // A login signature can never pass as a tap challenge signature: the labels differ.
    expect(verify(SignatureLabel.challenge, login, signature, phone.publicKey)).toBe(false);
  });
});
