// The Type 4 tag contract through the PN532 target loop and a virtual PN532, and the loop's own
// behaviour: the frames it sends, PN532 status bytes, bounds and garbage from the reader.
import { ErrorCode, toHex } from '@redtap/shared';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Pn532Status,
  decodeDirectTransmitReply,
  directTransmitApdu,
  outcomeOfPn532Status,
  pcscPn532Transmit,
  runTagSession,
  tgInitAsTargetParams,
  type TagSessionOptions,
  type TagSessionResult,
} from './pn532-target.ts';
import {
  readBinaryApdu,
  readNdefUrlAsPhone,
  selectFileApdu,
  selectNdefApplicationApdu,
} from './ndef-phone-reader.ts';
import { TransportError } from './transport.ts';
import { describeType4TagContract } from './type4-tag.contract.ts';
import { Type4Tag } from './type4-tag.ts';
import { VirtualPn532 } from './virtual-pn532.ts';

/** Generous bounds: the virtual PN532 answers at once, a busy machine may still be slow. */
const BOUND_MS = 10_000;

function session(pn532: VirtualPn532, tag: Type4Tag, options: Partial<TagSessionOptions> = {}) {
  return runTagSession({
    transmit: pn532.transmit,
    tag,
    waitForPhoneMs: BOUND_MS,
    sessionBudgetMs: BOUND_MS,
    exchangesMax: 256,
    ...options,
  });
}

describeType4TagContract(
  'PN532 target over a virtual PN532',
  (options) => {
    const tag = new Type4Tag(options);
    const pn532 = new VirtualPn532();
    return Promise.resolve({
      tag,
      exchange: async (apdus) => {
        const running = session(pn532, tag);
        const phone = pn532.enterField();
        const replies: Uint8Array[] = [];
        for (const apdu of apdus) replies.push(await phone.transceive(apdu));
        phone.leave();
        const result = await running;
        expect(result).toMatchObject({ outcome: 'released', exchanges: apdus.length });
        return replies;
      },
      phoneRead: async (readOptions = {}) => {
        const running = session(pn532, tag);
        const fieldLost = readOptions.leave === 'field-lost';
        const read = await pn532.readAsPhone({
          ...readOptions,
          leaveStatus: fieldLost ? Pn532Status.timeout : Pn532Status.releasedByInitiator,
        });
        const result = await running;
        expect(result.outcome).toBe(fieldLost ? 'field-lost' : 'released');
        return read;
      },
      close: () => Promise.resolve(),
    });
  },
  { fuzzRuns: 300 },
);

describe('PN532 frames', () => {
  it('wraps PN532 commands in the ACR122U direct transmit', () => {
    expect(toHex(directTransmitApdu(0x12, Uint8Array.of(0x30)))).toBe('ff00000003d41230');
    expect(toHex(directTransmitApdu(0x86, new Uint8Array(0)))).toBe('ff00000002d486');
    expect(() => directTransmitApdu(0x8e, new Uint8Array(254))).toThrow();
  });

  it('builds TgInitAsTarget for ISO 14443-4 PICC emulation', () => {
    expect(toHex(directTransmitApdu(0x8c, tgInitAsTargetParams(Uint8Array.of(0x12, 0x34, 0x56))))).toBe(
      [
        'ff000000', // ACR122U direct transmit
        '27', // Lc 39
        'd48c', // TgInitAsTarget
        '05', // Mode: PassiveOnly | PICCOnly
        '0400', // SENS_RES (ATQA 0004, LSB first)
        '123456', // NFCID1t (the PN532 puts 08 in front: a random UID)
        '20', // SEL_RES: ISO 14443-4 compliant
        '00'.repeat(18), // FeliCaParams, unused
        '00'.repeat(10), // NFCID3t, unused
        '00', // LEN Gt
        '00', // LEN Tk
      ].join(''),
    );
  });

  it('decodes replies, and names what is wrong with bad ones', () => {
    expect(decodeDirectTransmitReply(Uint8Array.of(0xd5, 0x87, 0x00, 0xaa, 0x90, 0x00), 0x86)).toEqual({
      ok: true,
      value: Uint8Array.of(0x00, 0xaa),
    });
    const bad: [number[], string][] = [
      [[0x63, 0x00], ErrorCode.READER_ERROR],
      [[0xd5, 0x87, 0x00, 0x6a, 0x81], ErrorCode.READER_ERROR],
      [[0xd5, 0x8f, 0x00, 0x90, 0x00], ErrorCode.APDU_MALFORMED],
      [[0xd4, 0x87, 0x00, 0x90, 0x00], ErrorCode.APDU_MALFORMED],
      [[0x90, 0x00], ErrorCode.APDU_MALFORMED],
      [[0x90], ErrorCode.APDU_MALFORMED],
      [[], ErrorCode.APDU_MALFORMED],
    ];
    for (const [bytes, code] of bad) {
      expect(decodeDirectTransmitReply(Uint8Array.from(bytes), 0x86)).toMatchObject({ ok: false, code });
    }
  });

  it('maps PN532 error bytes to outcomes', () => {
    expect(outcomeOfPn532Status(0x29)).toBe('released');
    expect(outcomeOfPn532Status(0x69)).toBe('released'); // MI set, error 29
    expect([0x01, 0x0a, 0x2b].map(outcomeOfPn532Status)).toEqual(['field-lost', 'field-lost', 'field-lost']);
    expect([0x02, 0x03, 0x05, 0x0b, 0x13].map(outcomeOfPn532Status)).toEqual(Array(5).fill('rf-error'));
    expect([0x10, 0x25, 0x27, 0x3f].map(outcomeOfPn532Status)).toEqual(Array(4).fill('reader-error'));
  });
});

