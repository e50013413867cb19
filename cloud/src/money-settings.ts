// Limits of the money flow: deck sizing and expiry, clock sanity, global caps, fraud thresholds,
// withdrawals and ingest batching. Defaults here; the process may override them.
import type { NetworkRules } from '@redtap/shared';

export interface MoneySettings {
  /** The operator's time zone: caps, withdrawals and reports count by its local day. */
  timezone: string;
  deckValiditySMax: number;
  /** After validUntil, how long taps from offline kiosks may still arrive before the escrow flows back. */
  deckGraceS: number;
  deckSizeMin: number;
  deckSizeMax: number;
  /** A deck should last this long at the screen's observed tap rate. */
  deckHorizonS: number;
  tapRatePerHourDefault: number;
  /** Open decks per screen and campaign; a deck-low event beyond it issues nothing. */
  openDecksPerScreenMax: number;
  /** A token's ts may lead the cloud's receive time by at most this (docs/protocol.md §7 step 6). */
  clockFutureMaxS: number;
  /** …and may precede its deck's validFrom by at most this. */
  clockPastSlackS: number;
  /** A tap without an envelope older than this when it arrives is refused (TAP_TOO_OLD, §7 step 6). */
  decklessTapAgeMaxS: number;
  walletDailyCashCountMax: number;
  walletDailyCashFenMax: number;
  /** Cash packets per wallet per day across one advertiser's campaigns. */
  advertiserWalletDailyCashMax: number;
  /** Same wallet in two cities closer in time than this: impossible travel. */
  travelWindowS: number;
  screensPerWalletPerDayMax: number;
  /** Taps per window; fewer seconds than window × interval between its ends is inhuman. */
  tapRateWindow: number;
  tapIntervalMinS: number;
  /** A counter this far above the screen's highest so far is held. */
  counterGapMax: number;
  withdrawalMinFen: number;
  withdrawalDailyFenMax: number;
  withdrawalsPerDayMax: number;
  /** Tokens judged in one database transaction (coalesced from several batches). */
  transactionTokensMax: number;
  /** Batches waiting for a transaction; a full queue pushes back on the broker lane. */
  ingestQueueBatchesMax: number;
  /** Of those, one screen's; its further batches are dropped unanswered (its kiosk resends). */
  ingestScreenBatchesMax: number;
  /** Batches carrying a token the screen's key did not sign, within the window, before it is suspended. */
  screenSignatureStrikesMax: number;
  screenStrikeWindowS: number;
  /** How long a suspended screen is disconnected and its batches dropped. */
  screenSuspensionS: number;
  /** Transient failures (serialization, deadlock, unique race) retried before the tokens are acked `retry`. */
  transactionAttemptsMax: number;
  /** Held taps listed per page and settled per call. */
  reviewPageSizeMax: number;
  /**
   * A claim ticket older than this, on the screen's clock, is TICKET_EXPIRED (docs/protocol.md §7a): long
   * enough for a commuter who only gets signal after leaving the elevator.
   */
  claimTicketAgeMaxS: number;
  /** The screen's reported clock skew is trusted up to this much either way when dating a ticket. */
  claimClockSkewMaxS: number;
  /** Claims per screen per minute (tickets and stickers together); beyond it CLAIM_RATE_LIMITED. */
  claimsPerScreenPerMinuteMax: number;
  /**
   * Multi-account signals (account-signals.ts, docs/threat-model.md): a claim is held for review when the
   * browser it comes from (the web wallet's device cookie) has been used by more wallets than this.
   */
  deviceWalletsMax: number;
  /** …or when more wallets than this claimed from its network address within `addressWindowS`. */
  addressClaimWalletsMax: number;
  addressWindowS: number;
  /** A withdrawal is held when its payout account is linked to more wallets than this. */
  payoutAccountWalletsMax: number;
}

export const defaultMoneySettings: MoneySettings = {
  timezone: 'Asia/Shanghai',
  deckValiditySMax: 24 * 3600,
  deckGraceS: 2 * 3600,
  deckSizeMin: 10,
  deckSizeMax: 2_000,
  deckHorizonS: 6 * 3600,
  tapRatePerHourDefault: 30,
  openDecksPerScreenMax: 3,
  clockFutureMaxS: 300,
  clockPastSlackS: 300,
  // Two days: a kiosk that stayed offline through a whole deck's life (deckValiditySMax + deckGraceS,
  // 26 h) and a night more still gets its deck-less taps settled, while a screen key cannot backdate
  // fallback coupons further than two cap days.
  decklessTapAgeMaxS: 48 * 3600,
  walletDailyCashCountMax: 30,
  walletDailyCashFenMax: 10_000,
  advertiserWalletDailyCashMax: 10,
  travelWindowS: 600,
  screensPerWalletPerDayMax: 40,
  tapRateWindow: 10,
  tapIntervalMinS: 2,
  counterGapMax: 10_000,
  withdrawalMinFen: 10,
  withdrawalDailyFenMax: 20_000,
  withdrawalsPerDayMax: 5,
  transactionTokensMax: 2_000,
  ingestQueueBatchesMax: 64,
  ingestScreenBatchesMax: 8,
  screenSignatureStrikesMax: 5,
  screenStrikeWindowS: 60,
  screenSuspensionS: 300,
  transactionAttemptsMax: 4,
  reviewPageSizeMax: 100,
  claimTicketAgeMaxS: 15 * 60,
  claimClockSkewMaxS: 3600,
  // A QR turns over once a claim lands; twenty a minute is a full elevator every three seconds.
  claimsPerScreenPerMinuteMax: 20,
  // A household shares a phone or a tablet now and then; a drawer of wallets in one browser is not that.
  deviceWalletsMax: 3,
  // One address is often many people (a carrier's NAT, an office's or a mall's Wi-Fi): generous.
  addressClaimWalletsMax: 30,
  addressWindowS: 3600,
  // A couple paid to one card is common; more is a pattern worth a look.
  payoutAccountWalletsMax: 2,
};

/** The limits both tiers judge a tap by (shared rules), as the screen config publishes them (§5.5). */
export function networkRulesOf(settings: MoneySettings): NetworkRules {
  return {
    capTimezone: settings.timezone,
    walletDailyCashCountMax: settings.walletDailyCashCountMax,
    walletDailyCashFenMax: settings.walletDailyCashFenMax,
    advertiserWalletDailyCashMax: settings.advertiserWalletDailyCashMax,
    travelWindowS: settings.travelWindowS,
    screensPerWalletPerDayMax: settings.screensPerWalletPerDayMax,
    clockFutureMaxS: settings.clockFutureMaxS,
    clockPastSlackS: settings.clockPastSlackS,
    decklessTapAgeMaxS: settings.decklessTapAgeMaxS,
    tapRateWindow: settings.tapRateWindow,
    tapIntervalMinS: settings.tapIntervalMinS,
    counterGapMax: settings.counterGapMax,
  };
}
