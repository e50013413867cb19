import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from './bytes.ts';
import { errorCodes, ErrorCode } from './errors.ts';
import { TicketClaimed } from './schemas.ts';
import { sampleHex, testKeys } from './test-vectors.ts';
import {
  decodeTicket,
  decodeTicketText,
  encodeTicket,
  encodeTicketText,
  signTicket,
  TICKET_LENGTH,
  TICKET_TEXT_LENGTH,
  ticketFromUrl,
  TicketPath,
  ticketUrl,
  verifyTicketSignature,
  type ClaimTicket,
} from './ticket.ts';

const { screen, phone } = testKeys();
const screenSignature = new Uint8Array(64).fill(0x22);
const nonce = Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i);

// docs/protocol.md §3.8, field by field.
const fixture = concatBytes(
  Uint8Array.of(0x01), // u8 version = 1
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0x03, 0xe9), // u64 screenId = 1001
  Uint8Array.of(0, 0, 0, 0x03), // u32 ticketSeq = 3
  Uint8Array.of(0x6a, 0xfd, 0x86, 0xc0), // u32 ts = 1795000000
  Uint8Array.of(0, 0, 0, 0x0c), // u32 campaignId = 12
  Uint8Array.of(0x02), // u8 path = reader as a tag
  nonce, // 8 B nonce
  screenSignature, // 64 B screenSignature over bytes 0..29
);

const fixtureValue: ClaimTicket = {
  version: 1,
  screenId: 1001,
  ticketSeq: 3,
  ts: 1_795_000_000,
  campaignId: 12,
  path: TicketPath.readerTag,
  nonce,
  screenSignature,
};

const sample = fromHex(sampleHex.ticket) ?? new Uint8Array();
const known = new Set<string>(errorCodes);

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[at] = value;
  return out;
}

describe('claim ticket codec (§3.8)', () => {
  it('decodes the annotated fixture and encodes it back', () => {
    expect(fixture.length).toBe(TICKET_LENGTH);
    expect(decodeTicket(fixture)).toEqual({ ok: true, value: fixtureValue });
    expect(toHex(encodeTicket(fixtureValue))).toBe(toHex(fixture));
  });

  it('signs with the screen key under the ticket label, and round-trips', () => {
    const { bytes, ticket } = signTicket(
      { screenId: 7, ticketSeq: 1, ts: 1_795_000_123, campaignId: 0, path: TicketPath.screenQr, nonce },
      screen.privateKey,
    );
    expect(bytes.length).toBe(TICKET_LENGTH);
    expect(verifyTicketSignature(bytes, screen.publicKey)).toBe(true);
    expect(verifyTicketSignature(bytes, phone.publicKey)).toBe(false);
    expect(decodeTicket(bytes)).toEqual({ ok: true, value: ticket });
    expect(toHex(encodeTicket(ticket))).toBe(toHex(bytes));
  });

  it('verifies the sample of §6.6', () => {
    expect(verifyTicketSignature(sample, screen.publicKey)).toBe(true);
    expect(decodeTicket(sample)).toMatchObject({
      ok: true,
      value: { screenId: 1001, ticketSeq: 3, campaignId: 12, path: TicketPath.screenQr },
    });
  });

  it('refuses every truncation and every one-byte extension', () => {
    for (let length = 0; length < TICKET_LENGTH; length++)
      expect(decodeTicket(sample.subarray(0, length))).toMatchObject({
        ok: false,
        code: ErrorCode.TRUNCATED,
      });
    for (let byte = 0; byte < 256; byte += 17)
      expect(decodeTicket(concatBytes(sample, Uint8Array.of(byte)))).toMatchObject({
        ok: false,
        code: ErrorCode.BAD_LENGTH,
      });
    expect(verifyTicketSignature(sample.subarray(0, TICKET_LENGTH - 1), screen.publicKey)).toBe(false);
  });

  it('refuses another version, ticketSeq 0, an unknown path and an id above 2^53 - 1', () => {
    expect(decodeTicket(withByte(fixture, 0, 2))).toMatchObject({ ok: false, code: ErrorCode.BAD_VERSION });
    const seqZero = fixture.slice();
    seqZero.set([0, 0, 0, 0], 9);
    expect(decodeTicket(seqZero)).toMatchObject({ ok: false, code: ErrorCode.TOKEN_INCONSISTENT });
    for (const path of [0, 3, 0xff])
      expect(decodeTicket(withByte(fixture, 21, path))).toMatchObject({
        ok: false,
        code: ErrorCode.TOKEN_INCONSISTENT,
      });
    expect(decodeTicket(withByte(fixture, 1, 0xff))).toMatchObject({
      ok: false,
      code: ErrorCode.U64_OUT_OF_RANGE,
    });
  });

  it('a flipped bit anywhere breaks the signature', () => {
    for (let at = 0; at < TICKET_LENGTH; at++)
      for (const bit of [0, 7]) {
        const flipped = withByte(sample, at, (sample[at] ?? 0) ^ (1 << bit));
        expect(verifyTicketSignature(flipped, screen.publicKey), `byte ${at} bit ${bit}`).toBe(false);
      }
  });

  it('refuses to sign a ticket that would not decode', () => {
    const base = { screenId: 1, ts: 1, campaignId: 0, nonce };
    expect(() => signTicket({ ...base, ticketSeq: 0, path: 1 }, screen.privateKey)).toThrow();
    expect(() => signTicket({ ...base, ticketSeq: 1, path: 3 as TicketPath }, screen.privateKey)).toThrow();
  });

  it('never throws on random or mutated bytes', () => {
    const mutated = fc
      .tuple(fc.nat({ max: TICKET_LENGTH - 1 }), fc.integer({ min: 0, max: 255 }))
      .map(([at, byte]) => withByte(sample, at, byte));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: TICKET_LENGTH + 8 }),
          fc.uint8Array({ minLength: TICKET_LENGTH, maxLength: TICKET_LENGTH }),
          mutated,
        ),
        (input) => {
          const result = decodeTicket(input);
          if (!result.ok) expect(known.has(result.code)).toBe(true);
          verifyTicketSignature(input, screen.publicKey);
        },
      ),
      { numRuns: 20_000 },
    );
  }, 120_000);
});

