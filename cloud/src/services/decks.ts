// Envelope decks (docs/protocol.md §3.4): cut from the campaign's pool as each screen's fair share, sized
// by the taps the cloud settled, with a fallback-coupon allotment taken out of the pool's coupon stock;
// escrowed through the ledger (campaign_budget → deck_escrow), signed with the active issuer key and
// published to the screen.
// Unused escrow flows back at validUntil + grace, or earlier for envelopes a signed close report
// (§3.6) gives up. Returned envelopes go back into the pool, so pool cash always equals the budget.
import { sql, type SQL } from 'drizzle-orm';
import {
  assert,
  claimReservePercent,
  DECK_ENVELOPES_MAX,
  decodeDeckClose,
  ErrorCode,
  fromHex,
  importPublicKeyRaw,
  offersPath,
  signDeck,
  toHex,
  verifyDeckCloseSignature,
  type DeckLowEvent,
} from '@redtap/shared';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CloudBroker } from '../broker/types.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { CampaignRules } from '../db/schema/campaigns.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import type { MoneySettings } from '../money-settings.ts';
import { returnEnvelopes as returnToCampaigns, takePoolCoupons } from './envelope-returns.ts';
import { activeIssuerKey } from './issuer-keys.ts';
import { countCampaignScreens, screenIdsIn } from './campaign-screens.ts';

const EXPIRY_SWEEP_MAX = 100;
/** Open decks of one campaign sent again to a screen that runs low (it holds a few at most). */
const HELD_DECKS_RESENT_MAX = 8;

export interface DeckDeps {
  db: Database;
  broker: CloudBroker;
  logger: Logger;
  kek: Buffer;
  settings: MoneySettings;
  now: () => Date;
}

export interface IssuedDeck {
  deckId: number;
  /** Every envelope, the allotment last. */
  envelopes: [number, number][];
  /** The last `fallbackCount` envelopes are the fallback-coupon allotment (docs/protocol.md §3.4). */
  fallbackCount: number;
  reservedFen: number;
  bytes: Uint8Array;
}

/** Envelopes for `horizon` at the observed rate, within [min, max]. */
export function deckSize(tapRatePerHour: number | null, settings: MoneySettings): number {
  const rate = tapRatePerHour ?? settings.tapRatePerHourDefault;
  const wanted = Math.ceil((rate * settings.deckHorizonS) / 3600);
  return Math.max(settings.deckSizeMin, Math.min(settings.deckSizeMax, wanted));
}

/**
 * One screen's fair share of what a campaign has left (docs/protocol.md §3.4): what is still in the pool
 * plus what every screen holds, split evenly over the targeted screens. A screen holding its share gets
 * nothing more, however often it asks; what idle screens leave stays in the pool for later decks.
 */
export function fairShare(pooled: number, heldAll: number, screens: number): number {
  assert(pooled >= 0 && heldAll >= 0, 'counts are never negative');
  return Math.ceil((pooled + heldAll) / Math.max(1, screens));
}

/**
 * Cash envelopes a campaign's decks leave in its pool for online claims (docs/protocol.md §3.4):
 * `percent` of what it has left (the pool plus what every screen holds), rounded up, and never more than
 * the pool's cash envelopes. 0 for a campaign that offers no online claim path.
 */
export function claimReserve(pooledCash: number, pooled: number, heldAll: number, percent: number): number {
  assert(pooledCash >= 0 && pooled >= pooledCash && heldAll >= 0, 'counts are never negative');
  if (percent <= 0) return 0;
  return Math.min(pooledCash, Math.ceil(((pooled + heldAll) * percent) / 100));
}

/**
 * Fallback-coupon slots for `demand` taps: a wallet takes the fallback coupon only past its cash packets,
 * so at most couponsPerWalletPerDay of each cashPerWalletPerDay + couponsPerWalletPerDay taps.
 */
export function fallbackAllotmentSize(
  demand: number,
  rules: { cashPerWalletPerDay: number; couponsPerWalletPerDay: number; fallbackCouponOfferId: number },
): number {
  if (rules.fallbackCouponOfferId === 0 || rules.couponsPerWalletPerDay <= 0) return 0;
  const perTap =
    rules.couponsPerWalletPerDay / (Math.max(0, rules.cashPerWalletPerDay) + rules.couponsPerWalletPerDay);
  return Math.ceil(demand * perTap);
}

