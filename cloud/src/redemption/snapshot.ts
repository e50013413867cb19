// Load: everything the judge needs for a group of tokens, read up front with one query per kind
// (first results, decks, used envelopes, campaigns, offers, day totals, day screens, screen and wallet
// state, fallback stock), so judging awaits nothing. The caller holds the group's advisory locks.
import { sql } from 'drizzle-orm';
import {
  capDay,
  cityKey,
  deckFactsOf,
  emptyWalletDay,
  ENVELOPE_INDEX_NONE,
  type CampaignFacts,
  type DeckFacts,
  type FallbackPool,
  type NetworkRules,
  type ScreenTapState,
  type WalletDay,
  type WalletTravel,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { pgArray, recordsetOf, sortedIds } from '../db/pg-array.ts';
import { int, queryRows } from '../db/rows.ts';
import type { CampaignRules, CampaignTargeting } from '../db/schema/campaigns.ts';
import type { RedemptionStatus } from '../db/schema/redemptions.ts';
import { screensTargeted } from '../services/campaign-screens.ts';
import { campaignFactsOf } from './campaign-facts.ts';
import type { RecordableToken } from './prepare.ts';

export interface FirstResult {
  hash: string;
  status: RedemptionStatus;
  code: string | null;
  amountFen: number;
}

export interface LoadedDeck {
  facts: DeckFacts;
  escrowAccountId: number | null;
  /** Known to the judge through `facts`; kept to write the cursor back only when it moved. */
  loadedLastCounter: number;
}

export interface LoadedCampaign {
  facts: CampaignFacts;
  budgetAccountId: number;
  /** Coupon lifetime per offer, for the coupons issued. */
  validityDays: Map<number, number>;
}

export interface LoadedWallet {
  travel: WalletTravel;
  /** The city of the last tap, as written back. */
  lastCity: string;
}

export interface LoadedFallbackStock {
  pool: FallbackPool;
  /** Pool envelopes of the offer, locked; each coupon issued takes one. */
  positions: number[];
}

export interface RedemptionSnapshot {
  /** The cap day of each item, in item order. */
  days: string[];
  /** `screenId:counter` → the first result recorded. */
  existing: Map<string, FirstResult>;
  decks: Map<number, LoadedDeck>;
  campaigns: Map<number, LoadedCampaign>;
  /** `walletId|day` → the wallet's totals that day. */
  walletDays: Map<string, WalletDay>;
  wallets: Map<number, LoadedWallet>;
  screens: Map<number, ScreenTapState>;
  /** `campaignId:offerId` → the fallback offer's stock in the pool. */
  fallbackStock: Map<string, LoadedFallbackStock>;
  /** `campaignId:screenId` of deck-less fallback coupons whose campaign targets the screen. */
  fallbackTargets: Set<string>;
}

/** A bigint[] column: `pg` hands back strings (or the literal), PGlite numbers. */
const arrayOfInts = (value: unknown[] | string): number[] =>
  (typeof value === 'string'
    ? value
        .replace(/[{}]/g, '')
        .split(',')
        .filter((part) => part !== '')
    : value
  ).map((element) => int(element));
const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
/** Distinct ids as one `bigint[]` parameter. */
const ids = (values: Iterable<number>) => pgArray(sortedIds(values));

/** Campaign states in which a fallback coupon may still be issued for a tap made while it ran. */
const FALLBACK_CAMPAIGN_STATUSES = new Set(['active', 'paused']);

export async function loadSnapshot(
  tx: Database,
  items: readonly RecordableToken[],
  rules: NetworkRules,
): Promise<RedemptionSnapshot> {
  const days = items.map((item) => capDay(item.token.ts, rules));
  const identities = items.map((item) => ({ s: item.token.screenId, c: item.token.counter }));
  const deckIds = items.map((item) => item.token.deckId).filter((id) => id !== 0);
  const envelopeKeys = items
    .filter((item) => item.token.envelopeIndex !== ENVELOPE_INDEX_NONE)
    .map((item) => ({ d: item.token.deckId, i: item.token.envelopeIndex }));
  const walletDayKeys = new Map<string, { w: number; d: string }>();
  items.forEach((item, index) => {
    const d = days[index] ?? '';
    walletDayKeys.set(`${item.token.walletId}|${d}`, { w: item.token.walletId, d });
  });
  const screenIds = items.map((item) => item.token.screenId);
  const walletIds = items.map((item) => item.token.walletId);

  // The highest counter each screen has recorded and the highest envelope each deck has had drawn, one
  // index probe each: a token above both marks is new, so only retransmissions and out-of-order taps
  // are looked up one by one. A backlog arriving in counter order probes nothing.
  const marks = await queryRows<{ kind: 'screen' | 'deck'; id: unknown; mark: unknown }>(
    tx,
    sql`select 'screen' as kind, s.id, (select max(r.counter) from redemptions r where r.screen_id = s.id) as mark
        from unnest(${ids(screenIds)}::bigint[]) as s(id)
        union all
        select 'deck', d.id, (select max(r.envelope_index) from redemptions r
                              where r.deck_id = d.id and r.envelope_index is not null)
        from unnest(${ids(deckIds)}::bigint[]) as d(id)`,
  );
  const counterMark = new Map<number, number>();
  const envelopeMark = new Map<number, number>();
  for (const row of marks)
    if (row.mark !== null)
      (row.kind === 'screen' ? counterMark : envelopeMark).set(int(row.id), int(row.mark));
  const maybeRecorded = identities.filter((key) => key.c <= (counterMark.get(key.s) ?? -1));
  const maybeUsed = envelopeKeys.filter((key) => key.i <= (envelopeMark.get(key.d) ?? -1));
  const existingRows =
    maybeRecorded.length === 0
      ? []
      : await queryRows<{
          screen_id: unknown;
          counter: unknown;
          token_hash: string;
          status: RedemptionStatus;
          code: string | null;
          amount_fen: unknown;
        }>(
          tx,
          sql`select r.screen_id, r.counter, r.token_hash, r.status, r.code, r.amount_fen
              from ${recordsetOf(maybeRecorded, { s: 'bigint', c: 'bigint' }, 'k')}
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
          fallback_count: unknown;
          escrow_account_id: unknown;
          status: string;
          closed_used_count: unknown;
          last_counter: unknown;
          last_envelope_index: unknown;
        }>(
          tx,
          sql`select id, campaign_id, screen_id, valid_from, valid_until, envelopes, fallback_count, escrow_account_id,
                     status, closed_used_count, last_counter, last_envelope_index
              from decks where id = any(${ids(deckIds)}::bigint[])
              order by id for update`,
        );
  const usedRows =
    maybeUsed.length === 0
      ? []
      : await queryRows<{ deck_id: unknown; envelope_index: unknown }>(
          tx,
          sql`select r.deck_id, r.envelope_index
              from ${recordsetOf(maybeUsed, { d: 'bigint', i: 'int' }, 'k')}
              join redemptions r on r.deck_id = k.d and r.envelope_index = k.i`,
        );
  const campaignIds = [
    ...items.map((item) => item.token.campaignId),
    ...deckRows.map((row) => int(row.campaign_id)),
  ];
  const campaignRows = await queryRows<{
    id: unknown;
    advertiser_id: unknown;
    budget_account_id: unknown;
    status: string;
    starts_at: unknown;
    ends_at: unknown;
    targeting: CampaignTargeting | string;
    rules: CampaignRules | string;
  }>(
    tx,
    sql`select id, advertiser_id, budget_account_id, status, starts_at, ends_at, targeting, rules from campaigns
        where id = any(${ids(campaignIds)}::bigint[])`,
  );
  const offerRows = await queryRows<{
    id: unknown;
    campaign_id: unknown;
    valid_until: unknown;
    validity_days: unknown;
  }>(
    tx,
    sql`select id, campaign_id, valid_until, validity_days from coupon_offers
        where campaign_id = any(${ids(campaignIds)}::bigint[])`,
  );
  // Kept current as taps settle (wallet_day_totals), so this reads a few rows per wallet and day
  // however long the wallet's history: one primary-key probe per (wallet, day). `offset 0` keeps the
  // lateral subquery a probe; as a plain join the planner hashes the whole table once it is a few
  // times larger than the group, so the cost would grow with history (seen on PGlite at 30,000 rows).
  const totalRows = await queryRows<{
    wallet_id: unknown;
    tap_day: string;
    campaign_id: unknown;
    advertiser_id: unknown;
    cash_count: unknown;
    cash_fen: unknown;
    coupon_count: unknown;
    coupon_tap_ts: unknown[] | string;
    fallback_count: unknown;
  }>(
    tx,
    sql`select t.wallet_id, t.tap_day::text as tap_day, t.campaign_id, t.advertiser_id, t.cash_count, t.cash_fen,
               t.coupon_count, t.coupon_tap_ts, t.fallback_count
        from ${recordsetOf([...walletDayKeys.values()], { w: 'bigint', d: 'date' }, 'k')}
        cross join lateral (select * from wallet_day_totals t
                            where t.wallet_id = k.w and t.tap_day = k.d offset 0) t`,
  );
  const dayScreenRows = await queryRows<{ wallet_id: unknown; tap_day: string; screen_id: unknown }>(
    tx,
    sql`select t.wallet_id, t.tap_day::text as tap_day, t.screen_id
        from ${recordsetOf([...walletDayKeys.values()], { w: 'bigint', d: 'date' }, 'k')}
        cross join lateral (select * from wallet_day_screens t
                            where t.wallet_id = k.w and t.tap_day = k.d and t.cash_count > 0 offset 0) t`,
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
        where screen_id = any(${ids(screenIds)}::bigint[])`,
  );
  const walletStateRows = await queryRows<{
    wallet_id: unknown;
    last_ts: unknown;
    last_city: string;
    last_screen_id: unknown;
  }>(
    tx,
    sql`select wallet_id, last_ts, last_city, last_screen_id from wallet_tap_state
        where wallet_id = any(${ids(walletIds)}::bigint[])`,
  );

  const existing = new Map<string, FirstResult>(
    existingRows.map((row) => [
      `${int(row.screen_id)}:${int(row.counter)}`,
      { hash: row.token_hash, status: row.status, code: row.code, amountFen: int(row.amount_fen) },
    ]),
  );
  const used = new Set(usedRows.map((row) => `${int(row.deck_id)}:${int(row.envelope_index)}`));
  const decks = new Map<number, LoadedDeck>();
  for (const row of deckRows) {
    const deckId = int(row.id);
    const lastCounter = int(row.last_counter);
    decks.set(deckId, {
      facts: deckFactsOf({
        deckId,
        campaignId: int(row.campaign_id),
        screenId: int(row.screen_id),
        validFrom: int(row.valid_from),
        validUntil: int(row.valid_until),
        envelopes: parsed(row.envelopes),
        fallbackCount: int(row.fallback_count),
        used: (index) => used.has(`${deckId}:${index}`),
        status: row.status,
        closedUsedCount: row.closed_used_count === null ? null : int(row.closed_used_count),
        lastCounter,
        lastEnvelopeIndex: int(row.last_envelope_index),
      }),
      escrowAccountId: row.escrow_account_id === null ? null : int(row.escrow_account_id),
      loadedLastCounter: lastCounter,
    });
  }
  const campaigns = new Map<number, LoadedCampaign & { targeting: CampaignTargeting }>();
  for (const row of campaignRows) {
    campaigns.set(int(row.id), {
      facts: campaignFactsOf(row, parsed(row.rules), 'tap'),
      budgetAccountId: int(row.budget_account_id),
      validityDays: new Map(),
      targeting: parsed(row.targeting),
    });
  }
  for (const row of offerRows) {
    const campaign = campaigns.get(int(row.campaign_id));
    if (campaign === undefined) continue;
    campaign.facts.offers.set(int(row.id), { validUntil: int(row.valid_until) });
    campaign.validityDays.set(int(row.id), int(row.validity_days));
  }

  const walletDays = new Map<string, WalletDay>();
  // The cloud knows each coupon tap's time: fallback coupons are capped in tap order (judge.ts).
  for (const key of walletDayKeys.keys())
    walletDays.set(key, {
      ...emptyWalletDay(),
      couponTimesByCampaign: new Map(),
      fallbacksByCampaign: new Map(),
    });
  const bump = (map: Map<number, number>, key: number, by: number) => map.set(key, (map.get(key) ?? 0) + by);
  for (const row of totalRows) {
    const day = walletDays.get(`${int(row.wallet_id)}|${row.tap_day}`);
    if (day === undefined) continue;
    const cashCount = int(row.cash_count);
    day.cashCount += cashCount;
    day.cashFen += int(row.cash_fen);
    bump(day.cashByCampaign, int(row.campaign_id), cashCount);
    bump(day.couponsByCampaign, int(row.campaign_id), int(row.coupon_count));
    const times = day.couponTimesByCampaign ?? new Map<number, number[]>();
    times.set(int(row.campaign_id), arrayOfInts(row.coupon_tap_ts));
    day.couponTimesByCampaign = times;
    bump((day.fallbacksByCampaign ??= new Map()), int(row.campaign_id), int(row.fallback_count));
    if (row.advertiser_id !== null) bump(day.cashByAdvertiser, int(row.advertiser_id), cashCount);
  }
  for (const row of dayScreenRows)
    walletDays.get(`${int(row.wallet_id)}|${row.tap_day}`)?.cashScreens.add(int(row.screen_id));

  const screens = new Map<number, ScreenTapState>(
    screenStateRows.map((row) => [
      int(row.screen_id),
      {
        counterMax: int(row.counter_max),
        tsAtCounterMax: int(row.ts_at_counter_max),
        windowCounter: int(row.window_counter),
        windowTs: int(row.window_ts),
      },
    ]),
  );
  const wallets = new Map<number, LoadedWallet>();
  for (const walletId of walletIds) wallets.set(walletId, { travel: { lastTap: null }, lastCity: '' });
  for (const row of walletStateRows) {
    wallets.set(int(row.wallet_id), {
      travel: {
        lastTap: { ts: int(row.last_ts), cityKey: cityKey(row.last_city), screenId: int(row.last_screen_id) },
      },
      lastCity: row.last_city,
    });
  }

  // Deck-less fallback coupons (kiosks without an allotment): which screens their campaigns target, and
  // the offer's stock left in the pool. Skip locked: a deck being issued holds its envelopes; this
  // never waits on (or deadlocks with) it.
  const wanted = new Map<string, { campaignId: number; offerId: number; screens: Set<number>; n: number }>();
  for (const item of items) {
    const token = item.token;
    const campaign = campaigns.get(token.campaignId)?.facts;
    if (
      token.envelopeIndex !== ENVELOPE_INDEX_NONE ||
      token.couponOfferId === 0 ||
      item.preCode !== null ||
      campaign === undefined ||
      campaign.fallbackCouponOfferId !== token.couponOfferId ||
      !FALLBACK_CAMPAIGN_STATUSES.has(campaign.status)
    )
      continue;
    const key = `${token.campaignId}:${token.couponOfferId}`;
    const entry = wanted.get(key) ?? {
      campaignId: token.campaignId,
      offerId: token.couponOfferId,
      screens: new Set<number>(),
      n: 0,
    };
    entry.screens.add(token.screenId);
    entry.n += 1;
    wanted.set(key, entry);
  }
  const fallbackTargets = new Set<string>();
  const fallbackStock = new Map<string, LoadedFallbackStock>();
  for (const [key, entry] of wanted) {
    const campaign = campaigns.get(entry.campaignId);
    if (campaign === undefined) continue;
    for (const screenId of await screensTargeted(tx, entry.campaignId, [...entry.screens]))
      fallbackTargets.add(`${entry.campaignId}:${screenId}`);
    const stockRows = await queryRows<{ position: unknown }>(
      tx,
      sql`select position from campaign_envelopes
          where campaign_id = ${entry.campaignId} and coupon_offer_id = ${entry.offerId} and deck_id is null
          order by position desc limit ${entry.n} for update skip locked`,
    );
    const positions = stockRows.map((row) => int(row.position));
    fallbackStock.set(key, { pool: { available: positions.length }, positions });
  }

  return { days, existing, decks, campaigns, walletDays, wallets, screens, fallbackStock, fallbackTargets };
}
