// The network's limits on a tap (docs/protocol.md §7 steps 6–7), which the cloud applies with full
// knowledge and the kiosk with what it knows. The cloud builds them from its money settings and
// publishes them in every screen config (§5.5), so both tiers judge with the same numbers.
import { z } from 'zod';
import { localDay } from '../time-rules.ts';

export interface NetworkRules {
  /** The operator's zone: day caps count by `localDay(ts, capTimezone)`, whenever the tap arrives. */
  capTimezone: string;
  walletDailyCashCountMax: number;
  walletDailyCashFenMax: number;
  /** Cash packets per wallet per day across one advertiser's campaigns. */
  advertiserWalletDailyCashMax: number;
  /** Same wallet in two cities closer in time than this: impossible travel. */
  travelWindowS: number;
  screensPerWalletPerDayMax: number;
  /** A tap's ts may lead the time it is judged by at most this. */
  clockFutureMaxS: number;
  /** …and may precede its deck's validFrom by at most this. */
  clockPastSlackS: number;
  /** A tap without an envelope older than this when judged is refused (TAP_TOO_OLD). */
  decklessTapAgeMaxS: number;
  /** Taps per window; fewer seconds than window × interval between its ends is inhuman. */
  tapRateWindow: number;
  tapIntervalMinS: number;
  /** A counter this far above the screen's highest so far is held. */
  counterGapMax: number;
}

const count = z.number().int().min(0).max(0xffffffff);

/** The `rules` object of a screen config (§5.5). */
export const NetworkRulesSchema = z.object({
  capTimezone: z.string().min(1).max(64),
  walletDailyCashCountMax: count,
  walletDailyCashFenMax: count,
  advertiserWalletDailyCashMax: count,
  travelWindowS: count,
  screensPerWalletPerDayMax: count,
  clockFutureMaxS: count,
  clockPastSlackS: count,
  decklessTapAgeMaxS: count,
  tapRateWindow: count,
  tapIntervalMinS: count,
  counterGapMax: count,
});

/** The local day a tap's caps count against. */
export function capDay(ts: number, rules: Pick<NetworkRules, 'capTimezone'>): string {
  return localDay(ts, rules.capTimezone);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * u32 FNV-1a over the UTF-8 bytes of the trimmed, lower-cased city name. Travel is judged on these
 * keys in the cloud and on the kiosk (the phone's day state carries one), so both tiers agree on what
 * "another city" is without either holding every screen's location.
 */
export function cityKey(city: string): number {
  const bytes = new TextEncoder().encode(city.trim().toLowerCase());
  let hash = FNV_OFFSET;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}
