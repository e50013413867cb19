import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../bytes.ts';
import { testKeys } from '../test-vectors.ts';
import {
  decodeDeckClose,
  DECK_CLOSE_LENGTH,
  signDeckClose,
  verifyDeckCloseSignature,
  type DeckClose,
} from './deck-close.ts';

const { screen } = testKeys();
const signature = new Uint8Array(64).fill(0x5a);

// docs/protocol.md §3.6, version 2, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x02), // u8 version = 2
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0x85), // u64 deckId = 901
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0, 0x11), // u16 usedCount = 17
  Uint8Array.of(0, 0x03), // u16 fallbackUsedCount = 3
  Uint8Array.of(0x6a, 0xfd, 0x86, 0xc0), // u32 ts = 1795000000
  signature, // 64 B screenSignature over bytes 0..24, label deck-close
);

const value: DeckClose = {
  version: 2,
  deckId: 901,
  screenId: 1001,
  usedCount: 17,
  fallbackUsedCount: 3,
  ts: 1_795_000_000,
  screenSignature: signature,
};

describe('deck close report, version 2', () => {
  it('decodes the annotated fixture', () => {
    expect(fixture).toHaveLength(DECK_CLOSE_LENGTH);
    expect(decodeDeckClose(fixture)).toEqual({ ok: true, value });
  });

  it('signs both cursors with the deck-close label', () => {
    const bytes = signDeckClose(
      { deckId: 901, screenId: 1001, usedCount: 17, fallbackUsedCount: 3, ts: 1_795_000_000 },
      screen.privateKey,
    );
    expect(toHex(bytes.subarray(0, 25))).toBe(toHex(fixture.subarray(0, 25)));
    expect(verifyDeckCloseSignature(bytes, screen.publicKey)).toBe(true);
    const tampered = bytes.slice();
    tampered[20] = 0x04; // fallbackUsedCount 3 → 4
    expect(verifyDeckCloseSignature(tampered, screen.publicKey)).toBe(false);
  });

  it.each([
    ['truncated', fixture.subarray(0, 88), 'TRUNCATED'],
    ['a trailing byte', concatBytes(fixture, Uint8Array.of(0)), 'BAD_LENGTH'],
    ['version 3', concatBytes(Uint8Array.of(3), fixture.subarray(1)), 'BAD_VERSION'],
    ['an empty buffer', new Uint8Array(0), 'TRUNCATED'],
    ['deckId ≥ 2^53', concatBytes(Uint8Array.of(2, 0xff), fixture.subarray(2)), 'U64_OUT_OF_RANGE'],
  ])('rejects %s', (_name, bytes, code) => {
    expect(decodeDeckClose(bytes)).toMatchObject({ ok: false, code });
  });
});
