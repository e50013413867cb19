// Promise fidelity: what the screen promised at each tap against what the cloud finally decided for that
// tap (screenId, counter). A firm promise the cloud did not keep is a mismatch; a tap the screen showed
// as "confirming" promised nothing firm, so it is counted apart. Pure: the simulator and the chaos
// checks gather the two sides, this module compares them.
import { TapFlag } from '@redtap/shared';

/** How sure the screen said it was: a firm promise, or "确认中 / confirming". */
export type Certainty = 'firm' | 'confirming';

/**
 * A prize's or stored tap's certainty: `confirming` only when it says so. Kiosks from before the field
 * promise every prize firmly.
 */
export function certaintyOf(prize: object): Certainty {
  return (prize as { certainty?: unknown }).certainty === 'confirming' ? 'confirming' : 'firm';
}

/** What the screen showed for one committed tap. */
export interface ScreenPromise {
  screenId: number;
  counter: number;
  walletId: number;
  /** Cash shown, in fen; 0 when the screen showed none ("already grabbed", "thank you"). */
  amountFen: number;
  /** Coupon offer shown, 0 = none. */
  couponOfferId: number;
  /** The campaign the kiosk committed the tap to (the token's). */
  campaignId: number;
  /** The campaign whose creative was on screen at the tap; null for default content or unknown. */
  showingCampaignId: number | null;
  /** The showing campaign lets another campaign pay a tap it cannot (the advertiser's explicit choice). */
  fallThrough: boolean;
  certainty: Certainty;
  /** The tap's time on the kiosk's clock, when known (for reading a broken promise). */
  ts?: number;
}

/** The cloud's final record of one tap: its redemption row and the coupon it issued, if any. */
export interface CloudResult {
  /** `credited` | `rejected` | `held` | `released` | `refused` (redemptions.status). */
  status: string;
  code: string | null;
  /** Cash that moved for the wallet (credited or released) or into the hold. */
  amountFen: number;
  /** The campaign the cloud paid the tap from. */
  campaignId: number;
  /** The coupon issued for this tap (coupons row), null when none. */
  coupon: { couponOfferId: number; campaignId: number } | null;
}

/** A tap as the kiosk's outbox stores it (taps table). */
export interface StoredTap {
  counter: number;
  walletId: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
  flags: number;
  /** Present once the kiosk stores it. */
  certainty?: unknown;
}

/**
 * The promise of a tap read back from the kiosk's outbox, when the prize object itself is gone (a
 * kiosk in another process). The screen showed no cash with the local-cap or no-deck flag.
 */
export function promiseOfStoredTap(
  screenId: number,
  tap: StoredTap,
  showing: { campaignId: number | null; fallThrough: boolean } = { campaignId: null, fallThrough: false },
): ScreenPromise {
  const noCash = (tap.flags & (TapFlag.localCap | TapFlag.noDeck)) !== 0;
  return {
    screenId,
    counter: tap.counter,
    walletId: tap.walletId,
    amountFen: noCash ? 0 : tap.amountFen,
    couponOfferId: tap.couponOfferId,
    campaignId: tap.campaignId,
    showingCampaignId: showing.campaignId,
    fallThrough: showing.fallThrough,
    certainty: certaintyOf(tap),
  };
}