/** Tokens of one screen looked at to measure its rate: bounded, however long its history. */
const OBSERVED_TAPS_MAX = 4_000;
/** A rate is never measured over less than this, so a handful of early taps cannot look like a rush. */
const OBSERVATION_SPAN_MIN_S = 3_600;

/**
 * Taps per hour of `campaignId` on `screenId` that the cloud settled (redemptions, whatever their result)
 * over the last deckHorizonS, or since the screen's first deck of the campaign when that is later; null
 * when none: no observation, so the default rate applies. Never a rate the screen reports.
 */
export async function observedTapRatePerHour(
  db: Database,
  settings: MoneySettings,
  input: { campaignId: number; screenId: number; nowS: number },
): Promise<number | null> {
  const rates = await observedTapRatesPerHour(db, settings, {
    campaignId: input.campaignId,
    screenIds: [input.screenId],
    nowS: input.nowS,
  });
  return rates.get(input.screenId) ?? null;
}

/** observedTapRatePerHour of several screens of one campaign, in two statements. */
export async function observedTapRatesPerHour(
  db: Database,
  settings: MoneySettings,
  input: { campaignId: number; screenIds: readonly number[]; nowS: number },
): Promise<Map<number, number | null>> {
  const rates = new Map<number, number | null>();
  if (input.screenIds.length === 0) return rates;
  const firsts = await queryRows<{ screen_id: unknown; issued: unknown }>(
    db,
    sql`select screen_id, min(valid_from) as issued from decks
        where screen_id in (${screenIdsIn(input.screenIds)}) and campaign_id = ${input.campaignId}
        group by screen_id`,
  );
  const firstOf = new Map(
    firsts.map((row) => [int(row.screen_id), int(row.issued) + settings.clockPastSlackS]),
  );
  const since = input.screenIds.map((screenId) => ({
    s: screenId,
    t: Math.max(input.nowS - settings.deckHorizonS, firstOf.get(screenId) ?? 0),
  }));
  // The newest tokens of each screen by counter, through its identity index: a bounded read per screen.
  const rows = await queryRows<{ screen_id: unknown; n: unknown }>(
    db,
    sql`select k.s as screen_id, (
          select count(*) from (
            select campaign_id, tap_ts from redemptions where screen_id = k.s
            order by counter desc limit ${OBSERVED_TAPS_MAX}) r
          where r.campaign_id = ${input.campaignId} and r.tap_ts >= k.t) as n
        from jsonb_to_recordset(${JSON.stringify(since)}::jsonb) as k(s bigint, t bigint)`,
  );
  const sinceOf = new Map(since.map(({ s, t }) => [s, t]));
  for (const row of rows) {
    const screenId = int(row.screen_id);
    const taps = int(row.n ?? 0);
    const sinceS = sinceOf.get(screenId) ?? input.nowS;
    rates.set(
      screenId,
      taps === 0 ? null : (taps * 3600) / Math.max(OBSERVATION_SPAN_MIN_S, input.nowS - sinceS),
    );
  }
  return rates;
}

interface Held {
  /** Unredeemed main envelopes and allotment slots of a screen's usable decks of the campaign. */
  main: number;
  fallback: number;
}

interface Holdings {
  byScreen: Map<number, Held>;
  /** The same over every screen. */
  mainAll: number;
  fallbackAll: number;
  /** Open, unexpired decks of each screen, closed or not: what openDecksPerScreenMax counts. */
  openOf: Map<number, number>;
}

/**
 * What screens hold of a campaign: the envelopes of open, unexpired, unclosed decks that no settled token
 * consumed yet. Envelopes a screen used offline and has not sent count as held until they arrive. One
 * read of the campaign's open decks (its open-deck index) per batch, whatever the batch's screens.
 */
async function holdings(tx: Database, input: { campaignId: number; nowS: number }): Promise<Holdings> {
  const rows = await queryRows<{ screen_id: unknown; open: unknown; main: unknown; fallback: unknown }>(
    tx,
    sql`select d.screen_id, count(*) as open,
               sum(jsonb_array_length(d.envelopes) - d.fallback_count - coalesce(u.main, 0))
                 filter (where d.closed_used_count is null) as main,
               sum(d.fallback_count - coalesce(u.fallback, 0)) filter (where d.closed_used_count is null) as fallback
        from decks d
        left join lateral (
          select count(*) filter (where r.envelope_index < jsonb_array_length(d.envelopes) - d.fallback_count) as main,
                 count(*) filter (where r.envelope_index >= jsonb_array_length(d.envelopes) - d.fallback_count) as fallback
          from redemptions r where r.deck_id = d.id and r.envelope_index is not null) u on true
        where d.campaign_id = ${input.campaignId} and d.status = 'open' and d.valid_until >= ${input.nowS}
        group by d.screen_id`,
  );
  const held: Holdings = { byScreen: new Map(), mainAll: 0, fallbackAll: 0, openOf: new Map() };
  for (const row of rows) {
    const screenId = int(row.screen_id);
    const main = int(row.main ?? 0);
    const fallback = int(row.fallback ?? 0);
    held.openOf.set(screenId, int(row.open));
    held.mainAll += main;
    held.fallbackAll += fallback;
    held.byScreen.set(screenId, { main, fallback });
  }
  return held;
}

function parsedJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export interface IssueDeckInput {
  campaignId: number;
  screenId: number;
  now: Date;
  /**
   * A refill (deck-low, activation): the screen gets a deck only while it holds less than its demand,
   * and only the difference (at least deckSizeMin). Without it every call cuts a deck of the demand.
   */
  topUp?: boolean;
}

/**
 * Reserves and signs one deck for (campaign, screen), or returns null when the campaign is not active,
 * the pool is empty, the screen holds its fair share (or, topping up, its demand), or it already holds
 * enough open decks. The deck's main envelopes come from the front of the pool; its fallback-coupon
 * allotment takes coupons of the fallback offer out of the pool, as a fallback tap did before decks
 * carried them. The ledger refuses a reservation beyond the budget, which rolls the whole deck back.
 */
export async function issueDeck(
  deps: Pick<DeckDeps, 'db' | 'kek' | 'settings'>,
  input: IssueDeckInput,
): Promise<IssuedDeck | null> {
  const issued = await issueDecks(deps, {
    campaignId: input.campaignId,
    screenIds: [input.screenId],
    now: input.now,
    ...(input.topUp === undefined ? {} : { topUp: input.topUp }),
  });
  return issued.get(input.screenId) ?? null;
}

/**
 * issueDeck for several screens of one campaign in one transaction (the deck dispatcher's batch): the
 * campaign's lock, its targeted screens, what every screen holds, the pool and the claim reserve are read
 * once, and each deck cut moves its envelopes from the pool to the held counts, so every screen's share is
 * the one issueDeck would give it in turn. Screens that get no deck are absent from the map.
 */