describe('claim URL (§3.8)', () => {
  const origin = 'https://redtap.example';

  it('is <origin>/claim?t= and 126 characters of base64url, and reads back', () => {
    const url = ticketUrl(origin, sample);
    const text = encodeTicketText(sample);
    expect(text).toHaveLength(TICKET_TEXT_LENGTH);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(url).toBe(`${origin}/claim?t=${text}`);
    expect(text).toBe(Buffer.from(sample).toString('base64url'));
    const read = ticketFromUrl(url);
    expect(read.ok && toHex(read.value.bytes)).toBe(sampleHex.ticket);
    expect(read.ok && read.value.ticket.ticketSeq).toBe(3);
  });

  it('round-trips random bytes through the text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: TICKET_LENGTH, maxLength: TICKET_LENGTH }), (bytes) => {
        const back = decodeTicketText(encodeTicketText(bytes));
        expect(back.ok && toHex(back.value)).toBe(toHex(bytes));
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);

  it('tolerates trailing slashes on the origin, the path and the ticket', () => {
    const text = encodeTicketText(sample);
    expect(ticketUrl(`${origin}//`, sample)).toBe(ticketUrl(origin, sample));
    for (const url of [
      `${origin}/claim/?t=${text}`,
      `${origin}/claim//?t=${text}`,
      `${origin}/claim?t=${text}/`,
      `${origin}/wallet/claim?t=${text}`,
      `http://192.0.2.1:8080/claim?t=${text}&utm=qr`,
    ])
      expect(ticketFromUrl(url), url).toMatchObject({ ok: true, value: { ticket: { screenId: 1001 } } });
  });

  it('refuses other lengths, other characters, unused bits and other URLs', () => {
    const text = encodeTicketText(sample);
    expect(ticketFromUrl(`${origin}/claim?t=${text.slice(0, -1)}`)).toMatchObject({
      ok: false,
      code: ErrorCode.TRUNCATED,
    });
    expect(ticketFromUrl(`${origin}/claim?t=${text}A`)).toMatchObject({
      ok: false,
      code: ErrorCode.BAD_LENGTH,
    });
    expect(ticketFromUrl(`${origin}/claim?t=${text.slice(0, -4)}AA==`)).toMatchObject({
      ok: false,
      code: ErrorCode.TICKET_URL_INVALID,
    });
    expect(decodeTicketText(`+${text.slice(1)}`)).toMatchObject({
      ok: false,
      code: ErrorCode.TICKET_URL_INVALID,
    });
    // The last character carries 2 bits of the last byte and 4 unused bits, which must be 0.
    const last = text.at(-1) ?? '';
    const sloppy = `${text.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    expect(decodeTicketText(sloppy)).toMatchObject({ ok: false, code: ErrorCode.TICKET_URL_INVALID });
    for (const url of [
      'not a url',
      `ftp://redtap.example/claim?t=${text}`,
      `${origin}/claims?t=${text}`,
      `${origin}/claim`,
      `${origin}/claim?t=${text}&t=${text}`,
      `${origin}/claim?t=${text}`.padEnd(4096, 'x'),
    ])
      expect(ticketFromUrl(url), url).toMatchObject({ ok: false, code: ErrorCode.TICKET_URL_INVALID });
  });

  it('a well-formed URL still carries a decoded ticket only when its bytes decode', () => {
    const wrongPath = withByte(sample, 21, 9);
    expect(ticketFromUrl(ticketUrl(origin, wrongPath))).toMatchObject({
      ok: false,
      code: ErrorCode.TOKEN_INCONSISTENT,
    });
  });

  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 140 }), (prefix, t) => {
        for (const url of [prefix, `${origin}/claim?t=${t}`, `${origin}/claim?t=${encodeURIComponent(t)}`]) {
          const result = ticketFromUrl(url);
          if (!result.ok) expect(known.has(result.code)).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);
});

