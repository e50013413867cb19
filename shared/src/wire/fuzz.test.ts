// Every decoder of untrusted bytes gets ≥ 50,000 random and mutated buffers and must answer each with
// a value or a typed error carrying a known code — never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../bytes.ts';
import { errorCodes, type Result } from '../errors.ts';
import { sampleHex } from '../test-vectors.ts';
import { decodeCommandApdu, decodeResponseApdu, selectApdu, putReceiptApdu } from './apdu.ts';
import { decodeChallenge } from './challenge.ts';
import { decodeCredential } from './credential.ts';
import { decodeDeck } from './deck.ts';
import { decodeDeckClose } from './deck-close.ts';
import { decodeHello } from './hello.ts';
import { decodeTapBatch, encodeTapBatch } from './tap-batch.ts';
import { decodeTapToken } from './tap-token.ts';

const RUNS_PER_DECODER = 50_000;
const known = new Set<string>(errorCodes);
const credential = fromHex(sampleHex.credential) ?? new Uint8Array();
const token = fromHex(sampleHex.token) ?? new Uint8Array();
const deck = fromHex(sampleHex.deck) ?? new Uint8Array();
const deckV2 = fromHex(sampleHex.deckV2) ?? new Uint8Array();

/** Random buffers, and valid samples with flipped bits, overwritten bytes, truncations and extensions. */
function inputs(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .record({
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }),
      writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      cut: fc.option(fc.nat({ max: valid.length })),
      extra: fc.uint8Array({ maxLength: 4 }),
    })
    .map(({ flips, writes, cut, extra }) => {
      const out = valid.slice();
      for (const [at, bit] of flips) out[at % out.length] = (out[at % out.length] ?? 0) ^ (1 << bit);
      for (const [at, byte] of writes) out[at % out.length] = byte;
      const kept = cut === null ? out : out.subarray(0, cut);
      const joined = new Uint8Array(kept.length + extra.length);
      joined.set(kept);
      joined.set(extra, kept.length);
      return joined;
    });
  return fc.oneof(
    fc.uint8Array({ maxLength: valid.length + 16 }),
    fc.uint8Array({ minLength: valid.length, maxLength: valid.length }),
    mutated,
  );
}

const decoders: [string, (bytes: Uint8Array) => Result<unknown>, Uint8Array][] = [
  ['credential', decodeCredential, credential],
  ['HELLO', decodeHello, Uint8Array.of(1, 1, ...credential)],
  ['challenge', decodeChallenge, token.subarray(1, 37)],
  ['tap token', decodeTapToken, token],
  ['deck', decodeDeck, deck],
  ['deck v2', decodeDeck, deckV2],
  ['tap batch', decodeTapBatch, encodeTapBatch([token, token])],
  ['deck close', decodeDeckClose, new Uint8Array(87).fill(1)],
  ['deck close v2', decodeDeckClose, Uint8Array.of(2, ...new Uint8Array(88).fill(1))],
  ['command APDU', decodeCommandApdu, putReceiptApdu(token)],
  ['response APDU', decodeResponseApdu, selectApdu()],
];

describe('decoders never throw', () => {
  it.each(decoders)(
    '%s: 50,000 random and mutated buffers',
    (_name, decode, valid) => {
      let accepted = 0;
      let rejected = 0;
      fc.assert(
        fc.property(inputs(valid), (input) => {
          const result = decode(input);
          if (result.ok) accepted++;
          else {
            rejected++;
            if (!known.has(result.code)) throw new Error(`unknown code ${result.code}`);
          }
        }),
        { numRuns: RUNS_PER_DECODER },
      );
      expect(accepted + rejected).toBe(RUNS_PER_DECODER);
      expect(rejected).toBeGreaterThan(0);
    },
    120_000,
  );
});
