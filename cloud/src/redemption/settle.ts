// Redemption inside one transaction (docs/protocol.md §7 steps 5–9) for a whole group of tokens,
// with set-based SQL: lock the group's screens and wallets, load decks, used envelopes, first results,
// daily totals and fraud state with one query each, judge in memory, then write results, ledger
// transfers, coupons, returned envelopes and state with one statement each.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { ENVELOPE_INDEX_NONE, ErrorCode, type TapToken } from '@redtap/shared';
import { newCouponBody } from '../coupons/coupon-code.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { CampaignRules, CampaignTargeting } from '../db/schema/campaigns.ts';
import type { RedemptionStatus } from '../db/schema/redemptions.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { postNewTransfers, type NewTransfer } from '../ledger/post-transfers.ts';
import { localDay } from '../local-day.ts';
import type { MoneySettings } from '../money-settings.ts';
import { screensTargeted } from '../services/decks.ts';
import type { RecordableToken } from './prepare.ts';

export type SettledStatus = 'credited' | 'duplicate' | 'rejected' | 'held';

export interface SettledResult {
  counter: number;
  status: SettledStatus;
  code?: string;
  amountFen?: number;
  couponCode?: string;
}

/** A failure worth retrying the whole transaction for (a racing writer won a unique key). */
export class TransientRedemptionError extends Error {
  override name = 'TransientRedemptionError';
}

interface DeckState {
  id: number;
  campaignId: number;
  screenId: number;
  validFrom: number;
  validUntil: number;
  envelopes: [number, number][];
  escrowAccountId: number | null;
  status: string;
  closedUsedCount: number | null;
  lastCounter: number;
  lastEnvelopeIndex: number;
  touched: boolean;
}

/** The largest value of a Postgres `int` column (`coupon_offer_id`); the wire field is a u32. */
const INT_COLUMN_MAX = 2 ** 31 - 1;

/** Campaign states in which a fallback coupon may still be issued for a tap made while it ran. */
const FALLBACK_CAMPAIGN_STATUSES = new Set(['active', 'paused']);

interface CampaignState {
  advertiserId: number;
  budgetAccountId: number;
  status: string;
  targeting: CampaignTargeting;
  rules: CampaignRules;
  offers: Map<number, { validUntil: number; validityDays: number }>;
}

interface DayTotals {
  cashCount: number;
  cashFen: number;
  byCampaign: Map<number, number>;
  couponsByCampaign: Map<number, number>;
  byAdvertiser: Map<number, number>;
  screens: Set<number>;
}

interface ScreenState {
  counterMax: number;
  tsAtCounterMax: number;
  windowCounter: number;
  windowTs: number;
  touched: boolean;
}

interface WalletState {
  lastTs: number;
  lastCity: string;
  lastScreenId: number;
  touched: boolean;
}

const json = (value: unknown) => JSON.stringify(value);

/** Milliseconds spent per step of the transaction since start, for the benchmark's profile. */
export const settleStepMs: Record<string, number> = {};

async function timed<T>(step: string, work: Promise<T>): Promise<T> {
  const startMs = performance.now();
  try {
    return await work;
  } finally {
    settleStepMs[step] = (settleStepMs[step] ?? 0) + performance.now() - startMs;
  }
}

/** Transaction-scoped advisory locks in one sorted order: screens (even keys), wallets (odd keys). */
function lockKeys(screenIds: Iterable<number>, walletIds: Iterable<number>): number[] {
  const keys = new Set<number>();
  for (const id of screenIds) keys.add(id * 2);
  for (const id of walletIds) keys.add(id * 2 + 1);
  return [...keys].sort((a, b) => a - b);
}

