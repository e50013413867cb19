// The kiosk's handling of word that a claim ticket was claimed (docs/protocol.md §5.7): a credited claim of
// a ticket it issued lately is celebrated once with the amount the cloud paid and the brand; a refusal, a
// message from an older cloud, a stale, unknown or repeated ticket only turn the QR code over.
import type { TicketClaimed } from '@redtap/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TapView } from '../ui-api/channels.ts';
import { TapView as TapViewSchema } from '../ui-api/channels.ts';
import { claimedView, handleTicketClaimed } from './claim-celebration.ts';

function kiosk(issued: number[]) {
  const fresh = new Set(issued);
  const asked: number[] = [];
  const shown: TapView[] = [];
  let nextId = 1;
  return {
    asked,
    shown,
    deps: {
      claimed: (ticketSeq: number) => {
        asked.push(ticketSeq);
        // As the ticket issuer: a ticket of its own is answered once.
        return fresh.delete(ticketSeq) ? { ticketSeq } : null;
      },
      showTap: (view: TapView) => shown.push(view),
      newTapId: () => nextId++,
      logger: pino({ enabled: false }),
    },
  };
}

const credited = (ticketSeq: number, amountFen = 84, brand?: string): TicketClaimed => ({
  ticketSeq,
  claimedAt: 1_795_000_000,
  result: { status: 'credited', amountFen, ...(brand === undefined ? {} : { brand }) },
});

describe('word of a claimed ticket', () => {
  it('celebrates a credited claim of its own ticket once, with the amount and brand the cloud sent', () => {
    const k = kiosk([5]);
    expect(handleTicketClaimed(credited(5, 84, '茶颜悦色'), k.deps)).toBe('celebrated');
    expect(k.shown).toEqual([
      { state: 'claimed', tapId: 1, ticketSeq: 5, amountFen: 84, couponTitle: null, brand: '茶颜悦色' },
    ]);
    expect(TapViewSchema.safeParse(k.shown[0]).success).toBe(true);
    // The same word again (QoS 1 redelivers) turns nothing and celebrates nothing.
    expect(handleTicketClaimed(credited(5, 84, '茶颜悦色'), k.deps)).toBe('not-recent');
    expect(k.shown).toHaveLength(1);
    expect(k.asked).toEqual([5, 5]);
  });

  it('shows no brand when the cloud named none, and a fallback coupon with no cash', () => {
    const k = kiosk([6, 7]);
    expect(handleTicketClaimed(credited(6, 1), k.deps)).toBe('celebrated');
    expect(k.shown[0]).toMatchObject({ amountFen: 1, brand: null, couponTitle: null });
    const coupon: TicketClaimed = {
      ticketSeq: 7,
      claimedAt: 1,
      result: { status: 'credited', amountFen: 0, couponTitle: '¥2 off tea', brand: 'Tea Co' },
    };
    expect(handleTicketClaimed(coupon, k.deps)).toBe('celebrated');
    expect(k.shown[1]).toMatchObject({ amountFen: 0, couponTitle: '¥2 off tea', brand: 'Tea Co' });
    expect(TapViewSchema.safeParse(k.shown[1]).success).toBe(true);
  });

  it('celebrates nothing for a refusal, a hold, an older cloud, or a ticket it did not issue lately', () => {
    const k = kiosk([7, 8, 10]);
    const refused: TicketClaimed = {
      ticketSeq: 7,
      claimedAt: 1,
      result: { status: 'rejected', code: 'CAP_CAMPAIGN_WALLET' },
    };
    const held: TicketClaimed = {
      ticketSeq: 10,
      claimedAt: 1,
      result: { status: 'held', code: 'HOLD_ADDRESS_WALLETS' },
    };
    expect(handleTicketClaimed(refused, k.deps)).toBe('not-paid');
    expect(handleTicketClaimed({ ticketSeq: 8, claimedAt: 1 }, k.deps)).toBe('no-result');
    expect(handleTicketClaimed(credited(9), k.deps)).toBe('not-recent');
    expect(handleTicketClaimed(held, k.deps)).toBe('not-paid');
    expect(k.shown).toEqual([]);
    // Each still reached the issuer, which turns its QR code over when it showed that ticket.
    expect(k.asked).toEqual([7, 8, 9, 10]);
  });

  it('builds a view only of a credited claim', () => {
    expect(claimedView(3, credited(4, 250, 'Tea Co'))).toEqual({
      state: 'claimed',
      tapId: 3,
      ticketSeq: 4,
      amountFen: 250,
      couponTitle: null,
      brand: 'Tea Co',
    });
    expect(claimedView(3, { ticketSeq: 4, claimedAt: 1 })).toBeNull();
  });
});
