// One contract suite for the reader as a Type 4 tag, run against the state machine itself
// (type4-tag.test.ts) and through the PN532 target loop over a virtual PN532 (pn532-target.test.ts):
// what a phone reads, the status words for every wrong step, field loss and random APDUs.
import { ErrorCode, decodeResponseApdu, fromHex, toHex, type Result } from '@redtap/shared';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readBinaryApdu,
  selectFileApdu,
  selectNdefApplicationApdu,
  type NdefRead,
  type PhoneReadOptions,
} from './ndef-phone-reader.ts';
import { CC_FILE_ID, TagStatusWord, type Type4Tag, type Type4TagOptions } from './type4-tag.ts';

export interface PhoneReadRigOptions extends PhoneReadOptions {
  /** How the phone goes: a clean release (default), or the field dropping mid-exchange. */
  leave?: 'release' | 'field-lost';
}

export interface TagRig {
  readonly tag: Type4Tag;
  /** One phone presence: these C-APDUs in order, then the phone leaves. Resolves with the R-APDUs. */
  exchange(apdus: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** One background read by a phone, which then leaves. */
  phoneRead(options?: PhoneReadRigOptions): Promise<Result<NdefRead>>;
  close(): Promise<void>;
}

export type CreateTagRig = (options: Type4TagOptions) => Promise<TagRig>;

export interface ContractOptions {
  /** Random APDU sequences for the fuzz case; the in-process rig affords more than the PN532 one. */
  fuzzRuns: number;
}

const CLAIM_URL = 'https://r.redtap.cn/claim?t=AQAAAAAAAAAqAAAAAWV_mgAAAAACAQIDBAUGBwg';
const KNOWN_STATUS_WORDS = new Set<number>(Object.values(TagStatusWord));

function sw(reply: Uint8Array | undefined): string {
  if (reply === undefined) return 'none';
  const decoded = decodeResponseApdu(reply);
  return decoded.ok ? toHex(reply.subarray(-2)) : `malformed ${toHex(reply)}`;
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === null) throw new Error(`bad hex fixture ${text}`);
  return bytes;
}

/** A provider that hands out `<base>?n=1`, `?n=2`…, counting its calls. */
function countingProvider(base = 'https://r.redtap.cn/claim'): {
  provider: () => string;
  calls: () => number;
} {
  let calls = 0;
  return {
    provider: () => {
      calls += 1;
      return `${base}?n=${calls}`;
    },
    calls: () => calls,
  };
}

