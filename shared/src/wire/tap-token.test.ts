import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { sign, SignatureLabel, verify } from '../crypto.ts';
import { sampleHex, sampleValues, testKeys } from '../test-vectors.ts';
import { encodeChallenge } from './challenge.ts';
import {
  decodeTapToken,
  encodeTapToken,
  ENVELOPE_INDEX_NONE,
  peekTokenCounter,
  signTapToken,
  TAP_TOKEN_LENGTH,
  tokenChallengeBytes,
  verifyTapTokenSignature,
  type TapToken,
} from './tap-token.ts';

const { phone, screen } = testKeys();
const phoneSignature = new Uint8Array(64).fill(0x11);
const screenSignature = new Uint8Array(64).fill(0x22);
const nonce = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

// docs/protocol.md §3.3, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x01), // u8 version = 1
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0, 0, 0, 0x07), // u32 counter = 7
  Uint8Array.of(0x6a, 0xfd, 0x86, 0xc0), // u32 ts = 1795000000
  nonce, // 16 B nonce
  Uint8Array.of(0, 0, 0, 0x0c), // u32 campaignId = 12
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x10, 0x92), // u64 walletId = 4242
  Uint8Array.of(0, 0, 0, 0x01), // u32 credentialSerial = 1
  phoneSignature, // 64 B phoneSignature over the challenge (bytes 1..36)
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0x84), // u64 deckId = 900
  Uint8Array.of(0, 0x03), // u16 envelopeIndex = 3
  Uint8Array.of(0, 0, 0, 0x58), // u32 amountFen = 88
  Uint8Array.of(0, 0, 0, 0x05), // u32 couponOfferId = 5
  Uint8Array.of(0x01), // u8 flags = phone online
  screenSignature, // 64 B screenSignature over bytes 0..131
);

const value: TapToken = {
  version: 1,
  screenId: 1001,
  counter: 7,
  ts: 1_795_000_000,
  nonce,
  campaignId: 12,
  walletId: 4242,
  credentialSerial: 1,
  phoneSignature,
  deckId: 900,
  envelopeIndex: 3,
  amountFen: 88,
  couponOfferId: 5,
  flags: 1,
  screenSignature,
};

function withByte(bytes: Uint8Array, index: number, byte: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = byte;
  return copy;
}

describe('tap token', () => {
  it('decodes the annotated fixture', () => {
    expect(fixture).toHaveLength(TAP_TOKEN_LENGTH);
    expect(decodeTapToken(fixture)).toEqual({ ok: true, value });
  });

  it('encodes to the annotated fixture', () => {
    expect(toHex(encodeTapToken(value))).toBe(toHex(fixture));
  });

  it('carries the challenge at bytes 1..36 and the counter at 9..12', () => {
    expect(tokenChallengeBytes(fixture)).toEqual(encodeChallenge(value));
    expect(peekTokenCounter(fixture)).toBe(7);
    expect(peekTokenCounter(fixture.subarray(0, 12))).toBeNull();
  });

  it('decodes and verifies both signatures of the docs sample', () => {
    const bytes = fromHex(sampleHex.token) ?? new Uint8Array();
    const decoded = decodeTapToken(bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject({
      screenId: sampleValues.screenId,
      counter: sampleValues.counter,
      amountFen: sampleValues.amountFen,
      envelopeIndex: sampleValues.envelopeIndex,
    });
    expect(verifyTapTokenSignature(bytes, screen.publicKey)).toBe(true);
    expect(
      verify(
        SignatureLabel.challenge,
        tokenChallengeBytes(bytes),
        decoded.value.phoneSignature,
        phone.publicKey,
      ),
    ).toBe(true);
  });

  it('signs bytes 0..131 with the tap label; any flipped bit breaks it', () => {
    const challenge = { screenId: 5, counter: 1, ts: 100, nonce, campaignId: 9 };
    const { bytes, token } = signTapToken(
      {
        ...challenge,
        walletId: 77,
        credentialSerial: 3,
        phoneSignature: sign(SignatureLabel.challenge, encodeChallenge(challenge), phone.privateKey),
        deckId: 0,
        envelopeIndex: ENVELOPE_INDEX_NONE,
        amountFen: 0,
        couponOfferId: 0,
        flags: 0,
      },
      screen.privateKey,
    );
    expect(encodeTapToken(token)).toEqual(bytes);
    expect(verifyTapTokenSignature(bytes, screen.publicKey)).toBe(true);
    for (const index of [0, 9, 60, 131, 132, 195]) {
      const tampered = withByte(bytes, index, (bytes[index] ?? 0) ^ 0x01);
      expect(verifyTapTokenSignature(tampered, screen.publicKey)).toBe(false);
    }
  });

  it.each([
    ['truncated', fixture.subarray(0, 195), 'TRUNCATED'],
    ['too long', concatBytes(fixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    ['version 2', withByte(fixture, 0, 2), 'BAD_VERSION'],
    ['screenId ≥ 2^53', withByte(fixture, 1, 0x80), 'U64_OUT_OF_RANGE'],
    ['reserved flag', withByte(fixture, 131, 0x80), 'RESERVED_FLAGS'],
    [
      'counter 0',
      concatBytes(fixture.subarray(0, 9), new Uint8Array(4), fixture.subarray(13)),
      'TOKEN_INCONSISTENT',
    ],
    [
      'cash without envelope',
      concatBytes(fixture.subarray(0, 121), Uint8Array.of(0xff, 0xff), fixture.subarray(123)),
      'TOKEN_INCONSISTENT',
    ],
    [
      'envelope without deck',
      concatBytes(fixture.subarray(0, 113), new Uint8Array(8), fixture.subarray(121)),
      'TOKEN_INCONSISTENT',
    ],
  ])('rejects a %s token with %s', (_name, bytes, code) => {
    expect(decodeTapToken(bytes)).toMatchObject({ ok: false, code });
  });
});
