// What a `claimed` notice says of its claim (docs/protocol.md §5.7): the amount and brand as recorded,
// a brand shortened to the message's bound, a refusal by its code, and nothing it could not say truly.
import { CLAIMED_BRAND_MAX, CLAIMED_BYTES_MAX, TicketClaimed } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { claimedBrand, claimResultOf } from './claim-notices.ts';

const row = (fields: Partial<Parameters<typeof claimResultOf>[0] & object>) => ({
  screen_id: '7',
  ticket_seq: '3',
  status: 'credited',
  code: null,
  amount_fen: '84',
  brand: '茶颜悦色',
  ...fields,
});

describe('claim notice result', () => {
  it('names the cash paid and the brand that paid, or the refusal', () => {
    expect(claimResultOf(row({}))).toEqual({ status: 'credited', amountFen: 84, brand: '茶颜悦色' });
    expect(claimResultOf(row({ brand: null }))).toEqual({ status: 'credited', amountFen: 84 });
    expect(claimResultOf(row({ brand: '  ' }))).toEqual({ status: 'credited', amountFen: 84 });
    expect(
      claimResultOf(row({ status: 'rejected', code: 'CAP_CAMPAIGN_WALLET', amount_fen: 0, brand: 'Tea Co' })),
    ).toEqual({ status: 'rejected', code: 'CAP_CAMPAIGN_WALLET' });
  });

  it('says nothing of a claim it cannot describe truly', () => {
    expect(claimResultOf(undefined)).toBeUndefined();
    expect(claimResultOf(row({ amount_fen: 0 }))).toBeUndefined();
    expect(claimResultOf(row({ status: 'rejected', code: null }))).toBeUndefined();
    expect(claimResultOf(row({ status: 'held' }))).toBeUndefined();
  });

  it('shortens a long brand at a character boundary, so the message stays within its bounds', () => {
    expect(claimedBrand('Tea Co')).toBe('Tea Co');
    const long = '🧋'.repeat(100);
    const shortened = claimedBrand(long) ?? '';
    expect(shortened.length).toBeLessThanOrEqual(CLAIMED_BRAND_MAX);
    expect(shortened.endsWith('…')).toBe(true);
    expect(shortened.slice(0, -1)).toBe('🧋'.repeat(31));
    expect(claimedBrand('x'.repeat(CLAIMED_BRAND_MAX))).toBe('x'.repeat(CLAIMED_BRAND_MAX));
    const notice = {
      ticketSeq: 0xffffffff,
      claimedAt: 0xffffffff,
      result: { status: 'credited', amountFen: 0xffffffff, brand: claimedBrand('"\u0001'.repeat(200)) },
    };
    expect(TicketClaimed.safeParse(notice).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(notice))).toBeLessThanOrEqual(CLAIMED_BYTES_MAX);
  });
});
