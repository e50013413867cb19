// The Type 4 tag contract run against the state machine directly, plus its NDEF and CC encodings.
import { ErrorCode, toHex } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { readNdefUrlAsPhone, decodeCapabilityContainer } from './ndef-phone-reader.ts';
import { decodeUriNdefMessage, encodeUriNdefMessage, uriPrefixCode } from './ndef-uri.ts';
import { describeType4TagContract } from './type4-tag.contract.ts';
import { Type4Tag, encodeCapabilityContainer } from './type4-tag.ts';

describeType4TagContract(
  'state machine',
  (options) => {
    const tag = new Type4Tag(options);
    return Promise.resolve({
      tag,
      exchange: (apdus) => {
        const replies = apdus.map((apdu) => tag.respond(apdu));
        tag.reset();
        return Promise.resolve(replies);
      },
      phoneRead: async (readOptions = {}) => {
        const result = await readNdefUrlAsPhone((apdu) => Promise.resolve(tag.respond(apdu)), readOptions);
        tag.reset();
        return result;
      },
      close: () => Promise.resolve(),
    });
  },
  { fuzzRuns: 3000 },
);

describe('NDEF URI record', () => {
  it('encodes a short record with the longest matching prefix', () => {
    expect(toHex(encodeUriNdefMessage('https://www.a.cn'))).toBe(
      [
        'd1', // MB ME SR, TNF 1 (well-known)
        '01', // type length
        '05', // payload length
        '55', // "U"
        '02', // https://www.
        toHex(new TextEncoder().encode('a.cn')),
      ].join(''),
    );
    expect(uriPrefixCode('https://r.cn')).toBe(0x04);
    expect(uriPrefixCode('http://r.cn')).toBe(0x03);
    expect(uriPrefixCode('tel:+86100')).toBe(0x05);
    expect(uriPrefixCode('redtap://x')).toBe(0x00);
  });

  it('switches to a long record above 255 payload bytes, at the boundary exactly', () => {
    // prefix code + 254 bytes = 255: still short; one more byte makes it long.
    const short = encodeUriNdefMessage(`https://${'a'.repeat(254)}`);
    const long = encodeUriNdefMessage(`https://${'a'.repeat(255)}`);
    expect(toHex(short.subarray(0, 4))).toBe('d101ff55');
    expect(toHex(long.subarray(0, 7))).toBe('c1010000010055');
    expect(decodeUriNdefMessage(long)).toEqual({ ok: true, value: `https://${'a'.repeat(255)}` });
  });

  it('round-trips every prefix', () => {
    for (const url of ['https://www.x.cn/a', 'http://x', 'mailto:a@b.cn', 'urn:nfc:sn', 'plain', '']) {
      expect(decodeUriNdefMessage(encodeUriNdefMessage(url))).toEqual({ ok: true, value: url });
    }
  });

  it('refuses records that are not one URI record, without throwing', () => {
    const cases: [string, string][] = [
      ['d101', ErrorCode.TRUNCATED],
      ['d1010a5504', ErrorCode.TRUNCATED],
      ['510103550461', ErrorCode.BAD_LENGTH], // no MB
      ['f1010355046162', ErrorCode.BAD_LENGTH], // chunked
      ['d1010354046162', ErrorCode.BAD_VERSION], // type "T"
      ['d1010355ff6162', ErrorCode.BAD_VERSION], // reserved identifier code
      ['d10100550000', ErrorCode.BAD_LENGTH], // empty payload
      ['d1010355046180', ErrorCode.BAD_LENGTH], // not UTF-8
    ];
    for (const [hex, code] of cases) {
      const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
      expect(decodeUriNdefMessage(bytes)).toMatchObject({ ok: false, code });
    }
  });
});

describe('capability container', () => {
  it('is 15 bytes: CCLEN, mapping 2.0, MLe, MLc, a read-only NDEF File Control TLV', () => {
    const cc = encodeCapabilityContainer({ readLengthMax: 0x54, ndefFileId: 0xe104, ndefFileSizeMax: 0x400 });
    expect(toHex(cc)).toBe(
      [
        '000f', // CCLEN
        '20', // mapping version 2.0
        '0054', // MLe
        '00ff', // MLc
        '04', // T: NDEF File Control TLV
        '06', // L
        'e104', // NDEF file id
        '0400', // maximum NDEF file size
        '00', // read access: granted
        'ff', // write access: none
      ].join(''),
    );
    expect(decodeCapabilityContainer(cc)).toEqual({
      ok: true,
      value: {
        mappingVersion: 0x20,
        readLengthMax: 0x54,
        commandDataMax: 0xff,
        ndefFileId: 0xe104,
        ndefFileSizeMax: 0x400,
        readAccess: 0,
        writeAccess: 0xff,
      },
    });
  });

  it('takes another NDEF file id and refuses reserved ones', () => {
    const tag = new Type4Tag({ url: () => 'https://a.cn', ndefFileId: 0x0001 });
    expect(toHex(tag.capabilityContainer.subarray(9, 11))).toBe('0001');
    for (const ndefFileId of [0x0000, 0xe102, 0xe103, 0x3f00, 0x3fff, 0xffff]) {
      expect(() => new Type4Tag({ url: () => 'https://a.cn', ndefFileId })).toThrow();
    }
    expect(() => new Type4Tag({ url: () => 'https://a.cn', readLengthMax: 0x0e })).toThrow();
  });
});