export async function issueDecks(
  deps: Pick<DeckDeps, 'db' | 'kek' | 'settings'>,
  input: { campaignId: number; screenIds: readonly number[]; now: Date; topUp?: boolean },
): Promise<Map<number, IssuedDeck>> {
  const { settings } = deps;
  const nowS = Math.floor(input.now.getTime() / 1000);
  const issued = new Map<number, IssuedDeck>();
  // A screen listed twice gets one deck: the map holds one per screen.
  const screenIds = [...new Set(input.screenIds)];
  if (screenIds.length === 0) return issued;
  const issuer = await activeIssuerKey(deps.db, deps.kek);
  return deps.db.transaction(async (tx) => {
    // The campaign's row lock serialises its decks, so the shares below see every earlier deck.
    const [campaign] = await queryRows<{
      status: string;
      ends_at: unknown;
      budget_account_id: unknown;
      rules: CampaignRules | string;
    }>(
      tx,
      sql`select status, ends_at, budget_account_id, rules from campaigns
          where id = ${input.campaignId} for update`,
    );
    if (campaign?.status !== 'active') return issued;
    const validUntil = Math.min(nowS + settings.deckValiditySMax, int(campaign.ends_at));
    if (validUntil <= nowS) return issued;
    const rules = parsedJson(campaign.rules);
    // A campaign whose prizes are claimed online only pays no tap: it gets no deck (its screens play it
    // without one, docs/protocol.md §5.5), and its whole pool stays for claims.
    if (!offersPath(rules, 'tap')) return issued;
    const screens = await countCampaignScreens(tx, input.campaignId);
    const held = await holdings(tx, { campaignId: input.campaignId, nowS });
    const [pool] = await queryRows<{ n: unknown; stock: unknown; cash: unknown }>(
      tx,
      sql`select count(*) as n, count(*) filter (where coupon_offer_id = ${rules.fallbackCouponOfferId}) as stock,
                 count(*) filter (where amount_fen > 0) as cash
          from campaign_envelopes where campaign_id = ${input.campaignId} and deck_id is null`,
    );
    // Online claims are paid from the pool (claims.ts): the last `reserve` cash envelopes of the pool,
    // by position, and whatever comes after them, are no deck's. Claims take from the front like decks,
    // so the reserve is a floor under what decks leave, not an order of who draws first. Decks move
    // envelopes from the pool to the held counts, so pool plus held, and with it the reserve and its
    // cutoff, stay the same over the batch.
    const reserve = claimReserve(
      int(pool?.cash ?? 0),
      int(pool?.n ?? 0),
      held.mainAll,
      claimReservePercent(rules),
    );
    let cutoff: number | null = null;
    let pooled = int(pool?.n ?? 0);
    if (reserve > 0) {
      const [edge] = await queryRows<{ position: unknown }>(
        tx,
        sql`select position from campaign_envelopes
            where campaign_id = ${input.campaignId} and deck_id is null and amount_fen > 0
            order by position desc offset ${reserve - 1} limit 1`,
      );
      cutoff = edge === undefined ? null : int(edge.position);
      const [before] = await queryRows<{ n: unknown }>(
        tx,
        sql`select count(*) as n from campaign_envelopes
            where campaign_id = ${input.campaignId} and deck_id is null and position < ${cutoff ?? 0}`,
      );
      pooled = int(before?.n ?? 0);
    }
    let stock = int(pool?.stock ?? 0);
    const [offer] = await queryRows<{ valid_until: unknown }>(
      tx,
      sql`select valid_until from coupon_offers where id = ${rules.fallbackCouponOfferId} and campaign_id = ${input.campaignId}`,
    );
    // A dead offer's coupon would never be issued: allot none.
    const offerLive = offer !== undefined && int(offer.valid_until) > nowS;

    const rates = await observedTapRatesPerHour(tx, settings, {
      campaignId: input.campaignId,
      screenIds,
      nowS,
    });
    const deckIds = await queryRows<{ id: unknown }>(
      tx,
      sql`select nextval(pg_get_serial_sequence('decks', 'id')) as id
          from generate_series(1, ${screenIds.length})`,
    );
    // Each screen's want, before the pool is looked at: what bounds the rows the cut below may need.
    const wants = screenIds.flatMap((screenId, index) => {
      if ((held.openOf.get(screenId) ?? 0) >= settings.openDecksPerScreenMax) return [];
      const mine = held.byScreen.get(screenId) ?? { main: 0, fallback: 0 };
      const demand = deckSize(rates.get(screenId) ?? null, settings);
      const mainWanted =
        input.topUp !== true
          ? demand
          : mine.main >= demand
            ? 0
            : Math.max(settings.deckSizeMin, demand - mine.main);
      const slotsWanted = offerLive
        ? fallbackAllotmentSize(demand, rules) - (input.topUp === true ? mine.fallback : 0)
        : 0;
      return mainWanted <= 0 && slotsWanted <= 0
        ? []
        : [{ screenId, deckId: int(deckIds[index]?.id), mainWanted, slotsWanted }];
    });
    const mainMax = wants.reduce((sum, want) => sum + Math.max(0, want.mainWanted), 0);
    const slotsMax = wants.reduce(
      (sum, want) => sum + Math.min(DECK_ENVELOPES_MAX, Math.max(0, want.slotsWanted)),
      0,
    );
    // The pool rows the batch can take, locked once: the front (ahead of the reserve's cutoff) for main
    // envelopes, and the offer's coupons from the back for allotments. Each side reads as many more as the
    // other can take from it (an allotment deletes coupon-only envelopes, a deck takes coupons to the front).
    const front = await poolRows(
      tx,
      mainMax <= 0
        ? null
        : sql`select position, amount_fen, coupon_offer_id from campaign_envelopes
              where campaign_id = ${input.campaignId} and deck_id is null
                and (${cutoff}::bigint is null or position < ${cutoff}::bigint)
              order by position limit ${mainMax + slotsMax} for update`,
    );
    // Skip locked: a settling transaction taking stock never waits on this.
    const back = await poolRows(
      tx,
      slotsMax <= 0
        ? null
        : sql`select position, amount_fen, coupon_offer_id from campaign_envelopes
              where campaign_id = ${input.campaignId} and coupon_offer_id = ${rules.fallbackCouponOfferId}
                and deck_id is null
              order by amount_fen = 0 desc, position desc limit ${slotsMax + mainMax} for update skip locked`,
    );
    // One row object per position, so a coupon the allotment takes is gone from the front too.
    const rowAt = new Map(front.map((row) => [row.position, row]));
    const candidates = back.map((row) => rowAt.get(row.position) ?? row);
    // Cut in turn in memory over the locked rows, as one screen after the other would take them; then
    // taken, escrowed, signed and stored together: a few statements per batch.
    const cut: { screenId: number; deckId: number; envelopes: [number, number][]; fallbackCount: number }[] =
      [];
    const assigned: { p: number; d: number }[] = [];
    const couponsTaken: number[] = [];
    let frontAt = 0;
    let backAt = 0;
    for (const { screenId, deckId, mainWanted, slotsWanted } of wants) {
      const mine = held.byScreen.get(screenId) ?? { main: 0, fallback: 0 };
      const mainSize = Math.min(mainWanted, fairShare(pooled, held.mainAll, screens) - mine.main);
      const slotsRoom = fairShare(stock, held.fallbackAll, screens) - mine.fallback;
      const taken: PoolRow[] = [];
      for (; taken.length < mainSize && frontAt < front.length; frontAt++) {
        const row = front[frontAt];
        if (row !== undefined && row.deckId === null && !row.deleted) taken.push(row);
      }
      for (const row of taken) {
        row.deckId = deckId;
        assigned.push({ p: row.position, d: deckId });
      }
      const envelopes: [number, number][] = taken.map((row) => [row.amountFen, row.couponOfferId]);
      const slots = Math.min(slotsWanted, slotsRoom, DECK_ENVELOPES_MAX - envelopes.length);
      // The allotment: a coupon-only envelope leaves the pool, a cash one keeps its cash and loses its
      // coupon (takePoolCoupons below, as a fallback tap's coupon did).
      const allotted: PoolRow[] = [];
      for (; allotted.length < slots && backAt < candidates.length; backAt++) {
        const row = candidates[backAt];
        if (row === undefined || row.deckId !== null || row.deleted) continue;
        if (row.couponOfferId !== rules.fallbackCouponOfferId) continue;
        allotted.push(row);
        couponsTaken.push(row.position);
        if (row.amountFen === 0) row.deleted = true;
        else row.couponOfferId = 0;
      }
      const fallbackCount = allotted.length;
      for (let i = 0; i < fallbackCount; i++) envelopes.push([0, rules.fallbackCouponOfferId]);
      if (envelopes.length === 0) continue;
      // What left the pool, for the next screen's share: the main envelopes, and the coupon-only
      // envelopes the allotment took (ahead of the reserve's cutoff, where the pool is counted).
      pooled -=
        taken.length +
        allotted.filter((row) => row.amountFen === 0 && (cutoff === null || row.position < cutoff)).length;
      stock -=
        fallbackCount +
        envelopes.filter(([, offerId], i) => i < taken.length && offerId === rules.fallbackCouponOfferId)
          .length;
      held.mainAll += taken.length;
      held.fallbackAll += fallbackCount;
      held.byScreen.set(screenId, {
        main: mine.main + taken.length,
        fallback: mine.fallback + fallbackCount,
      });
      cut.push({ screenId, deckId, envelopes, fallbackCount });
    }
    await takePoolCoupons(tx, couponsTaken);
    if (assigned.length > 0)
      await tx.execute(
        sql`update campaign_envelopes e set deck_id = k.d
            from jsonb_to_recordset(${JSON.stringify(assigned)}::jsonb) as k(p bigint, d bigint)
            where e.position = k.p`,
      );
    if (cut.length === 0) return issued;
    const reserved = cut.map((deck) => ({
      ...deck,
      reservedFen: deck.envelopes.reduce((sum, [amount]) => sum + amount, 0),
    }));
    // One escrow account per deck holding cash, and one reservation transfer each, posted together.
    const cash = reserved.filter((deck) => deck.reservedFen > 0);
    const escrows =
      cash.length === 0
        ? []
        : await queryRows<{ id: unknown; owner_id: unknown }>(
            tx,
            sql`insert into ledger_accounts (kind, owner_id, allow_negative)
                select 'deck_escrow', d, false from (${screenIdsIn(cash.map((deck) => deck.deckId))}) as k(d)
                returning id, owner_id`,
          );
    const escrowOf = new Map(escrows.map((row) => [int(row.owner_id), int(row.id)]));
    const transferIds = await allocateTransferIds(tx, cash.length);
    const results = await postTransfers(
      tx,
      cash.map((deck, i) => ({
        id: transferIds[i] ?? 0,
        debitAccountId: int(campaign.budget_account_id),
        creditAccountId: escrowOf.get(deck.deckId) ?? 0,
        amountFen: deck.reservedFen,
        code: 'reserve_deck',
        reference: `deck:${deck.deckId}`,
      })),
    );
    // The pool mirrors the budget, so this only fails if that invariant broke: roll everything back.
    for (const result of results)
      if (result.status !== 'posted') throw new Error(`deck reservation refused: ${JSON.stringify(result)}`);
    const rows = reserved.map((deck) => {
      const signed = signDeck(
        {
          deckId: deck.deckId,
          campaignId: input.campaignId,
          screenId: deck.screenId,
          validFrom: nowS - settings.clockPastSlackS,
          validUntil,
          envelopes: deck.envelopes.map(([amountFen, couponOfferId]) => ({ amountFen, couponOfferId })),
          fallbackCount: deck.fallbackCount,
          issuerKeyId: issuer.keyId,
        },
        issuer.privateKey,
      );
      issued.set(deck.screenId, {
        deckId: deck.deckId,
        envelopes: deck.envelopes,
        fallbackCount: deck.fallbackCount,
        reservedFen: deck.reservedFen,
        bytes: signed.bytes,
      });
      return {
        id: deck.deckId,
        s: deck.screenId,
        e: deck.envelopes,
        f: deck.fallbackCount,
        a: escrowOf.get(deck.deckId) ?? null,
        r: deck.reservedFen,
        h: toHex(signed.bytes),
      };
    });
    await tx.execute(
      sql`insert into decks (id, campaign_id, screen_id, valid_from, valid_until, envelopes, fallback_count,
            escrow_account_id, reserved_fen, issuer_key_id, signed)
          select k.id, ${input.campaignId}, k.s, ${nowS - settings.clockPastSlackS}, ${validUntil}, k.e, k.f, k.a, k.r,
            ${issuer.keyId}, k.h
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as k(id bigint, s bigint, e jsonb, f int, a bigint, r bigint, h text)`,
    );
    return issued;
  });
}