/** The transaction with each statement timed under its position in the sequence (s01, s02, …). */
function instrumented(tx: Database): Database {
  let step = 0;
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === 'execute') {
        return (query: Parameters<Database['execute']>[0]) => {
          step += 1;
          return timed(`s${String(step).padStart(2, '0')}`, target.execute(query));
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function settleTokens(
  rawTx: Database,
  items: readonly RecordableToken[],
  settings: MoneySettings,
  now: Date,
): Promise<SettledResult[]> {
  if (items.length === 0) return [];
  const tx = instrumented(rawTx);
  const screenIds = new Set(items.map((item) => item.token.screenId));
  const walletIds = new Set(items.map((item) => item.token.walletId));
  // Both paths for one screen queue here, so a token's first result is decided exactly once; the
  // unique identity key below is the safety net.
  await tx.execute(
    sql`select count(pg_advisory_xact_lock(k)) from
        (select jsonb_array_elements_text(${json(lockKeys(screenIds, walletIds))}::jsonb)::bigint as k order by 1) s`,
  );

  const days = items.map((item) => localDay(item.token.ts, settings.timezone));
  const identities = items.map((item) => ({ s: item.token.screenId, c: item.token.counter }));
  const deckIds = [...new Set(items.map((item) => item.token.deckId).filter((id) => id !== 0))].sort(
    (a, b) => a - b,
  );
  const envelopeKeys = items
    .filter((item) => item.token.envelopeIndex !== ENVELOPE_INDEX_NONE)
    .map((item) => ({ d: item.token.deckId, i: item.token.envelopeIndex }));
  const walletDays = [
    ...new Set(items.map((item, index) => `${item.token.walletId}|${days[index] ?? ''}`)),
  ].map((key) => {
    const [w = '0', d = ''] = key.split('|');
    return { w: Number(w), d };
  });

  const existingRows = await queryRows<{
    screen_id: unknown;
    counter: unknown;
    token_hash: string;
    status: RedemptionStatus;
    code: string | null;
    amount_fen: unknown;
  }>(
    tx,
    sql`select r.screen_id, r.counter, r.token_hash, r.status, r.code, r.amount_fen
        from jsonb_to_recordset(${json(identities)}::jsonb) as k(s bigint, c bigint)
        join redemptions r on r.screen_id = k.s and r.counter = k.c`,
  );
  const deckRows =
    deckIds.length === 0
      ? []
      : await queryRows<{
          id: unknown;
          campaign_id: unknown;
          screen_id: unknown;
          valid_from: unknown;
          valid_until: unknown;
          envelopes: [number, number][] | string;
          escrow_account_id: unknown;
          status: string;
          closed_used_count: unknown;
          last_counter: unknown;
          last_envelope_index: unknown;
        }>(
          tx,
          sql`select id, campaign_id, screen_id, valid_from, valid_until, envelopes, escrow_account_id, status,
                     closed_used_count, last_counter, last_envelope_index
              from decks where id in (select jsonb_array_elements_text(${json(deckIds)}::jsonb)::bigint)
              order by id for update`,
        );
  const usedRows =
    envelopeKeys.length === 0
      ? []
      : await queryRows<{ deck_id: unknown; envelope_index: unknown }>(
          tx,
          sql`select r.deck_id, r.envelope_index
              from jsonb_to_recordset(${json(envelopeKeys)}::jsonb) as k(d bigint, i int)
              join redemptions r on r.deck_id = k.d and r.envelope_index = k.i`,
        );
  const campaignIds = [
    ...new Set([
      ...items.map((item) => item.token.campaignId),
      ...deckRows.map((row) => int(row.campaign_id)),
    ]),
  ];
  const campaignRows = await queryRows<{
    id: unknown;
    advertiser_id: unknown;
    budget_account_id: unknown;
    status: string;
    targeting: CampaignTargeting | string;
    rules: CampaignRules | string;
  }>(
    tx,
    sql`select id, advertiser_id, budget_account_id, status, targeting, rules from campaigns
        where id in (select jsonb_array_elements_text(${json(campaignIds)}::jsonb)::bigint)`,
  );
  const offerRows = await queryRows<{
    id: unknown;
    campaign_id: unknown;
    valid_until: unknown;
    validity_days: unknown;
  }>(
    tx,
    sql`select id, campaign_id, valid_until, validity_days from coupon_offers
        where campaign_id in (select jsonb_array_elements_text(${json(campaignIds)}::jsonb)::bigint)`,
  );
  const totalRows = await queryRows<{
    wallet_id: unknown;
    tap_day: string;
    campaign_id: unknown;
    advertiser_id: unknown;
    screen_id: unknown;
    cash_count: unknown;
    cash_fen: unknown;
    coupon_count: unknown;
  }>(
    tx,
    sql`select r.wallet_id, r.tap_day::text as tap_day, r.campaign_id, r.advertiser_id, r.screen_id,
               count(*) filter (where r.amount_fen > 0) as cash_count,
               coalesce(sum(r.amount_fen), 0) as cash_fen,
               count(*) filter (where r.amount_fen = 0 and r.coupon_offer_id is not null) as coupon_count
        from jsonb_to_recordset(${json(walletDays)}::jsonb) as k(w bigint, d date)
        join redemptions r on r.wallet_id = k.w and r.tap_day = k.d
        where r.status in ('credited', 'held', 'released')
        group by 1, 2, 3, 4, 5`,
  );
  const screenStateRows = await queryRows<{
    screen_id: unknown;
    counter_max: unknown;
    ts_at_counter_max: unknown;
    window_counter: unknown;
    window_ts: unknown;
  }>(
    tx,
    sql`select screen_id, counter_max, ts_at_counter_max, window_counter, window_ts from screen_tap_state
        where screen_id in (select jsonb_array_elements_text(${json([...screenIds])}::jsonb)::bigint)`,
  );
  const walletStateRows = await queryRows<{
    wallet_id: unknown;
    last_ts: unknown;
    last_city: string;
    last_screen_id: unknown;
  }>(
    tx,
    sql`select wallet_id, last_ts, last_city, last_screen_id from wallet_tap_state
        where wallet_id in (select jsonb_array_elements_text(${json([...walletIds])}::jsonb)::bigint)`,
  );

  const existing = new Map(
    existingRows.map((row) => [
      `${int(row.screen_id)}:${int(row.counter)}`,
      { hash: row.token_hash, status: row.status, code: row.code, amountFen: int(row.amount_fen) },
    ]),
  );
  const decks = new Map<number, DeckState>(
    deckRows.map((row) => [
      int(row.id),
      {
        id: int(row.id),
        campaignId: int(row.campaign_id),
        screenId: int(row.screen_id),
        validFrom: int(row.valid_from),
        validUntil: int(row.valid_until),
        envelopes:
          typeof row.envelopes === 'string'
            ? (JSON.parse(row.envelopes) as [number, number][])
            : row.envelopes,
        escrowAccountId: row.escrow_account_id === null ? null : int(row.escrow_account_id),
        status: row.status,
        closedUsedCount: row.closed_used_count === null ? null : int(row.closed_used_count),
        lastCounter: int(row.last_counter),
        lastEnvelopeIndex: int(row.last_envelope_index),
        touched: false,
      },
    ]),
  );
  const used = new Set(usedRows.map((row) => `${int(row.deck_id)}:${int(row.envelope_index)}`));
  const campaigns = new Map<number, CampaignState>(
    campaignRows.map((row) => [
      int(row.id),
      {
        advertiserId: int(row.advertiser_id),
        budgetAccountId: int(row.budget_account_id),
        status: row.status,
        targeting:
          typeof row.targeting === 'string'
            ? (JSON.parse(row.targeting) as CampaignTargeting)
            : row.targeting,
        rules: typeof row.rules === 'string' ? (JSON.parse(row.rules) as CampaignRules) : row.rules,
        offers: new Map(),
      },
    ]),
  );
  for (const row of offerRows) {
    campaigns
      .get(int(row.campaign_id))
      ?.offers.set(int(row.id), { validUntil: int(row.valid_until), validityDays: int(row.validity_days) });
  }
  const totals = new Map<string, DayTotals>();
  const totalsOf = (walletId: number, day: string): DayTotals => {
    const key = `${walletId}|${day}`;
    let entry = totals.get(key);
    if (entry === undefined) {
      entry = {
        cashCount: 0,
        cashFen: 0,
        byCampaign: new Map(),
        couponsByCampaign: new Map(),
        byAdvertiser: new Map(),
        screens: new Set(),
      };
      totals.set(key, entry);
    }
    return entry;
  };
  const bump = (map: Map<number, number>, key: number, by: number) => map.set(key, (map.get(key) ?? 0) + by);
  for (const row of totalRows) {
    const entry = totalsOf(int(row.wallet_id), row.tap_day);
    const cashCount = int(row.cash_count);
    entry.cashCount += cashCount;
    entry.cashFen += int(row.cash_fen);
    bump(entry.byCampaign, int(row.campaign_id), cashCount);
    bump(entry.couponsByCampaign, int(row.campaign_id), int(row.coupon_count));
    if (row.advertiser_id !== null) bump(entry.byAdvertiser, int(row.advertiser_id), cashCount);
    if (cashCount > 0) entry.screens.add(int(row.screen_id));
  }
  const screenStates = new Map<number, ScreenState>(
    screenStateRows.map((row) => [
      int(row.screen_id),
      {
        counterMax: int(row.counter_max),
        tsAtCounterMax: int(row.ts_at_counter_max),
        windowCounter: int(row.window_counter),
        windowTs: int(row.window_ts),
        touched: false,
      },
    ]),
  );
  const walletStates = new Map<number, WalletState>(
    walletStateRows.map((row) => [
      int(row.wallet_id),
      {
        lastTs: int(row.last_ts),
        lastCity: row.last_city,
        lastScreenId: int(row.last_screen_id),
        touched: false,
      },
    ]),
  );

  // A tap without an envelope may carry a coupon only as its campaign's fallback offer, while the campaign
  // runs and targets the screen, and only out of that offer's stock still in the pool: each such coupon
  // takes the offer off one pool envelope, so deck coupons and fallback coupons together never exceed
  // the stock. Anything else would let a screen key mint coupons of any campaign.
  const fallbackWanted = new Map<
    string,
    { campaignId: number; offerId: number; screens: Set<number>; n: number }
  >();
  for (const item of items) {
    const token = item.token;
    const campaign = campaigns.get(token.campaignId);
    if (
      token.envelopeIndex !== ENVELOPE_INDEX_NONE ||
      token.couponOfferId === 0 ||
      item.preCode !== null ||
      campaign === undefined ||
      campaign.rules.fallbackCouponOfferId !== token.couponOfferId ||
      !FALLBACK_CAMPAIGN_STATUSES.has(campaign.status)
    )
      continue;
    const key = `${token.campaignId}:${token.couponOfferId}`;
    const entry = fallbackWanted.get(key) ?? {
      campaignId: token.campaignId,
      offerId: token.couponOfferId,
      screens: new Set<number>(),
      n: 0,
    };
    entry.screens.add(token.screenId);
    entry.n += 1;
    fallbackWanted.set(key, entry);
  }
  const fallbackTargets = new Set<string>();
  const fallbackStock = new Map<string, number[]>();
  for (const [key, wanted] of fallbackWanted) {
    const campaign = campaigns.get(wanted.campaignId);
    if (campaign === undefined) continue;
    for (const screenId of await screensTargeted(tx, campaign.targeting, [...wanted.screens]))
      fallbackTargets.add(`${wanted.campaignId}:${screenId}`);
    // Skip locked: a deck being issued holds its envelopes; this never waits on (or deadlocks with) it.
    const stockRows = await queryRows<{ position: unknown }>(
      tx,
      sql`select position from campaign_envelopes
          where campaign_id = ${wanted.campaignId} and coupon_offer_id = ${wanted.offerId} and deck_id is null
          order by position desc limit ${wanted.n} for update skip locked`,
    );
    fallbackStock.set(
      key,
      stockRows.map((row) => int(row.position)),
    );
  }
  const stockTaken: number[] = [];

  // Judge in (screen, counter) order so the per-screen rules see taps as the kiosk made them.
  const order = items.map((_, index) => index);
  order.sort((a, b) => {
    const x = items[a]?.token;
    const y = items[b]?.token;
    if (x === undefined || y === undefined) return 0;
    return x.screenId - y.screenId || x.counter - y.counter;
  });

  const results: SettledResult[] = new Array<SettledResult>(items.length);
  const rows: Record<string, unknown>[] = [];
  const couponRows: Record<string, unknown>[] = [];
  const returnedEnvelopes: { campaign_id: number; amount_fen: number; coupon_offer_id: number }[] = [];
  const moves: NewTransfer[] = [];
  let holdAccountId: number | null = null;
  const seenInGroup = new Map<string, number>();

  for (const index of order) {
    const item = items[index];
    const day = days[index];
    if (item === undefined || day === undefined) continue;
    const token = item.token;
    const identity = `${token.screenId}:${token.counter}`;

    const first = existing.get(identity);
    if (first !== undefined) {
      results[index] =
        first.hash === item.tokenHash
          ? duplicateOf(token.counter, first)
          : { counter: token.counter, status: 'rejected', code: ErrorCode.FRAUD_COUNTER_ROLLBACK };
      continue;
    }
    const earlier = seenInGroup.get(identity);
    const firstInGroup = earlier === undefined ? undefined : results[earlier];
    if (earlier !== undefined && firstInGroup !== undefined) {
      // Judged in counter order, so the first copy in this group is already settled.
      results[index] =
        items[earlier]?.tokenHash === item.tokenHash
          ? duplicateOfResult(firstInGroup)
          : { counter: token.counter, status: 'rejected', code: ErrorCode.FRAUD_COUNTER_ROLLBACK };
      continue;
    }
    seenInGroup.set(identity, index);

    let code: ErrorCode | null = item.preCode;
    let hold: ErrorCode | null = null;
    // Checked before anything reads the field: an out-of-range value would fail the whole statement.
    const couponOfferInRange = token.couponOfferId <= INT_COLUMN_MAX;
    if (!couponOfferInRange) code ??= ErrorCode.TOKEN_FIELD_OUT_OF_RANGE;
    const hasEnvelope = token.envelopeIndex !== ENVELOPE_INDEX_NONE;
    const deck = hasEnvelope ? decks.get(token.deckId) : undefined;
    const campaignId = deck?.campaignId ?? token.campaignId;
    const campaign = campaigns.get(campaignId);

    // Step 5: the deck. An envelope whose deck checks pass is consumed whatever the final result,
    // so its money leaves escrow now (to the wallet, the hold, or back to the budget).
    let consumed = false;
    if (hasEnvelope) {
      const envelope = deck?.envelopes[token.envelopeIndex];
      let deckCode: ErrorCode | null = null;
      if (deck === undefined) deckCode = ErrorCode.DECK_UNKNOWN;
      else if (deck.screenId !== token.screenId) deckCode = ErrorCode.DECK_WRONG_SCREEN;
      else if (envelope === undefined) deckCode = ErrorCode.ENVELOPE_OUT_OF_RANGE;
      else if (
        envelope[0] !== token.amountFen ||
        envelope[1] !== token.couponOfferId ||
        deck.campaignId !== token.campaignId
      )
        deckCode = ErrorCode.ENVELOPE_MISMATCH;
      else if (used.has(`${deck.id}:${token.envelopeIndex}`)) deckCode = ErrorCode.ENVELOPE_REUSED;
      else if (
        token.ts > deck.validUntil ||
        deck.status !== 'open' ||
        (deck.closedUsedCount !== null && token.envelopeIndex >= deck.closedUsedCount)
      )
        deckCode = ErrorCode.DECK_EXPIRED;
      if (deckCode === null && deck !== undefined) {
        consumed = true;
        used.add(`${deck.id}:${token.envelopeIndex}`);
      }
      code ??= deckCode;
    } else if (campaign === undefined) {
      code ??= ErrorCode.DECK_UNKNOWN;
    } else if (token.couponOfferId !== 0 && !campaign.offers.has(token.couponOfferId)) {
      code ??= ErrorCode.ENVELOPE_MISMATCH;
    } else if (
      token.couponOfferId !== 0 &&
      (campaign.rules.fallbackCouponOfferId !== token.couponOfferId ||
        !FALLBACK_CAMPAIGN_STATUSES.has(campaign.status) ||
        !fallbackTargets.has(`${campaignId}:${token.screenId}`))
    ) {
      code ??= ErrorCode.COUPON_NOT_GRANTED;
    }

    // Step 6: the clock.
    if (code === null) {
      if (token.ts > item.receivedAtS + settings.clockFutureMaxS) code = ErrorCode.CLOCK_SKEW;
      else if (deck !== undefined && token.ts + settings.clockPastSlackS < deck.validFrom)
        code = ErrorCode.CLOCK_SKEW;
    }

    // Step 7: caps, then fraud rules. Holds apply to cash only: a coupon is not money.
    const amountFen = consumed ? token.amountFen : 0;
    const dayTotals = totalsOf(token.walletId, day);
    const advertiserId = campaign?.advertiserId ?? null;
    if (code === null && amountFen > 0) {
      if (dayTotals.cashCount + 1 > settings.walletDailyCashCountMax) code = ErrorCode.CAP_WALLET_DAILY_COUNT;
      else if (dayTotals.cashFen + amountFen > settings.walletDailyCashFenMax)
        code = ErrorCode.CAP_WALLET_DAILY_AMOUNT;
      else if (
        campaign !== undefined &&
        (dayTotals.byCampaign.get(campaignId) ?? 0) + 1 > campaign.rules.cashPerWalletPerDay
      )
        code = ErrorCode.CAP_CAMPAIGN_WALLET;
      else if (
        advertiserId !== null &&
        (dayTotals.byAdvertiser.get(advertiserId) ?? 0) + 1 > settings.advertiserWalletDailyCashMax
      )
        code = ErrorCode.CAP_ADVERTISER_WALLET;
    }
    if (
      code === null &&
      amountFen === 0 &&
      token.couponOfferId !== 0 &&
      campaign !== undefined &&
      !consumed
    ) {
      if ((dayTotals.couponsByCampaign.get(campaignId) ?? 0) + 1 > campaign.rules.couponsPerWalletPerDay)
        code = ErrorCode.CAP_CAMPAIGN_WALLET;
    }
    // Last of the checks, so stock is only taken by a coupon that is issued.
    if (code === null && !hasEnvelope && token.couponOfferId !== 0) {
      const position = fallbackStock.get(`${campaignId}:${token.couponOfferId}`)?.pop();
      if (position === undefined) code = ErrorCode.COUPON_OUT_OF_STOCK;
      else stockTaken.push(position);
    }
    const walletState = walletStates.get(token.walletId);
    if (code === null && amountFen > 0) {
      if (
        walletState !== undefined &&
        walletState.lastCity !== item.city &&
        Math.abs(token.ts - walletState.lastTs) < settings.travelWindowS
      )
        code = ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL;
      else if (
        !dayTotals.screens.has(token.screenId) &&
        dayTotals.screens.size + 1 > settings.screensPerWalletPerDayMax
      )
        code = ErrorCode.FRAUD_TOO_MANY_SCREENS;
    }
    let screenState = screenStates.get(token.screenId);
    if (screenState === undefined) {
      screenState = {
        counterMax: 0,
        tsAtCounterMax: 0,
        windowCounter: 0,
        windowTs: token.ts,
        touched: false,
      };
      screenStates.set(token.screenId, screenState);
    }
    if (code === null && amountFen > 0) {
      if (token.counter > screenState.counterMax + settings.counterGapMax) hold = ErrorCode.FRAUD_COUNTER_GAP;
      else if (
        // Window counter 0 is no window yet: the screen's first tap seen (whatever its counter, e.g. one a
        // phone redeemed while its screen was offline) only opens one.
        screenState.windowCounter !== 0 &&
        token.counter > screenState.counterMax &&
        token.counter - screenState.windowCounter >= settings.tapRateWindow &&
        token.ts - screenState.windowTs <
          (token.counter - screenState.windowCounter) * settings.tapIntervalMinS
      )
        hold = ErrorCode.FRAUD_TAP_RATE;
      else if (
        deck !== undefined &&
        ((token.counter > deck.lastCounter && token.envelopeIndex < deck.lastEnvelopeIndex) ||
          (token.counter < deck.lastCounter && token.envelopeIndex > deck.lastEnvelopeIndex))
      )
        hold = ErrorCode.FRAUD_ENVELOPE_ORDER;
    }
    // Fraud state follows every authentic tap, whatever its result.
    if (token.counter > screenState.counterMax) {
      if (
        token.counter - screenState.windowCounter >= settings.tapRateWindow ||
        screenState.windowCounter === 0
      ) {
        screenState.windowCounter = token.counter;
        screenState.windowTs = token.ts;
      }
      screenState.counterMax = token.counter;
      screenState.tsAtCounterMax = token.ts;
      screenState.touched = true;
    }
    if (consumed && deck !== undefined && token.counter > deck.lastCounter) {
      deck.lastCounter = token.counter;
      deck.lastEnvelopeIndex = token.envelopeIndex;
      deck.touched = true;
    }

    // Steps 8–9: ledger moves and the result row.
    let status: RedemptionStatus;
    let resultCode: string | null = code;
    if (code !== null) status = 'rejected';
    else if (hold !== null) {
      status = 'held';
      resultCode = hold;
    } else status = 'credited';
    const movedFen = status === 'rejected' ? 0 : amountFen;

    if (consumed && deck !== undefined && campaign !== undefined) {
      if (amountFen > 0 && deck.escrowAccountId !== null) {
        let creditAccountId = campaign.budgetAccountId;
        if (status === 'credited' && item.walletAccountId !== null) creditAccountId = item.walletAccountId;
        if (status === 'held')
          creditAccountId = holdAccountId ??= await systemLedgerAccount(tx, 'review_hold');
        moves.push({
          debitAccountId: deck.escrowAccountId,
          creditAccountId,
          amountFen,
          code: status === 'credited' ? 'redeem' : status === 'held' ? 'hold' : 'reject_return',
          reference: `tap:${token.screenId}:${token.counter}`,
        });
      }
      if (status === 'rejected')
        returnedEnvelopes.push({
          campaign_id: campaignId,
          amount_fen: token.amountFen,
          coupon_offer_id: token.couponOfferId,
        });
    }
    let code16: string | undefined;
    if (status === 'credited' && token.couponOfferId !== 0 && campaign !== undefined) {
      const offer = campaign.offers.get(token.couponOfferId);
      // The kiosk awards no coupon at or after the offer's validUntil (docs/protocol.md §5.5); an
      // envelope naming a dead offer still pays its cash, but the cloud issues no coupon either.
      if (offer !== undefined && token.ts < offer.validUntil) {
        code16 = newCouponBody();
        couponRows.push({
          code: code16,
          wallet_id: token.walletId,
          coupon_offer_id: token.couponOfferId,
          campaign_id: campaignId,
          screen_id: token.screenId,
          counter: token.counter,
          tap_day: day,
          valid_until: Math.min(offer.validUntil, token.ts + offer.validityDays * 86_400),
        });
      }
    }
    if (status !== 'rejected') {
      if (movedFen > 0) {
        dayTotals.cashCount += 1;
        dayTotals.cashFen += movedFen;
        bump(dayTotals.byCampaign, campaignId, 1);
        if (advertiserId !== null) bump(dayTotals.byAdvertiser, advertiserId, 1);
        dayTotals.screens.add(token.screenId);
      } else if (token.couponOfferId !== 0) {
        bump(dayTotals.couponsByCampaign, campaignId, 1);
      }
      if (walletState === undefined || token.ts >= walletState.lastTs) {
        walletStates.set(token.walletId, {
          lastTs: token.ts,
          lastCity: item.city,
          lastScreenId: token.screenId,
          touched: true,
        });
      }
    }
    rows.push({
      screen_id: token.screenId,
      counter: token.counter,
      token_hash: item.tokenHash,
      wallet_id: token.walletId,
      campaign_id: campaignId,
      advertiser_id: advertiserId,
      deck_id: consumed ? token.deckId : null,
      envelope_index: consumed ? token.envelopeIndex : null,
      amount_fen: movedFen,
      coupon_offer_id: token.couponOfferId === 0 || !couponOfferInRange ? null : token.couponOfferId,
      status,
      code: resultCode,
      tap_ts: token.ts,
      tap_day: day,
      city: item.city,
      source: item.source,
    });
    results[index] = resultOf(token, status, resultCode, movedFen, code16);
  }
  await writeAll(tx, {
    rows,
    couponRows,
    returnedEnvelopes,
    stockTaken,
    moves,
    decks,
    screenStates,
    walletStates,
    now,
  });
  return results;
}

function resultOf(
  token: TapToken,
  status: RedemptionStatus,
  code: string | null,
  amountFen: number,
  couponCode: string | undefined,
): SettledResult {
  if (status === 'credited')
    return couponCode === undefined
      ? { counter: token.counter, status: 'credited', amountFen }
      : { counter: token.counter, status: 'credited', amountFen, couponCode };
  if (status === 'held')
    return { counter: token.counter, status: 'held', code: code ?? ErrorCode.HELD_FOR_REVIEW, amountFen };
  return { counter: token.counter, status: 'rejected', code: code ?? ErrorCode.INTERNAL };
}

function duplicateOf(
  counter: number,
  first: { status: RedemptionStatus; code: string | null; amountFen: number },
): SettledResult {
  if (first.status === 'credited' || first.status === 'released')
    return { counter, status: 'duplicate', amountFen: first.amountFen };
  if (first.status === 'held')
    return { counter, status: 'duplicate', amountFen: 0, code: ErrorCode.HELD_FOR_REVIEW };
  return { counter, status: 'duplicate', amountFen: 0, code: first.code ?? ErrorCode.INTERNAL };
}

function duplicateOfResult(first: SettledResult): SettledResult {
  if (first.status === 'credited')
    return { counter: first.counter, status: 'duplicate', amountFen: first.amountFen ?? 0 };
  if (first.status === 'held')
    return { counter: first.counter, status: 'duplicate', amountFen: 0, code: ErrorCode.HELD_FOR_REVIEW };
  return {
    counter: first.counter,
    status: 'duplicate',
    amountFen: 0,
    code: first.code ?? ErrorCode.INTERNAL,
  };
}

async function writeAll(
  tx: Database,
  input: {
    rows: Record<string, unknown>[];
    couponRows: Record<string, unknown>[];
    returnedEnvelopes: { campaign_id: number; amount_fen: number; coupon_offer_id: number }[];
    /** Pool envelopes whose coupon a fallback tap took: an empty one goes, a cash one keeps its cash. */
    stockTaken: number[];
    moves: NewTransfer[];
    decks: Map<number, DeckState>;
    screenStates: Map<number, ScreenState>;
    walletStates: Map<number, WalletState>;
    now: Date;
  },
): Promise<void> {
  const receivedAt = input.now.toISOString();
  if (input.rows.length > 0) {
    const inserted = await queryRows<{ id: unknown }>(
      tx,
      sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, deck_id,
            envelope_index, amount_fen, coupon_offer_id, status, code, tap_ts, tap_day, city, source, received_at)
          select screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, deck_id, envelope_index,
                 amount_fen, coupon_offer_id, status, code, tap_ts, tap_day, city, source, ${receivedAt}::timestamptz
          from jsonb_to_recordset(${json(input.rows)}::jsonb) as t(screen_id bigint, counter bigint, token_hash text,
            wallet_id bigint, campaign_id bigint, advertiser_id bigint, deck_id bigint, envelope_index int,
            amount_fen bigint, coupon_offer_id int, status text, code text, tap_ts bigint, tap_day date, city text,
            source text)
          on conflict (screen_id, counter) do nothing
          returning id`,
    );
    // The advisory lock makes this unreachable; if a writer without it raced us, judge again.
    if (inserted.length !== input.rows.length)
      throw new TransientRedemptionError('a token identity was recorded concurrently');
  }
  if (input.moves.length > 0) {
    const posted = await timed('ledger', postNewTransfers(tx, input.moves));
    // Escrow always holds every unconsumed envelope, so a refusal is a broken invariant, not a tap's fault.
    if (!posted.ok) throw new Error(`redemption transfer refused: ${JSON.stringify(posted)}`);
  }
  if (input.couponRows.length > 0) {
    await tx.execute(
      sql`insert into coupons (code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, issued_at, valid_until)
          select code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, ${receivedAt}::timestamptz, valid_until
          from jsonb_to_recordset(${json(input.couponRows)}::jsonb) as t(code text, wallet_id bigint, coupon_offer_id int,
            campaign_id bigint, screen_id bigint, counter bigint, tap_day date, valid_until bigint)`,
    );
  }
  if (input.returnedEnvelopes.length > 0) {
    await tx.execute(
      sql`insert into campaign_envelopes (campaign_id, amount_fen, coupon_offer_id)
          select campaign_id, amount_fen, coupon_offer_id
          from jsonb_to_recordset(${json(input.returnedEnvelopes)}::jsonb) as t(campaign_id bigint, amount_fen bigint, coupon_offer_id int)`,
    );
  }
  if (input.stockTaken.length > 0) {
    const positions = json(input.stockTaken);
    await tx.execute(
      sql`delete from campaign_envelopes where amount_fen = 0
            and position in (select jsonb_array_elements_text(${positions}::jsonb)::bigint)`,
    );
    await tx.execute(
      sql`update campaign_envelopes set coupon_offer_id = 0
          where position in (select jsonb_array_elements_text(${positions}::jsonb)::bigint)`,
    );
  }
  const deckUpdates = [...input.decks.values()]
    .filter((deck) => deck.touched)
    .map((deck) => ({ id: deck.id, c: deck.lastCounter, i: deck.lastEnvelopeIndex }));
  if (deckUpdates.length > 0) {
    await tx.execute(
      sql`update decks d set last_counter = u.c, last_envelope_index = u.i
          from jsonb_to_recordset(${json(deckUpdates)}::jsonb) as u(id bigint, c bigint, i int) where d.id = u.id`,
    );
  }
  const screenUpdates = [...input.screenStates]
    .filter(([, state]) => state.touched)
    .map(([id, state]) => ({
      id,
      m: state.counterMax,
      t: state.tsAtCounterMax,
      wc: state.windowCounter,
      wt: state.windowTs,
    }));
  if (screenUpdates.length > 0) {
    await tx.execute(
      sql`insert into screen_tap_state (screen_id, counter_max, ts_at_counter_max, window_counter, window_ts)
          select id, m, t, wc, wt from jsonb_to_recordset(${json(screenUpdates)}::jsonb)
            as u(id bigint, m bigint, t bigint, wc bigint, wt bigint)
          on conflict (screen_id) do update set counter_max = excluded.counter_max,
            ts_at_counter_max = excluded.ts_at_counter_max, window_counter = excluded.window_counter,
            window_ts = excluded.window_ts`,
    );
  }
  const walletUpdates = [...input.walletStates]
    .filter(([, state]) => state.touched)
    .map(([id, state]) => ({ id, t: state.lastTs, c: state.lastCity, s: state.lastScreenId }));
  if (walletUpdates.length > 0) {
    await tx.execute(
      sql`insert into wallet_tap_state (wallet_id, last_ts, last_city, last_screen_id)
          select id, t, c, s from jsonb_to_recordset(${json(walletUpdates)}::jsonb) as u(id bigint, t bigint, c text, s bigint)
          on conflict (wallet_id) do update set last_ts = excluded.last_ts, last_city = excluded.last_city,
            last_screen_id = excluded.last_screen_id`,
    );
  }
}