describe('PN532 target session', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sets the PICC parameters, arms with the given UID, then relays TgGetData / TgSetData', async () => {
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://r.redtap.cn/claim?t=1' });
    const running = session(pn532, tag, { nfcid1: Uint8Array.of(1, 2, 3) });
    const read = await pn532.readAsPhone();
    const result = await running;
    expect(read).toMatchObject({ ok: true, value: { url: 'https://r.redtap.cn/claim?t=1' } });
    expect(result).toMatchObject({
      outcome: 'released',
      pn532Status: 0x29,
      exchanges: 6,
      readSessions: 1,
      completeReads: 1,
    });
    expect(pn532.parameters).toBe(0x30);
    expect(pn532.lastNfcid1).toEqual(Uint8Array.of(1, 2, 3));
    // SetParameters, TgInitAsTarget, 6 × (TgGetData, TgSetData), the TgGetData that saw the release.
    expect(pn532.commands).toEqual([0x12, 0x8c, ...Array<number[]>(6).fill([0x86, 0x8e]).flat(), 0x86]);
  });

  it('draws a fresh random UID for every activation by default', async () => {
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://a.cn' });
    const uids: string[] = [];
    for (let read = 0; read < 3; read++) {
      const running = session(pn532, tag);
      await pn532.readAsPhone();
      await running;
      uids.push(toHex(pn532.lastNfcid1 ?? new Uint8Array(0)));
    }
    expect(new Set(uids).size).toBe(3);
  });

  it('reassembles a C-APDU the PN532 hands over in chained parts (MI)', async () => {
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://a.cn' });
    const running = session(pn532, tag);
    const phone = pn532.enterField();
    // A 150-byte SELECT by name with an unknown AID arrives in three TgGetData parts.
    const long = Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x91, ...new Uint8Array(0x91).fill(0xab)]);
    expect(toHex(await phone.transceive(long))).toBe('6700');
    expect(toHex(await phone.transceive(selectNdefApplicationApdu()))).toBe('9000');
    phone.leave();
    expect(await running).toMatchObject({ outcome: 'released', exchanges: 2 });
    expect(pn532.commands.filter((command) => command === 0x86)).toHaveLength(5);
  });

  it('ends as no-phone when nobody comes within waitForPhoneMs, or when the slice signal ends the wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://a.cn' });
    const waited = session(pn532, tag, { waitForPhoneMs: 1500 });
    await vi.advanceTimersByTimeAsync(1499);
    expect(pn532.waitingForPhone).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waited).toMatchObject({ outcome: 'no-phone', exchanges: 0, readSessions: 0 });
    expect(pn532.waitingForPhone).toBe(false);

    const slice = new AbortController();
    const cut = session(pn532, tag, { signal: slice.signal });
    await vi.advanceTimersByTimeAsync(10);
    slice.abort();
    expect(await cut).toMatchObject({ outcome: 'no-phone' });
  });

  it('lets a phone that is reading finish after the slice signal, within the session budget', async () => {
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://a.cn' });
    const slice = new AbortController();
    const running = session(pn532, tag, { signal: slice.signal });
    const phone = pn532.enterField();
    expect(toHex(await phone.transceive(selectNdefApplicationApdu()))).toBe('9000');
    slice.abort();
    expect(toHex(await phone.transceive(selectFileApdu(0xe104)))).toBe('9000');
    expect(toHex(await phone.transceive(readBinaryApdu(0, 2)))).toBe('00099000');
    phone.leave();
    expect(await running).toMatchObject({ outcome: 'released', exchanges: 3 });
  });

  it('ends at exchangesMax and at the session budget, and the next session starts clean', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const pn532 = new VirtualPn532();
    const tag = new Type4Tag({ url: () => 'https://a.cn' });
    const limited = session(pn532, tag, { exchangesMax: 2 });
    const phone = pn532.enterField();
    await phone.transceive(selectNdefApplicationApdu());
    await phone.transceive(selectFileApdu(0xe104));
    expect(await limited).toMatchObject({ outcome: 'exchange-limit', exchanges: 2 });
    phone.leave();

    const budgeted = session(pn532, tag, { sessionBudgetMs: 300 });
    const slow = pn532.enterField();
    await slow.transceive(selectNdefApplicationApdu());
    // The phone now holds still without sending anything.
    await vi.advanceTimersByTimeAsync(300);
    const result = await budgeted;
    expect(result).toMatchObject({ outcome: 'time-limit', exchanges: 1 });
    slow.leave();
    // Neither session's selection survives: a READ now finds no file.
    const next = session(pn532, tag);
    const fresh = pn532.enterField();
    expect(toHex(await fresh.transceive(readBinaryApdu(0, 2)))).toBe('6986');
    fresh.leave();
    await next;
  });

  it('reports field loss and RF errors from the PN532 status byte', async () => {
    for (const [status, outcome] of [
      [Pn532Status.timeout, 'field-lost'],
      [Pn532Status.cardDisappeared, 'field-lost'],
      [Pn532Status.crcError, 'rf-error'],
    ] as const) {
      const pn532 = new VirtualPn532();
      const tag = new Type4Tag({ url: () => 'https://a.cn' });
      const running = session(pn532, tag);
      const read = await pn532.readAsPhone({ leaveAfterApdus: 4, leaveStatus: status });
      expect(read).toMatchObject({ ok: false, code: ErrorCode.CARD_REMOVED });
      expect(await running).toMatchObject({ outcome, pn532Status: status, exchanges: 4, completeReads: 0 });
    }
  });

  it('turns garbage and failures from the reader into reader-error, never an exception', async () => {
    const garbage = [
      Uint8Array.of(0x63, 0x00),
      Uint8Array.of(),
      Uint8Array.of(0x90, 0x00),
      Uint8Array.of(0xd5, 0x13, 0x6a, 0x81),
      Uint8Array.of(0xd5, 0x99, 0x90, 0x00),
      Uint8Array.of(0x01, 0x02, 0x03),
    ];
    for (const bytes of garbage) {
      // At SetParameters, at TgInitAsTarget, and at the first TgGetData.
      for (let at = 0; at < 3; at++) {
        const pn532 = new VirtualPn532();
        const tag = new Type4Tag({ url: () => 'https://a.cn' });
        const filler = [
          Uint8Array.of(0xd5, 0x13, 0x90, 0x00),
          Uint8Array.of(0xd5, 0x8d, 0x08, 0xe0, 0x80, 0x90, 0x00),
        ];
        pn532.injectReplies(...filler.slice(0, at), bytes);
        const result: TagSessionResult = await session(pn532, tag);
        expect(result.outcome).toBe('reader-error');
        expect(result.message.length).toBeGreaterThan(0);
      }
    }
    // Activated as something other than an ISO 14443-4 PICC (mode 04: DEP).
    const pn532 = new VirtualPn532();
    pn532.injectReplies(Uint8Array.of(0xd5, 0x13, 0x90, 0x00), Uint8Array.of(0xd5, 0x8d, 0x04, 0x90, 0x00));
    expect(await session(pn532, new Type4Tag({ url: () => 'https://a.cn' }))).toMatchObject({
      outcome: 'reader-error',
    });
    // A transmit that throws.
    const failing = await runTagSession({
      transmit: () => Promise.reject(new Error('SCardControl failed')),
      tag: new Type4Tag({ url: () => 'https://a.cn' }),
    });
    expect(failing).toMatchObject({ outcome: 'reader-error' });
    expect(failing.message).toContain('SCardControl failed');
  });
});