interface PoolRow {
  position: number;
  amountFen: number;
  couponOfferId: number;
  /** The deck the batch cut it into. */
  deckId: number | null;
  /** A coupon-only envelope an allotment took: it leaves the pool. */
  deleted: boolean;
}

async function poolRows(tx: Database, query: SQL | null): Promise<PoolRow[]> {
  if (query === null) return [];
  const rows = await queryRows<{ position: unknown; amount_fen: unknown; coupon_offer_id: unknown }>(
    tx,
    query,
  );
  return rows.map((row) => ({
    position: int(row.position),
    amountFen: int(row.amount_fen),
    couponOfferId: int(row.coupon_offer_id),
    deckId: null,
    deleted: false,
  }));
}

/**
 * A screen's open decks of a campaign, byte for byte as signed (at most HELD_DECKS_RESENT_MAX): what a
 * screen is sent again when a publish may not have reached it. A kiosk stores a deck it already has as
 * the same deck (docs/protocol.md §3.4).
 */
export async function heldDecks(
  db: Database,
  input: { campaignId: number; screenId: number; now: Date; exceptDeckId?: number | undefined },
): Promise<{ deckId: number; bytes: Uint8Array }[]> {
  const nowS = Math.floor(input.now.getTime() / 1000);
  const rows = await queryRows<{ id: unknown; signed: string }>(
    db,
    sql`select id, signed from decks
        where screen_id = ${input.screenId} and campaign_id = ${input.campaignId} and status = 'open'
          and closed_used_count is null and valid_until >= ${nowS}
        order by id limit ${HELD_DECKS_RESENT_MAX}`,
  );
  const held: { deckId: number; bytes: Uint8Array }[] = [];
  for (const row of rows) {
    const bytes = fromHex(row.signed);
    if (bytes !== null && int(row.id) !== input.exceptDeckId) held.push({ deckId: int(row.id), bytes });
  }
  return held;
}