export function describeType4TagContract(
  name: string,
  createRig: CreateTagRig,
  options: ContractOptions,
): void {
  describe(`Type 4 tag contract: ${name}`, () => {
    let rig: TagRig | null = null;
    const open = async (tagOptions: Type4TagOptions): Promise<TagRig> => {
      rig = await createRig(tagOptions);
      return rig;
    };
    afterEach(async () => {
      await rig?.close();
      rig = null;
    });

    it('a phone reads the exact URL, with one provider call', async () => {
      const { provider, calls } = countingProvider();
      const url = CLAIM_URL;
      const tag = await open({ url: () => (provider(), url) });
      const read = await tag.phoneRead();
      expect(read).toMatchObject({ ok: true, value: { url } });
      expect(calls()).toBe(1);
      expect(tag.tag.sessions).toBe(1);
      expect(tag.tag.completeReads).toBe(1);
    });

    it('takes the URL as UTF-8 bytes too, and keeps non-ASCII intact', async () => {
      const url = 'https://r.redtap.cn/领红包?t=1';
      const tag = await open({ url: () => new TextEncoder().encode(url) });
      expect(await tag.phoneRead()).toMatchObject({ ok: true, value: { url } });
    });

    it('serves the CC and NDEF file byte for byte', async () => {
      const tag = await open({ url: () => 'https://a.cn' });
      const replies = await tag.exchange([
        selectNdefApplicationApdu(),
        selectFileApdu(CC_FILE_ID),
        readBinaryApdu(0, 15),
        selectFileApdu(0xe104),
        readBinaryApdu(0, 2),
        readBinaryApdu(2, 9),
      ]);
      expect(replies.map((reply) => toHex(reply))).toEqual([
        '9000',
        '9000',
        // CCLEN 000F, version 20, MLe 0054, MLc 00FF, TLV 04 06: file E104, max 0400, read 00, write FF
        '000f20005400ff0406e104040000ff9000',
        '9000',
        '0009' + '9000', // NLEN 9
        // D1: MB ME SR TNF=1; type length 1; payload length 5; "U"; 04 = https://; "a.cn"
        'd1010555' + '04' + toHex(new TextEncoder().encode('a.cn')) + '9000',
      ]);
    });

    it('gives every read session a fresh URL, one provider call each', async () => {
      const { provider, calls } = countingProvider();
      const tag = await open({ url: provider });
      const urls: string[] = [];
      for (let read = 0; read < 3; read++) {
        const result = await tag.phoneRead();
        expect(result.ok).toBe(true);
        if (result.ok) urls.push(result.value.url);
      }
      expect(urls).toEqual([1, 2, 3].map((n) => `https://r.redtap.cn/claim?n=${n}`));
      expect(calls()).toBe(3);
    });

    it('keeps the URL fixed within a session (NLEN first, body later) and renews it on the next SELECT', async () => {
      const { provider, calls } = countingProvider();
      const tag = await open({ url: provider });
      const replies = await tag.exchange([
        selectNdefApplicationApdu(),
        selectFileApdu(0xe104),
        readBinaryApdu(0, 2),
        readBinaryApdu(2, 0x54),
        selectFileApdu(CC_FILE_ID),
        selectFileApdu(0xe104),
        readBinaryApdu(2, 0x54),
        selectNdefApplicationApdu(),
        selectFileApdu(0xe104),
        readBinaryApdu(2, 0x54),
      ]);
      const body = (reply: Uint8Array | undefined): string =>
        toHex(reply?.subarray(0, -2) ?? new Uint8Array(0));
      expect(body(replies[6])).toBe(body(replies[3]));
      expect(body(replies[9])).not.toBe(body(replies[3]));
      expect(body(replies[3])).toContain(toHex(new TextEncoder().encode('?n=1')));
      expect(body(replies[9])).toContain(toHex(new TextEncoder().encode('?n=2')));
      expect(calls()).toBe(2);
    });

    for (const readLengthMax of [0x0f, 0x54, 0xf9]) {
      it(`splits a long URL across READ BINARY calls of at most MLe ${readLengthMax} bytes`, async () => {
        // 600 characters: a long record (payload > 255, 4-byte length) read in ⌈file / MLe⌉ pieces.
        const url = `https://r.redtap.cn/claim?t=${'A'.repeat(572)}`;
        const tag = await open({ url: () => url, readLengthMax });
        const read = await tag.phoneRead();
        expect(read).toMatchObject({ ok: true, value: { url } });
        if (!read.ok) return;
        const file = read.value.ndefFile;
        expect(file[2]).toBe(0xc1); // MB ME, no SR, TNF 1
        expect(read.value.capabilityContainer.readLengthMax).toBe(readLengthMax);
        // SELECT app, SELECT CC, READ CC, SELECT NDEF, READ NLEN, then the body in MLe pieces.
        expect(read.value.apdus).toBe(5 + Math.ceil((file.length - 2) / readLengthMax));
      });
    }

    it('answers a read running past the end with what is there', async () => {
      const tag = await open({ url: () => 'https://a.cn' });
      const replies = await tag.exchange([
        selectNdefApplicationApdu(),
        selectFileApdu(0xe104),
        readBinaryApdu(8, 0x54),
      ]);
      expect(toHex(replies[2] ?? new Uint8Array(0))).toBe(toHex(new TextEncoder().encode('.cn')) + '9000');
    });

    const statusCases: { name: string; apdus: string[]; expected: string[] }[] = [
      { name: 'READ BINARY before any SELECT', apdus: ['00B0000002'], expected: ['6986'] },
      {
        name: 'READ BINARY with the application but no file selected',
        apdus: ['00A4040007D276000085010100', '00B0000002'],
        expected: ['9000', '6986'],
      },
      { name: 'SELECT of the CC before the application', apdus: ['00A4000C02E103'], expected: ['6a82'] },
      {
        name: 'SELECT of an unknown file',
        apdus: ['00A4040007D276000085010100', '00A4000C02E105', '00A4000C023F00'],
        expected: ['9000', '6a82', '6a82'],
      },
      {
        name: 'a failed file SELECT keeps the current file',
        apdus: ['00A4040007D276000085010100', '00A4000C02E103', '00A4000C02E105', '00B000000F'],
        expected: ['9000', '9000', '6a82', '000f20005400ff0406e104040000ff9000'],
      },
      {
        name: 'SELECT of another application ends the session',
        apdus: ['00A4040007D276000085010100', '00A4000C02E103', '00A4040007F052454454415000', '00B000000F'],
        expected: ['9000', '9000', '6a82', '6986'],
      },
      {
        name: 'SELECT of the mapping 1.0 application name',
        apdus: ['00A4040007D276000085010000'],
        expected: ['6a82'],
      },
      {
        name: 'offsets at or beyond the end of a file',
        apdus: ['00A4040007D276000085010100', '00A4000C02E103', '00B0000F01', '00B07FFF01'],
        expected: ['9000', '9000', '6b00', '6b00'],
      },
      {
        name: 'wrong lengths: Le above MLe, Le absent, data in READ, a 3-byte file id, Lc mismatch, 3 bytes',
        apdus: [
          '00A4040007D276000085010100',
          '00A4000C02E103',
          '00B0000055',
          '00B0000000',
          '00B00000',
          '00B000000100',
          '00A4000C03E10300',
          '00A4000C05E103',
          '00A400',
        ],
        expected: ['9000', '9000', '6700', '6700', '6700', '6700', '6700', '6700', '6700'],
      },
      {
        name: 'short-EF addressing finds no file',
        apdus: ['00A4040007D276000085010100', '00A4000C02E103', '00B0810002', '00D6810001FF'],
        expected: ['9000', '9000', '6a82', '6a82'],
      },
      {
        name: 'unknown instructions and classes (class checked first)',
        apdus: ['00CA000000', '00B10000020000', '80B0000002', '90A4040007D276000085010100', 'FFCA000000'],
        expected: ['6d00', '6d00', '6e00', '6e00', '6e00'],
      },
      {
        name: 'UPDATE BINARY refused: nothing selected, the CC, the NDEF file',
        apdus: [
          '00D6000001FF',
          '00A4040007D276000085010100',
          '00D6000001FF',
          '00A4000C02E103',
          '00D6000001FF',
          '00A4000C02E104',
          '00D60000020000',
          '00B0000002',
        ],
        // NLEN 48 (4-byte header, code 04, 43 characters) untouched by the refused write.
        expected: ['6986', '9000', '6986', '9000', '6982', '9000', '6982', '0030' + '9000'],
      },
      {
        name: 'SELECT with parameters T4T does not use',
        apdus: [
          '00A4040107D276000085010100',
          '00A4080C02E103',
          '00A4040007D276000085010100',
          '00A40004023F00',
        ],
        expected: ['6a86', '6a86', '9000', '6a86'],
      },
    ];
    for (const statusCase of statusCases) {
      it(`status words: ${statusCase.name}`, async () => {
        const tag = await open({ url: () => 'https://r.redtap.cn/claim?t=status-words-0123456789' });
        const replies = await tag.exchange(statusCase.apdus.map(hex));
        expect(replies.map((reply) => (reply.length === 2 ? sw(reply) : toHex(reply)))).toEqual(
          statusCase.expected,
        );
      });
    }

    it('a phone that leaves mid-read leaves no trace: the next session reads its own fresh URL', async () => {
      const { provider, calls } = countingProvider();
      const tag = await open({ url: provider });
      // SELECT app, SELECT CC, READ CC, SELECT NDEF, READ NLEN: gone before the body.
      const cut = await tag.phoneRead({ leaveAfterApdus: 5, leave: 'field-lost' });
      expect(cut).toMatchObject({ ok: false, code: ErrorCode.CARD_REMOVED });
      const again = await tag.phoneRead();
      expect(again).toMatchObject({ ok: true, value: { url: 'https://r.redtap.cn/claim?n=2' } });
      expect(calls()).toBe(2);
      expect(tag.tag.completeReads).toBe(1);
    });

    it('a provider that fails or gives a URL too long for the file is refused at SELECT, then recovers', async () => {
      let mode: 'throw' | 'long' | 'ok' = 'throw';
      const tag = await open({
        url: () => {
          if (mode === 'throw') throw new Error('no ticket yet');
          return mode === 'long' ? `https://r.redtap.cn/${'x'.repeat(2000)}` : CLAIM_URL;
        },
        ndefFileSizeMax: 512,
      });
      expect(await tag.phoneRead()).toMatchObject({ ok: false, code: ErrorCode.APDU_STATUS });
      mode = 'long';
      expect(await tag.phoneRead()).toMatchObject({ ok: false, code: ErrorCode.APDU_STATUS });
      expect(tag.tag.providerFailures).toBe(2);
      expect(tag.tag.lastProviderError).toContain('512');
      mode = 'ok';
      expect(await tag.phoneRead()).toMatchObject({ ok: true, value: { url: CLAIM_URL } });
    });

    it(`random APDUs never throw and always get a status word (${options.fuzzRuns} sequences)`, async () => {
      const tag = await open({ url: countingProvider().provider });
      const structured = fc
        .record({
          cla: fc.constantFrom(0x00, 0x00, 0x00, 0x80, 0xff),
          ins: fc.constantFrom(0xa4, 0xb0, 0xd6, 0xca, 0x00),
          p1: fc.constantFrom(0x00, 0x04, 0x80, 0x7f, 0xff),
          p2: fc.constantFrom(0x00, 0x0c, 0x02, 0xff),
          data: fc.oneof(
            fc.constant(Uint8Array.of(0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01)),
            fc.constantFrom(Uint8Array.of(0xe1, 0x03), Uint8Array.of(0xe1, 0x04)),
            fc.uint8Array({ maxLength: 20 }),
          ),
          le: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
        })
        .map(({ cla, ins, p1, p2, data, le }) => {
          const header = [cla, ins, p1, p2];
          const body = data.length > 0 ? [data.length, ...data] : [];
          return Uint8Array.from([...header, ...body, ...(le === undefined ? [] : [le])]);
        });
      const apdu = fc.oneof(structured, fc.uint8Array({ maxLength: 261 }));
      await fc.assert(
        fc.asyncProperty(fc.array(apdu, { minLength: 1, maxLength: 8 }), async (apdus) => {
          const replies = await tag.exchange(apdus);
          expect(replies).toHaveLength(apdus.length);
          for (const reply of replies) {
            expect(reply.length).toBeGreaterThanOrEqual(2);
            const decoded = decodeResponseApdu(reply);
            expect(decoded.ok && KNOWN_STATUS_WORDS.has(decoded.value.sw)).toBe(true);
            // Data only ever comes with 90 00.
            if (reply.length > 2) expect(sw(reply)).toBe('9000');
          }
        }),
        { numRuns: options.fuzzRuns, seed: 0x7e4 },
      );
      // The tag is still a good tag afterwards.
      expect((await tag.phoneRead()).ok).toBe(true);
    });
  });
}