describe('claimed message (§5.7)', () => {
  it('names one ticket of the screen, and nothing else', () => {
    expect(TicketClaimed.safeParse({ ticketSeq: 3, claimedAt: 1_795_000_010 }).success).toBe(true);
    for (const bad of [
      { ticketSeq: 0, claimedAt: 1 },
      { ticketSeq: 2 ** 32, claimedAt: 1 },
      { ticketSeq: 3 },
      { ticketSeq: 3, claimedAt: 1, walletId: 4242 },
      { ticketSeq: '3', claimedAt: 1 },
    ])
      expect(TicketClaimed.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('may carry the outcome: cash or a coupon and the brand when credited, a code when held or refused', () => {
    for (const good of [
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 0, couponTitle: '¥2 off' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'held', code: 'HOLD_ADDRESS_WALLETS' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 84, brand: '茶颜悦色' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'rejected', code: 'CAP_WALLET_DAILY_COUNT' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1, brand: 'x'.repeat(64) } },
    ])
      expect(TicketClaimed.safeParse(good).success, JSON.stringify(good)).toBe(true);
    for (const bad of [
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 0, brand: 'Tea Co' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: -5 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 2 ** 32 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1.5 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: '84' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1, brand: '' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1, brand: 'x'.repeat(65) } },
      {
        ticketSeq: 3,
        claimedAt: 1,
        result: { status: 'credited', amountFen: 1, code: 'CAP_WALLET_DAILY_COUNT' },
      },
      {
        ticketSeq: 3,
        claimedAt: 1,
        result: { status: 'rejected', code: 'CAP_WALLET_DAILY_COUNT', amountFen: 1 },
      },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'rejected', code: 'not a code' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 0 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'credited', amountFen: 1, couponTitle: '' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'held' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'held', code: 'HOLD_ADDRESS_WALLETS', amountFen: 84 } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'rejected' } },
      { ticketSeq: 3, claimedAt: 1, result: { status: 'duplicate', amountFen: 1 } },
      { ticketSeq: 3, claimedAt: 1, result: null },
      { ticketSeq: 3, claimedAt: 1, result: 'credited' },
    ])
      expect(TicketClaimed.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