/**
 * A screen running low asks for more (docs/protocol.md §5.3): when the campaign is active and targets the
 * screen, a deck want is written (or made due again) for the deck dispatcher, which issues refills in
 * batches, one transaction on the campaign's row per batch (deck-dispatcher.ts). Nothing is issued or
 * published here. The refill is sized by the taps the cloud settled for the screen and campaign, within
 * the screen's fair share; a rate in the event (old kiosks send one) is ignored, so a screen cannot size
 * its own deck.
 *
 * Decks are not retained by the broker (§5.1): one published while the kiosk was away never reached it,
 * yet the screen holds it, so no top-up would follow. The dispatcher therefore publishes the screen's open
 * decks of the campaign again with whatever it issues, byte for byte.
 *
 * Returns whether a want was written; false for a campaign that is not active or does not target the screen.
 */
export async function wantDeckRefill(
  db: Database,
  screenId: number,
  event: Pick<z.infer<typeof DeckLowEvent>, 'campaignId'>,
): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`insert into deck_wants (campaign_id, screen_id)
        select cs.campaign_id, cs.screen_id from campaign_screens cs
        join campaigns c on c.id = cs.campaign_id and c.status = 'active'
        join screens s on s.id = cs.screen_id and s.status = 'active'
        where cs.campaign_id = ${event.campaignId} and cs.screen_id = ${screenId}
        on conflict (campaign_id, screen_id) do update
          set attempts = 0, next_attempt_at = 0, lease_until = 0, last_error = null
        returning 1`,
  );
  return rows.length > 0;
}

