// SUN verification against published known answers (RFC 4493, NXP AN10922 and AN12196, boltcard), single
// bit flips, malformed parameters, and random input that must be refused, never thrown on.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import {
  aesCmac,
  batchMetaReadKey,
  decryptPiccData,
  diversifyAes128,
  sdmMac,
  sdmSessionMacKey,
  sunReadOf,
  tagFileReadKey,
  verifySunRead,
  type SunKeys,
} from './sun.ts';

const hex = (value: string) => new Uint8Array(Buffer.from(value, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fixedKeys = (metaReadKey: string, macKey: string): SunKeys => ({
  metaReadKey: hex(metaReadKey),
  fileReadKeyFor: () => hex(macKey),
});

/** Flips one bit of a hex string: bit `bit` of byte `index`. */
function flipBit(value: string, index: number, bit: number): string {
  const bytes = hex(value);
  bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
  return toHex(bytes).toUpperCase();
}

// Published SUN vectors. NXP AN12196 ("NTAG 424 DNA and NTAG 424 DNA TagTamper features and hints")
// §3.4.4.2, the all-zero-key example of a factory-fresh tag; boltcard/boltcard docs/TEST_VECTORS.md, three
// reads of one card with its k1 (meta-read) and k2 (file-read MAC) keys.
const vectors = [
  {
    source: 'AN12196 all-zero keys',
    p: 'EF963FF7828658A599F3041510671E88',
    c: '94EED9EE65337086',
    metaReadKey: '00000000000000000000000000000000',
    macKey: '00000000000000000000000000000000',
    uid: '04de5f1eacc040',
    counter: 61,
  },
  {
    source: 'boltcard counter 3',
    p: '4E2E289D945A66BB13377A728884E867',
    c: 'E19CCB1FED8892CE',
    metaReadKey: '0c3b25d92b38ae443229dd59ad34b85d',
    macKey: 'b45775776cb224c75bcde7ca3704e933',
    uid: '04996c6a926980',
    counter: 3,
  },
  {
    source: 'boltcard counter 5',
    p: '00F48C4F8E386DED06BCDC78FA92E2FE',
    c: '66B4826EA4C155B4',
    metaReadKey: '0c3b25d92b38ae443229dd59ad34b85d',
    macKey: 'b45775776cb224c75bcde7ca3704e933',
    uid: '04996c6a926980',
    counter: 5,
  },
  {
    source: 'boltcard counter 7',
    p: '0DBF3C59B59B0638D60B5842A997D4D1',
    c: 'CC61660C020B4D96',
    metaReadKey: '0c3b25d92b38ae443229dd59ad34b85d',
    macKey: 'b45775776cb224c75bcde7ca3704e933',
    uid: '04996c6a926980',
    counter: 7,
  },
] as const;

describe('AES-CMAC (RFC 4493 §4 examples)', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const message = hex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('%i-byte message', (length, tag) => {
    expect(toHex(aesCmac(key, message.subarray(0, length)))).toBe(tag);
  });
});

describe('AN10922 AES-128 key diversification', () => {
  it('matches the application note’s example (§2.2.1: UID ‖ AID ‖ system identifier "NXP Abu")', () => {
    const derived = diversifyAes128(
      hex('00112233445566778899AABBCCDDEEFF'),
      hex('04782E21801D803042F54E585020416275'),
    );
    expect(toHex(derived)).toBe('a8dd63a3b89d54b37ca802473fda9175');
  });

  it('pads a short input to two blocks, which plain CMAC does not', () => {
    const master = hex('00112233445566778899AABBCCDDEEFF');
    const uid = hex('04782E21801D80');
    const input = new Uint8Array([0x01, ...uid]);
    expect(toHex(diversifyAes128(master, uid))).not.toBe(toHex(aesCmac(master, input)));
  });

  it('gives each tag its own file-read key and the batch one meta-read key apart from them', () => {
    const master = hex('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    const a = tagFileReadKey(master, hex('04000000000001'));
    const b = tagFileReadKey(master, hex('04000000000002'));
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(batchMetaReadKey(master))).not.toBe(toHex(a));
    // The documented input: 01 ‖ UID ‖ "RedTap" ‖ 80 ‖ 00…, 32 bytes, last block xored with K2.
    expect(toHex(a)).toBe(
      toHex(diversifyAes128(master, new Uint8Array([...hex('04000000000001'), ...Buffer.from('RedTap')]))),
    );
  });
});

describe('SUN verification', () => {
  it.each(vectors)('accepts $source', (vector) => {
    const result = verifySunRead(fixedKeys(vector.metaReadKey, vector.macKey), {
      picc: vector.p,
      cmac: vector.c,
    });
    expect(result).toEqual({ ok: true, uid: vector.uid, counter: vector.counter });
  });

  it('decrypts AN12196’s PICC data to C7 ‖ UID ‖ 3D0000 ‖ padding', () => {
    const data = decryptPiccData(hex('00'.repeat(16)), hex('EF963FF7828658A599F3041510671E88'));
    expect(data).toMatchObject({ ok: true, counter: 61 });
    if (data.ok) expect(toHex(data.uid)).toBe('04de5f1eacc040');
  });

  it('verifies AN12196’s MAC over mirrored file data (Table 5: non-empty MAC input)', () => {
    // Session key and SDMMAC of AN12196's second example: UID 04958CAA5C5E80, counter 8, zero keys, the
    // MAC input is the URL from SDMMACInputOffset (the encrypted file data) up to the MAC.
    const zero = hex('00'.repeat(16));
    const uid = hex('04958CAA5C5E80');
    expect(toHex(sdmSessionMacKey(zero, uid, 8))).toBe('3ed0920e5e6a0320d823d5987feafbb1');
    const macInput = new TextEncoder().encode('CEE9A53E3E463EF1F459635736738962&cmac=');
    expect(toHex(sdmMac(zero, uid, 8, macInput))).toBe('ecc1e7f6c6c73bf6');
    expect(
      verifySunRead(fixedKeys('00'.repeat(16), '00'.repeat(16)), {
        picc: 'FD91EC264309878BE6345CBE53BADF40',
        cmac: 'ECC1E7F6C6C73BF6',
        macInput,
      }),
    ).toEqual({ ok: true, uid: '04958caa5c5e80', counter: 8 });
  });

  it('refuses the AN12196 read with its last MAC byte changed (…087)', () => {
    const result = verifySunRead(fixedKeys('00'.repeat(16), '00'.repeat(16)), {
      picc: 'EF963FF7828658A599F3041510671E88',
      cmac: '94EED9EE65337087',
    });
    expect(result).toMatchObject({ ok: false, code: ErrorCode.SUN_MAC_INVALID });
  });

  it('refuses the AN12196 read under another tag’s keys', () => {
    const boltcard = vectors[1];
    const result = verifySunRead(fixedKeys(boltcard.metaReadKey, boltcard.macKey), {
      picc: 'EF963FF7828658A599F3041510671E88',
      cmac: '94EED9EE65337086',
    });
    expect(result).toMatchObject({ ok: false, code: ErrorCode.SUN_MAC_INVALID });
    // The right meta-read key with another tag's MAC key: the UID decrypts, the MAC does not verify.
    const mixed = verifySunRead(fixedKeys('00'.repeat(16), boltcard.macKey), {
      picc: 'EF963FF7828658A599F3041510671E88',
      cmac: '94EED9EE65337086',
    });
    expect(mixed).toMatchObject({ ok: false, code: ErrorCode.SUN_MAC_INVALID });
  });

  it('refuses every single bit flip in the PICC data and in the MAC', () => {
    for (const vector of vectors) {
      const keys = fixedKeys(vector.metaReadKey, vector.macKey);
      for (let index = 0; index < 16; index++)
        for (let bit = 0; bit < 8; bit++) {
          const result = verifySunRead(keys, { picc: flipBit(vector.p, index, bit), cmac: vector.c });
          expect(result, `${vector.source} picc byte ${String(index)} bit ${String(bit)}`).toMatchObject({
            ok: false,
            code: ErrorCode.SUN_MAC_INVALID,
          });
        }
      for (let index = 0; index < 8; index++)
        for (let bit = 0; bit < 8; bit++) {
          const result = verifySunRead(keys, { picc: vector.p, cmac: flipBit(vector.c, index, bit) });
          expect(result, `${vector.source} cmac byte ${String(index)} bit ${String(bit)}`).toMatchObject({
            ok: false,
            code: ErrorCode.SUN_MAC_INVALID,
          });
        }
    }
  });

  it.each([
    ['picc one byte short', 'EF963FF7828658A599F3041510671E', '94EED9EE65337086'],
    ['picc one byte long', 'EF963FF7828658A599F3041510671E8800', '94EED9EE65337086'],
    ['picc odd length', 'EF963FF7828658A599F3041510671E8', '94EED9EE65337086'],
    ['picc not hex', 'EF963FF7828658A599F3041510671EZZ', '94EED9EE65337086'],
    ['picc with spaces', 'EF963FF7 828658A599F3041510671E88', '94EED9EE65337086'],
    ['picc empty', '', '94EED9EE65337086'],
    ['cmac one byte short', 'EF963FF7828658A599F3041510671E88', '94EED9EE653370'],
    ['cmac full 16-byte CMAC', 'EF963FF7828658A599F3041510671E88', '94EED9EE6533708694EED9EE65337086'],
    ['cmac not hex', 'EF963FF7828658A599F3041510671E88', '94EED9EE653370GG'],
    ['cmac with a sign', 'EF963FF7828658A599F3041510671E88', '-4EED9EE65337086'],
  ])('refuses malformed parameters: %s', (_name, picc, cmac) => {
    const result = verifySunRead(fixedKeys('00'.repeat(16), '00'.repeat(16)), { picc, cmac });
    expect(result).toMatchObject({ ok: false, code: ErrorCode.SUN_MALFORMED });
  });

  it('refuses parameters that are not strings', () => {
    const keys = fixedKeys('00'.repeat(16), '00'.repeat(16));
    for (const value of [null, undefined, 42, ['EF963FF7828658A599F3041510671E88'], {}])
      expect(verifySunRead(keys, { picc: value, cmac: '94EED9EE65337086' })).toMatchObject({
        ok: false,
        code: ErrorCode.SUN_MALFORMED,
      });
  });

  it('accepts what a tag diversified from a batch key mirrors, and nothing else', () => {
    const master = hex('8a1b2c3d4e5f60718293a4b5c6d7e8f9');
    const uid = hex('04a1b2c3d4e580');
    const metaReadKey = batchMetaReadKey(master);
    const read = sunReadOf({
      metaReadKey,
      fileReadKey: tagFileReadKey(master, uid),
      uid,
      counter: 0x01_02_03,
    });
    const keys: SunKeys = { metaReadKey, fileReadKeyFor: (tagUid) => tagFileReadKey(master, tagUid) };
    expect(verifySunRead(keys, read)).toEqual({ ok: true, uid: '04a1b2c3d4e580', counter: 0x01_02_03 });
    // A tag of the same batch programmed with the wrong (undiversified) MAC key is refused.
    const wrong = sunReadOf({ metaReadKey, fileReadKey: master, uid, counter: 1 });
    expect(verifySunRead(keys, wrong)).toMatchObject({ ok: false, code: ErrorCode.SUN_MAC_INVALID });
  });

  it('never throws on random parameters (property)', () => {
    const keys = fixedKeys('00'.repeat(16), '00'.repeat(16));
    const known = new Set<string>([ErrorCode.SUN_MALFORMED, ErrorCode.SUN_MAC_INVALID]);
    const hexOf = (length: number) =>
      fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => toHex(bytes));
    fc.assert(
      fc.property(
        fc.oneof(hexOf(16), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map(toHex)),
        fc.oneof(hexOf(8), fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }).map(toHex)),
        fc.uint8Array({ maxLength: 300 }),
        (picc, cmac, macInput) => {
          const result = verifySunRead(keys, { picc, cmac, macInput });
          // A random 8-byte MAC verifies with probability 2^-64: any ok here is a broken verifier.
          expect(result.ok).toBe(false);
          if (!result.ok) expect(known).toContain(result.code);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('docs/protocol.md §9.6 sample read', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url)), 'utf8');

  it('verifies under the documented batch key, with the documented keys and MAC', () => {
    const url = /```text sample-sun-url\n(\S+)\n```/.exec(doc)?.[1];
    expect(url).toBeDefined();
    const params = new URL(url ?? '').searchParams;
    const batchKey = hex('00112233445566778899aabbccddeeff');
    const uid = hex('04a1b2c3d4e580');
    const keys: SunKeys = {
      metaReadKey: batchMetaReadKey(batchKey),
      fileReadKeyFor: (tagUid) => tagFileReadKey(batchKey, tagUid),
    };
    expect(params.get('b')).toBe('1');
    expect(verifySunRead(keys, { picc: params.get('p'), cmac: params.get('c') })).toEqual({
      ok: true,
      uid: '04a1b2c3d4e580',
      counter: 5,
    });
    const fileReadKey = tagFileReadKey(batchKey, uid);
    for (const value of [
      toHex(keys.metaReadKey),
      toHex(fileReadKey),
      toHex(sdmSessionMacKey(fileReadKey, uid, 5)),
      toHex(aesCmac(sdmSessionMacKey(fileReadKey, uid, 5), new Uint8Array(0))),
      toHex(sdmMac(fileReadKey, uid, 5)),
    ])
      expect(doc).toContain(`\`${value}\``);
  });
});
