// Word from the cloud that a claim ticket of this screen was claimed (docs/protocol.md §5.7): the QR code
// turns over, and a claim the cloud paid is celebrated on screen like a tap, with what the cloud paid
// (cash, or the fallback coupon) and the brand that paid. Only for a ticket this kiosk issued lately and hears of for the first time, so a
// redelivered, stale or unknown notice never celebrates (twice).
import type { TicketClaimed } from '@redtap/shared';
import type { Logger } from 'pino';
import type { TapView } from '../ui-api/channels.ts';

/** What the kiosk did with one valid `claimed` message. */
export type ClaimedHandling =
  /** A credited claim of a ticket this kiosk issued lately: the screen shows it. */
  | 'celebrated'
  /** Refused, or held for review (nothing paid yet): the QR code turns, nothing is shown. */
  | 'not-paid'
  /** A cloud from before results: the QR code turns, nothing is shown. */
  | 'no-result'
  /** A ticket this kiosk did not issue lately (or before a restart), or word of it heard before. */
  | 'not-recent';

export interface ClaimCelebrationDeps {
  /** The ticket issuer's `claimed`: turns the QR code over, answers the ticket if issued lately and new. */
  claimed: (ticketSeq: number) => { ticketSeq: number } | null;
  /** The screen's tap overlay (KioskUiHub). */
  showTap: (view: TapView) => void;
  newTapId: () => number;
  logger: Logger;
}

/** The celebration of a claim, or null when there is nothing to show. */
export function claimedView(tapId: number, notice: TicketClaimed): TapView | null {
  const result = notice.result;
  if (result?.status !== 'credited') return null;
  return {
    state: 'claimed',
    tapId,
    ticketSeq: notice.ticketSeq,
    amountFen: result.amountFen,
    couponTitle: result.couponTitle ?? null,
    brand: result.brand ?? null,
  };
}

export function handleTicketClaimed(notice: TicketClaimed, deps: ClaimCelebrationDeps): ClaimedHandling {
  const issued = deps.claimed(notice.ticketSeq);
  let handling: ClaimedHandling;
  if (issued === null) handling = 'not-recent';
  else if (notice.result === undefined) handling = 'no-result';
  else if (notice.result.status !== 'credited') handling = 'not-paid';
  else {
    const view = claimedView(deps.newTapId(), notice);
    if (view !== null) deps.showTap(view);
    handling = 'celebrated';
  }
  deps.logger.info(
    {
      ticketSeq: notice.ticketSeq,
      handling,
      status: notice.result?.status,
      amountFen: notice.result?.status === 'credited' ? notice.result.amountFen : undefined,
      code: notice.result !== undefined && 'code' in notice.result ? notice.result.code : undefined,
    },
    'claim ticket claimed',
  );
  return handling;
}