interface LockedDeck {
  id: number;
  campaignId: number;
  screenId: number;
  envelopes: [number, number][];
  /** The allotment is envelopes [envelopes.length − fallbackCount, envelopes.length). */
  fallbackCount: number;
  escrowAccountId: number | null;
  status: string;
  /** From a close report: main envelopes at or above it are returned; it never reaches the allotment. */
  closedUsedCount: number | null;
  budgetAccountId: number;
  campaignStatus: string;
}

async function lockDeck(tx: Database, deckId: number): Promise<LockedDeck | null> {
  const [row] = await queryRows<{
    id: unknown;
    campaign_id: unknown;
    screen_id: unknown;
    envelopes: [number, number][] | string;
    fallback_count: unknown;
    escrow_account_id: unknown;
    status: string;
    closed_used_count: unknown;
    budget_account_id: unknown;
    campaign_status: string;
  }>(
    tx,
    sql`select d.id, d.campaign_id, d.screen_id, d.envelopes, d.fallback_count, d.escrow_account_id, d.status,
               d.closed_used_count,
               c.budget_account_id, c.status as campaign_status
        from decks d join campaigns c on c.id = d.campaign_id where d.id = ${deckId} for update of d`,
  );
  if (row === undefined) return null;
  return {
    id: int(row.id),
    campaignId: int(row.campaign_id),
    screenId: int(row.screen_id),
    envelopes:
      typeof row.envelopes === 'string' ? (JSON.parse(row.envelopes) as [number, number][]) : row.envelopes,
    fallbackCount: int(row.fallback_count ?? 0),
    escrowAccountId: row.escrow_account_id === null ? null : int(row.escrow_account_id),
    status: row.status,
    closedUsedCount: row.closed_used_count === null ? null : int(row.closed_used_count),
    budgetAccountId: int(row.budget_account_id),
    campaignStatus: row.campaign_status,
  };
}

/** Returns the unconsumed envelopes with index in [from, to) to the budget and the pool. */
async function returnEnvelopes(
  tx: Database,
  deck: LockedDeck,
  from: number,
  to: number,
  code: string,
): Promise<number> {
  const usedRows = await queryRows<{ i: unknown }>(
    tx,
    sql`select envelope_index as i from redemptions where deck_id = ${deck.id} and envelope_index is not null`,
  );
  const used = new Set(usedRows.map((row) => int(row.i)));
  const back: { a: number; c: number }[] = [];
  for (let index = from; index < Math.min(to, deck.envelopes.length); index++) {
    const envelope = deck.envelopes[index];
    if (envelope !== undefined && !used.has(index)) back.push({ a: envelope[0], c: envelope[1] });
  }
  const fen = back.reduce((sum, envelope) => sum + envelope.a, 0);
  if (fen > 0 && deck.escrowAccountId !== null) {
    const [transferId] = await allocateTransferIds(tx, 1);
    const [result] = await postTransfers(tx, [
      {
        id: transferId ?? 0,
        debitAccountId: deck.escrowAccountId,
        creditAccountId: deck.budgetAccountId,
        amountFen: fen,
        code,
        reference: `deck:${deck.id}`,
      },
    ]);
    if (result?.status !== 'posted') throw new Error(`deck return refused: ${JSON.stringify(result)}`);
  }
  await returnToCampaigns(tx, [
    { campaignId: deck.campaignId, envelopes: back.map(({ a, c }) => [a, c] as const) },
  ]);
  return fen;
}

