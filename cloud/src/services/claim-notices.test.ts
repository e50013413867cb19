// What a `claimed` notice says of its claim (docs/protocol.md §5.7): the cash or coupon and the brand as
// recorded, text shortened to the message's bound, a hold or refusal by its code, and nothing it could
// not say truly.
import { CLAIMED_TEXT_MAX, CLAIMED_BYTES_MAX, TicketClaimed } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { claimedText, claimResultOf } from './claim-notices.ts';

const row = (fields: Partial<Parameters<typeof claimResultOf>[0] & object>) => ({
  screen_id: '7',
  ticket_seq: '3',
  status: 'credited',
  code: null,
  amount_fen: '84',
  coupon_offer_id: null,
  coupon_title: null,
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
    // Past the cash cap, the campaign's fallback coupon: no cash, the coupon's title.
    expect(claimResultOf(row({ amount_fen: '0', coupon_offer_id: '5', coupon_title: '¥2 off tea' }))).toEqual(
      {
        status: 'credited',
        amountFen: 0,
        couponTitle: '¥2 off tea',
        brand: '茶颜悦色',
      },
    );
    // Held for review: not paid, so no amount; released by an operator before the notice: paid.
    expect(claimResultOf(row({ status: 'held', code: 'HOLD_ADDRESS_WALLETS' }))).toEqual({
      status: 'held',
      code: 'HOLD_ADDRESS_WALLETS',
    });
    expect(claimResultOf(row({ status: 'released', code: 'HOLD_ADDRESS_WALLETS' }))).toMatchObject({
      status: 'credited',
      amountFen: 84,
    });
    expect(claimResultOf(row({ status: 'refused', code: 'HOLD_ADDRESS_WALLETS' }))).toEqual({
      status: 'rejected',
      code: 'HOLD_ADDRESS_WALLETS',
    });
  });

  it('says nothing of a claim it cannot describe truly', () => {
    expect(claimResultOf(undefined)).toBeUndefined();
    expect(claimResultOf(row({ amount_fen: 0 }))).toBeUndefined();
    expect(claimResultOf(row({ status: 'rejected', code: null }))).toBeUndefined();
    expect(claimResultOf(row({ status: 'held' }))).toBeUndefined();
    expect(claimResultOf(row({ status: 'paid', code: 'X' }))).toBeUndefined();
    expect(claimResultOf(row({ amount_fen: 0, coupon_offer_id: 5, coupon_title: null }))).toBeUndefined();
  });

  it('shortens a long brand at a character boundary, so the message stays within its bounds', () => {
    expect(claimedText('Tea Co')).toBe('Tea Co');
    const long = '🧋'.repeat(100);
    const shortened = claimedText(long) ?? '';
    expect(shortened.length).toBeLessThanOrEqual(CLAIMED_TEXT_MAX);
    expect(shortened.endsWith('…')).toBe(true);
    expect(shortened.slice(0, -1)).toBe('🧋'.repeat(31));
    expect(claimedText('x'.repeat(CLAIMED_TEXT_MAX))).toBe('x'.repeat(CLAIMED_TEXT_MAX));
    const notice = {
      ticketSeq: 0xffffffff,
      claimedAt: 0xffffffff,
      result: {
        status: 'credited',
        amountFen: 0xffffffff,
        couponTitle: claimedText('\u0002'.repeat(200)),
        brand: claimedText('"\u0001'.repeat(200)),
      },
    };
    expect(TicketClaimed.safeParse(notice).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(notice))).toBeLessThanOrEqual(CLAIMED_BYTES_MAX);
  });
});