export const MISMATCH_KINDS = [
  'cash-not-credited',
  'cash-other-amount',
  'coupon-not-issued',
  'other-campaign',
  'no-record',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

export const MISMATCH_MEANINGS: Record<MismatchKind, string> = {
  'cash-not-credited': 'cash shown, the cloud credited none',
  'cash-other-amount': 'cash shown, the cloud credited another amount',
  'coupon-not-issued': 'coupon shown, the cloud issued none (or another offer)',
  'other-campaign': 'paid by another campaign than the one whose creative was on screen',
  'no-record': 'a prize shown, the cloud has no record of the tap',
};

export interface Mismatch {
  kind: MismatchKind;
  /** Why, for counting: the cloud's code, or what it did instead. */
  reason: string;
  detail: string;
}

/** Statuses under which the wallet finally has the cash. */
const PAID = new Set(['credited', 'released']);

/**
 * Every way the cloud's final result differs from the screen's promise, whatever the certainty (the
 * caller decides whether it counts). Nothing promised and nothing paid is no mismatch.
 */
export function comparePromise(promise: ScreenPromise, result: CloudResult | null): Mismatch[] {
  const tap = `screen ${promise.screenId} #${promise.counter} (wallet ${promise.walletId})`;
  const promisedSomething = promise.amountFen > 0 || promise.couponOfferId !== 0;
  if (result === null)
    return promisedSomething
      ? [
          {
            kind: 'no-record',
            reason: 'no record',
            detail: `${tap}: ${describePromise(promise)}, no cloud record`,
          },
        ]
      : [];
  const mismatches: Mismatch[] = [];
  const why = result.code ?? result.status;
  const paid = PAID.has(result.status);
  if (promise.amountFen > 0) {
    if (!paid)
      mismatches.push({
        kind: 'cash-not-credited',
        reason: why,
        detail:
          `${tap}: ${promise.amountFen} fen shown, cloud ${result.status} ${result.code ?? ''}`.trimEnd(),
      });
    else if (result.amountFen !== promise.amountFen)
      mismatches.push({
        kind: 'cash-other-amount',
        reason: `${result.amountFen > promise.amountFen ? 'more' : 'less'} than shown`,
        detail: `${tap}: ${promise.amountFen} fen shown, ${result.amountFen} fen credited`,
      });
  }
  if (promise.couponOfferId !== 0 && result.coupon?.couponOfferId !== promise.couponOfferId)
    mismatches.push({
      kind: 'coupon-not-issued',
      reason: result.coupon === null ? why : 'another offer issued',
      detail:
        result.coupon === null
          ? `${tap}: coupon offer ${promise.couponOfferId} shown, none issued (cloud ${result.status} ${result.code ?? ''})`.trimEnd()
          : `${tap}: coupon offer ${promise.couponOfferId} shown, offer ${result.coupon.couponOfferId} issued`,
    });
  const payers = new Set<number>();
  if (paid && result.amountFen > 0) payers.add(result.campaignId);
  if (result.coupon !== null) payers.add(result.coupon.campaignId);
  const showing = promise.showingCampaignId;
  if (showing !== null && !promise.fallThrough)
    for (const payer of payers)
      if (payer !== showing)
        mismatches.push({
          kind: 'other-campaign',
          reason: `campaign ${payer} paid for ${showing}'s creative`,
          detail: `${tap}: campaign ${showing}'s creative on screen, paid by campaign ${payer}`,
        });
  return mismatches;
}

export function describePromise(promise: Pick<ScreenPromise, 'amountFen' | 'couponOfferId'>): string {
  const parts = [
    ...(promise.amountFen > 0 ? [`${promise.amountFen} fen`] : []),
    ...(promise.couponOfferId !== 0 ? [`coupon offer ${promise.couponOfferId}`] : []),
  ];
  return parts.length === 0 ? 'nothing' : parts.join(' + ');
}

/** Examples kept per mismatch kind; the counts are always complete. */
const EXAMPLES_PER_KIND = 3;

export interface FidelityReport {
  /** Committed taps compared. */
  taps: number;
  firm: number;
  confirming: number;
  /** Taps made while a campaign's creative was on screen (the others showed default content). */
  onCreative: number;
  /** Firm taps with at least one mismatch. */
  mismatches: number;
  /** Per kind: firm taps with that kind of mismatch, by reason, and a few examples. */
  byKind: Partial<
    Record<MismatchKind, { taps: number; reasons: Record<string, number>; examples: string[] }>
  >;
  /** Confirming taps whose final result differed from what the screen showed (not mismatches). */
  confirmingDiffered: number;
}

export function summarizeFidelity(
  pairs: Iterable<{ promise: ScreenPromise; result: CloudResult | null }>,
): FidelityReport {
  const report: FidelityReport = {
    taps: 0,
    firm: 0,
    confirming: 0,
    onCreative: 0,
    mismatches: 0,
    byKind: {},
    confirmingDiffered: 0,
  };
  for (const { promise, result } of pairs) {
    report.taps += 1;
    if (promise.showingCampaignId !== null) report.onCreative += 1;
    const mismatches = comparePromise(promise, result);
    if (promise.certainty === 'confirming') {
      report.confirming += 1;
      if (mismatches.length > 0) report.confirmingDiffered += 1;
      continue;
    }
    report.firm += 1;
    if (mismatches.length === 0) continue;
    report.mismatches += 1;
    const seen = new Set<MismatchKind>();
    for (const mismatch of mismatches) {
      const entry = (report.byKind[mismatch.kind] ??= { taps: 0, reasons: {}, examples: [] });
      if (!seen.has(mismatch.kind)) entry.taps += 1;
      seen.add(mismatch.kind);
      entry.reasons[mismatch.reason] = (entry.reasons[mismatch.reason] ?? 0) + 1;
      if (entry.examples.length < EXAMPLES_PER_KIND) entry.examples.push(mismatch.detail);
    }
  }
  return report;
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100).toFixed(1);

/** `promise-fidelity: N taps, M mismatches (…by kind…), C confirming (x.x %)`. */
export function fidelityLine(report: FidelityReport): string {
  const kinds = MISMATCH_KINDS.flatMap((kind) => {
    const entry = report.byKind[kind];
    return entry === undefined ? [] : [`${entry.taps} ${kind}`];
  });
  return `promise-fidelity: ${report.taps} taps, ${report.mismatches} mismatches${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}, ${report.confirming} confirming (${percent(report.confirming, report.taps)} %)`;
}

/** The mismatches by kind and reason, with a few examples each, as indented text lines. */
export function fidelityTable(report: FidelityReport): string {
  const lines: string[] = [
    `  ${report.onCreative} of ${report.taps} taps made while a campaign's creative was on screen, ${report.firm} shown firm`,
  ];
  for (const kind of MISMATCH_KINDS) {
    const entry = report.byKind[kind];
    if (entry === undefined) continue;
    lines.push(`  ${kind.padEnd(18)} ${String(entry.taps).padStart(5)} taps  ${MISMATCH_MEANINGS[kind]}`);
    const reasons = Object.entries(entry.reasons).sort((a, b) => b[1] - a[1]);
    for (const [reason, n] of reasons) lines.push(`      ${String(n).padStart(5)}  ${reason}`);
    for (const example of entry.examples) lines.push(`        e.g. ${example}`);
  }
  if (report.confirming > 0)
    lines.push(
      `  (${report.confirmingDiffered} of ${report.confirming} confirming taps ended otherwise than shown; not counted)`,
    );
  return lines.join('\n');
}