/** Settles open decks past validUntil + grace; bounded per call, so a timer calls it repeatedly. */
export async function settleExpiredDecks(
  db: Database,
  settings: MoneySettings,
  now: Date,
): Promise<{ decks: number; returnedFen: number }> {
  const cutoff = Math.floor(now.getTime() / 1000) - settings.deckGraceS;
  const due = await queryRows<{ id: unknown }>(
    db,
    sql`select id from decks where status = 'open' and valid_until < ${cutoff} order by valid_until limit ${EXPIRY_SWEEP_MAX}`,
  );
  let returnedFen = 0;
  let settled = 0;
  for (const { id } of due) {
    returnedFen += await db.transaction(async (tx) => {
      const deck = await lockDeck(tx, int(id));
      if (deck?.status !== 'open') return 0;
      // Main envelopes up to the close report's count (the rest went back at the close), then the
      // allotment, which a close report never returns.
      const allotmentStart = deck.envelopes.length - deck.fallbackCount;
      const fen =
        (await returnEnvelopes(
          tx,
          deck,
          0,
          Math.min(deck.closedUsedCount ?? allotmentStart, allotmentStart),
          'expire_deck',
        )) + (await returnEnvelopes(tx, deck, allotmentStart, deck.envelopes.length, 'expire_deck'));
      await tx.execute(
        sql`update decks set status = 'settled', settled_at = ${now.toISOString()}::timestamptz where id = ${deck.id}`,
      );
      settled += 1;
      return fen;
    });
  }
  return { decks: settled, returnedFen };
}

export type DeckCloseOutcome =
  { ok: true; deckId: number; returnedFen: number } | { ok: false; code: ErrorCode; message: string };

/**
 * A signed early close (docs/protocol.md §3.6): main envelopes ≥ usedCount are returned now and never
 * redeemable. A version 2 report's fallbackUsedCount is signed with it but changes nothing here: the
 * unused allotment returns when the deck settles, so a slot is never both in the pool and redeemable.
 */
export async function closeDeck(
  db: Database,
  input: { screenId: number; reportHex: string },
): Promise<DeckCloseOutcome> {
  const bytes = fromHex(input.reportHex);
  if (bytes === null) return { ok: false, code: ErrorCode.TRUNCATED, message: 'report is not hex' };
  const report = decodeDeckClose(bytes);
  if (!report.ok) return report;
  if (report.value.screenId !== input.screenId)
    return { ok: false, code: ErrorCode.SCREEN_MISMATCH, message: 'report names another screen' };
  const [screen] = await queryRows<{ public_key: string | null }>(
    db,
    sql`select public_key from screens where id = ${input.screenId} and status = 'active'`,
  );
  const keyBytes = screen?.public_key == null ? null : fromHex(screen.public_key);
  const key = keyBytes === null ? null : importPublicKeyRaw(keyBytes);
  if (key?.ok !== true) return { ok: false, code: ErrorCode.SCREEN_UNKNOWN, message: 'screen unknown' };
  if (!verifyDeckCloseSignature(bytes, key.value))
    return { ok: false, code: ErrorCode.SCREEN_SIGNATURE_INVALID, message: 'close report signature' };
  return db.transaction(async (tx): Promise<DeckCloseOutcome> => {
    const deck = await lockDeck(tx, report.value.deckId);
    if (deck === null) return { ok: false, code: ErrorCode.DECK_UNKNOWN, message: 'deck unknown' };
    if (deck.screenId !== input.screenId)
      return { ok: false, code: ErrorCode.DECK_WRONG_SCREEN, message: 'deck of another screen' };
    if (deck.status !== 'open') return { ok: true, deckId: deck.id, returnedFen: 0 };
    // usedCount counts main envelopes: the allotment (its slots hold no cash) goes back at settlement.
    const previous = deck.closedUsedCount ?? deck.envelopes.length - deck.fallbackCount;
    const usedCount = Math.min(previous, report.value.usedCount);
    // A repeated or larger report changes nothing: the first, lowest count stands.
    if (usedCount >= previous) return { ok: true, deckId: deck.id, returnedFen: 0 };
    const fen = await returnEnvelopes(tx, deck, usedCount, previous, 'close_deck');
    await tx.execute(sql`update decks set closed_used_count = ${usedCount} where id = ${deck.id}`);
    return { ok: true, deckId: deck.id, returnedFen: fen };
  });
}