describe('virtual PN532', () => {
  it('answers what no PN532 would accept with 63 00, and TgGetData before activation with status 25', async () => {
    const pn532 = new VirtualPn532();
    const signal = new AbortController().signal;
    for (const frame of ['010203', 'ff00000002d4', 'ff00000003d486', 'ff00000002d586', 'ff00000002d4ff']) {
      expect(toHex(await pn532.transmit(Uint8Array.from(Buffer.from(frame, 'hex')), signal))).toBe('6300');
    }
    // TgInitAsTarget asking for something other than PICC emulation.
    const dep = tgInitAsTargetParams(Uint8Array.of(1, 2, 3));
    dep[0] = 0x02;
    expect(toHex(await pn532.transmit(directTransmitApdu(0x8c, dep), signal))).toBe('6300');
    expect(toHex(await pn532.transmit(directTransmitApdu(0x86, new Uint8Array(0)), signal))).toBe(
      'd587259000',
    );
    expect(toHex(await pn532.transmit(directTransmitApdu(0x8e, Uint8Array.of(0x90, 0x00)), signal))).toBe(
      'd58f259000',
    );
  });
});

describe('PN532 reply fuzz', () => {
  it('ends every session with an outcome whatever the reader answers, at any step', async () => {
    const outcomes = new Set(['released', 'field-lost', 'rf-error', 'reader-error', 'no-phone']);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          // Well-framed PN532 replies with random contents and status bytes.
          fc
            .tuple(fc.constantFrom(0x13, 0x8d, 0x87, 0x8f), fc.uint8Array({ maxLength: 12 }))
            .map(([code, body]) => Uint8Array.from([0xd5, code, ...body, 0x90, 0x00])),
        ),
        async (at, garbage) => {
          const pn532 = new VirtualPn532();
          const tag = new Type4Tag({ url: () => 'https://r.redtap.cn/claim?t=fuzz' });
          // Replay the real replies up to `at`, then the garbage: a PN532 that goes wrong mid-session.
          const real = pn532.transmit;
          let calls = 0;
          const transmit = (apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> =>
            calls++ === at ? Promise.resolve(garbage) : real(apdu, signal);
          const running = runTagSession({
            transmit,
            tag,
            waitForPhoneMs: BOUND_MS,
            sessionBudgetMs: BOUND_MS,
          });
          const phone = pn532.enterField();
          // The phone leaves when its read ends, or when the session gave up on it.
          const read = readNdefUrlAsPhone(phone.transceive).finally(() => phone.leave());
          const result = await running;
          phone.leave();
          await read;
          expect(outcomes.has(result.outcome)).toBe(true);
        },
      ),
      { numRuns: 500, seed: 0x532 },
    );
  });
});

describe('PN532 over PC/SC', () => {
  it('passes control replies through, fetches 61 xx with GET RESPONSE, wraps failures', async () => {
    const sent: string[] = [];
    const replies = [Buffer.from('6105', 'hex'), Buffer.from('d5139000', 'hex')];
    const transmit = pcscPn532Transmit((data) => {
      sent.push(data.toString('hex'));
      return Promise.resolve(replies.shift() ?? Buffer.alloc(0));
    });
    const reply = await transmit(directTransmitApdu(0x12, Uint8Array.of(0x30)), new AbortController().signal);
    expect(toHex(reply)).toBe('d5139000');
    expect(sent).toEqual(['ff00000003d41230', 'ffc0000005']);

    const broken = pcscPn532Transmit(() => Promise.reject(new Error('0x80100016')));
    await expect(broken(Uint8Array.of(0xff), new AbortController().signal)).rejects.toMatchObject({
      code: ErrorCode.READER_ERROR,
    });
    const stuck = pcscPn532Transmit(() => new Promise<Buffer>(() => undefined));
    const abort = new AbortController();
    const pending = stuck(Uint8Array.of(0xff), abort.signal);
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(TransportError);
  });
});
