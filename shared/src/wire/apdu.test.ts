import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import {
  getDayStateApdu,
  decodeCommandApdu,
  decodeResponseApdu,
  encodeResponseApdu,
  putReceiptApdu,
  selectApdu,
  signChallengeApdu,
  statusWordHex,
  StatusWord,
} from './apdu.ts';

describe('APDU framing (ISO 7816-4 short APDUs)', () => {
  it('builds SELECT exactly as docs/protocol.md §4.1', () => {
    expect(toHex(selectApdu())).toBe(
      toHex(fromHex('00 A4 04 00 07 F0 52 45 44 54 41 50 00') ?? new Uint8Array()),
    );
  });

  it('builds SIGN CHALLENGE: 80 10 00 00 24 <36 B> 00', () => {
    const challenge = new Uint8Array(36).fill(7);
    const apdu = signChallengeApdu(challenge);
    expect(toHex(apdu.subarray(0, 5))).toBe('8010000024');
    expect(apdu.subarray(5, 41)).toEqual(challenge);
    expect(apdu.at(-1)).toBe(0x00);
    expect(apdu).toHaveLength(42);
  });

  it('builds PUT RECEIPT: 80 20 00 00 C4 <196 B>, no Le', () => {
    const apdu = putReceiptApdu(new Uint8Array(196).fill(1));
    expect(toHex(apdu.subarray(0, 5))).toBe('80200000c4');
    expect(apdu).toHaveLength(201);
  });

  it('builds GET DAY STATE: 80 30 00 00 20 <32 B> 00', () => {
    const apdu = getDayStateApdu(new Uint8Array(32).fill(3));
    expect(toHex(apdu.subarray(0, 5))).toBe('8030000020');
    expect(apdu.at(-1)).toBe(0x00);
    expect(apdu).toHaveLength(38);
    expect(() => getDayStateApdu(new Uint8Array(31))).toThrow(RangeError);
  });

  it('builds the long PUT RECEIPT: 80 20 00 00 CC <196 B> <8 B>, no Le', () => {
    const apdu = putReceiptApdu(new Uint8Array(196).fill(1), Uint8Array.of(0, 0, 0, 7, 0, 0, 0, 9));
    expect(toHex(apdu.subarray(0, 5))).toBe('80200000cc');
    expect(toHex(apdu.subarray(201))).toBe('0000000700000009');
    expect(apdu).toHaveLength(209);
    expect(() => putReceiptApdu(new Uint8Array(196), new Uint8Array(7))).toThrow(RangeError);
  });

  it('refuses wrong-sized challenge and token as programmer errors', () => {
    expect(() => signChallengeApdu(new Uint8Array(35))).toThrow(RangeError);
    expect(() => putReceiptApdu(new Uint8Array(195))).toThrow(RangeError);
  });

  it('decodes all four ISO cases', () => {
    expect(decodeCommandApdu(Uint8Array.of(0x80, 0x10, 1, 2))).toMatchObject({
      ok: true,
      value: { cla: 0x80, ins: 0x10, p1: 1, p2: 2, data: new Uint8Array(0) },
    });
    expect(decodeCommandApdu(Uint8Array.of(0, 0xb0, 0, 0, 0))).toMatchObject({
      ok: true,
      value: { le: 256 },
    });
    expect(decodeCommandApdu(putReceiptApdu(new Uint8Array(196)))).toMatchObject({
      ok: true,
      value: { ins: 0x20, data: new Uint8Array(196) },
    });
    const select = decodeCommandApdu(selectApdu());
    expect(select.ok && select.value).toMatchObject({ ins: 0xa4, p1: 4, le: 256 });
    expect(select.ok && toHex(select.value.data)).toBe('f0524544544150');
  });

  it.each([
    ['too short', Uint8Array.of(0x00, 0xa4, 0x04)],
    ['Lc longer than data', Uint8Array.of(0x80, 0x10, 0, 0, 0x24, 1, 2, 3)],
    ['trailing bytes after Le', concatBytes(Uint8Array.of(0x80, 0x10, 0, 0, 1, 9, 0, 0))],
    ['extended length', Uint8Array.of(0x80, 0x10, 0, 0, 0, 0, 1, 9)],
  ])('rejects a command APDU that is %s with APDU_MALFORMED', (_name, bytes) => {
    expect(decodeCommandApdu(bytes)).toMatchObject({ ok: false, code: 'APDU_MALFORMED' });
  });

  it('splits responses into data and status word', () => {
    expect(decodeResponseApdu(Uint8Array.of(1, 2, 0x90, 0x00))).toEqual({
      ok: true,
      value: { data: Uint8Array.of(1, 2), sw: StatusWord.ok },
    });
    expect(decodeResponseApdu(Uint8Array.of(0x6a, 0x82))).toMatchObject({ ok: true, value: { sw: 0x6a82 } });
    expect(decodeResponseApdu(Uint8Array.of(0x90))).toMatchObject({ ok: false, code: 'APDU_MALFORMED' });
    const response = { data: Uint8Array.of(9), sw: StatusWord.conditionsNotSatisfied };
    expect(decodeResponseApdu(encodeResponseApdu(response))).toEqual({ ok: true, value: response });
    expect(statusWordHex(0x6985)).toBe('69 85');
  });
});
