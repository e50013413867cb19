// Keeps docs/protocol.md §6 honest: its hex dumps must decode, verify and equal the test vectors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { sampleHex, testKeys } from './test-vectors.ts';
import { decodeCredential, verifyCredentialSignature } from './wire/credential.ts';
import { cityKey } from './rules/network-rules.ts';
import { decodeDayStateRequest, verifyDayState } from './wire/day-state.ts';
import { decodeDeck, verifyDeckSignature } from './wire/deck.ts';
import { decodeTapToken, verifyTapTokenSignature } from './wire/tap-token.ts';
import { CLAIMED_BYTES_MAX, TicketClaimed } from './schemas.ts';
import { ticketFromUrl, verifyTicketSignature } from './ticket.ts';

const doc = readFileSync(fileURLToPath(new URL('../../docs/protocol.md', import.meta.url)), 'utf8');

function dump(name: string): Uint8Array {
  const block = new RegExp('```hex ' + name + '\\n([\\s\\S]*?)```').exec(doc)?.[1];
  if (block === undefined) throw new Error(`docs/protocol.md has no hex block ${name}`);
  const hex = block
    .split('\n')
    .map((line) => line.replace(/^[0-9a-f]{4}\s+/, ''))
    .join('');
  const bytes = fromHex(hex);
  if (bytes === null) throw new Error(`hex block ${name} is not hex`);
  return bytes;
}

describe('docs/protocol.md sample dumps', () => {
  const { issuer, screen } = testKeys();

  it('credential', () => {
    const bytes = dump('sample-credential');
    expect(toHex(bytes)).toBe(sampleHex.credential);
    expect(decodeCredential(bytes).ok).toBe(true);
    expect(verifyCredentialSignature(bytes, issuer.publicKey)).toBe(true);
  });

  it('tap token', () => {
    const bytes = dump('sample-token');
    expect(toHex(bytes)).toBe(sampleHex.token);
    expect(decodeTapToken(bytes)).toMatchObject({
      ok: true,
      value: { screenId: 1001, counter: 7, amountFen: 88 },
    });
    expect(verifyTapTokenSignature(bytes, screen.publicKey)).toBe(true);
  });

  it('deck', () => {
    const bytes = dump('sample-deck');
    expect(toHex(bytes)).toBe(sampleHex.deck);
    expect(decodeDeck(bytes)).toMatchObject({ ok: true, value: { deckId: 900, campaignId: 12 } });
    expect(verifyDeckSignature(bytes, issuer.publicKey)).toBe(true);
  });

  it('deck with a fallback-coupon allotment (version 2)', () => {
    const bytes = dump('sample-deck-v2');
    expect(toHex(bytes)).toBe(sampleHex.deckV2);
    expect(decodeDeck(bytes)).toMatchObject({
      ok: true,
      value: { version: 2, deckId: 901, fallbackCount: 2, envelopes: { length: 4 } },
    });
    expect(verifyDeckSignature(bytes, issuer.publicKey)).toBe(true);
  });

  it('claim ticket and its URL', () => {
    const bytes = dump('sample-ticket');
    expect(toHex(bytes)).toBe(sampleHex.ticket);
    expect(verifyTicketSignature(bytes, screen.publicKey)).toBe(true);
    const url = /```text sample-ticket-url\n(.*)\n```/.exec(doc)?.[1] ?? '';
    const read = ticketFromUrl(url);
    expect(read).toMatchObject({
      ok: true,
      value: { ticket: { screenId: 1001, ticketSeq: 3, ts: 1_795_000_000, campaignId: 12, path: 1 } },
    });
    expect(read.ok && toHex(read.value.bytes)).toBe(sampleHex.ticket);
  });

  it('day state request and answer', () => {
    const { phone } = testKeys();
    const request = dump('sample-day-state-request');
    const bytes = dump('sample-day-state');
    expect(toHex(request)).toBe(sampleHex.dayStateRequest);
    expect(toHex(bytes)).toBe(sampleHex.dayState);
    expect(decodeDayStateRequest(request)).toMatchObject({
      ok: true,
      value: { screenId: 1001, cityKey: cityKey('Shanghai'), dayStart: 1_794_931_200, ts: 1_795_000_000 },
    });
    expect(verifyDayState(bytes, { request, phoneKey: phone.publicKey, walletId: 4242 })).toMatchObject({
      ok: true,
      value: {
        cashCount: 2,
        cashFen: 123,
        campaigns: [{ campaignId: 12, advertiserId: 3, cash: 2, coupons: 1 }],
      },
    });
  });
});

describe('docs/protocol.md §5.7 claimed messages', () => {
  it('are valid messages as written, within the bound, and name every outcome', () => {
    const block = /```json claimed-samples\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const lines = block.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(5);
    const parsed = lines.map((line) => {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(CLAIMED_BYTES_MAX);
      const message = TicketClaimed.safeParse(JSON.parse(line));
      expect(message.success, line).toBe(true);
      return message.data;
    });
    expect(parsed.map((message) => message?.result?.status ?? null)).toEqual([
      'credited',
      'credited',
      'held',
      'rejected',
      null,
    ]);
  });
});
