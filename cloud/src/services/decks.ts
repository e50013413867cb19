// Envelope decks (docs/protocol.md §3.4): cut from the campaign's pool as each screen's fair share, sized
// by the taps the cloud settled, with a fallback-coupon allotment taken out of the pool's coupon stock;
// escrowed through the ledger (campaign_budget → deck_escrow), signed with the active issuer key and
// published to the screen.
// Unused escrow flows back at validUntil + grace, or earlier for envelopes a signed close report
// (§3.6) gives up. Returned envelopes go back into the pool, so pool cash always equals the budget.
import { sql } from 'drizzle-orm';
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
import type { CampaignRules, CampaignTargeting } from '../db/schema/campaigns.ts';
import { createLedgerAccount } from '../ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import type { MoneySettings } from '../money-settings.ts';
import { returnEnvelopes as returnToCampaigns, takePoolCoupons } from './envelope-returns.ts';
import { activeIssuerKey } from './issuer-keys.ts';
import { republishScreenConfigs } from './screen-config.ts';

export const TARGETED_SCREENS_MAX = 10_000;
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

/** Every non-empty list of the targeting must match screen `s` (cities, buildings, groups). */
function targets(targeting: CampaignTargeting) {
  return sql`(jsonb_array_length(${JSON.stringify(targeting.cities)}::jsonb) = 0
               or s.city in (select jsonb_array_elements_text(${JSON.stringify(targeting.cities)}::jsonb)))
          and (jsonb_array_length(${JSON.stringify(targeting.buildings)}::jsonb) = 0
               or s.building in (select jsonb_array_elements_text(${JSON.stringify(targeting.buildings)}::jsonb)))
          and (jsonb_array_length(${JSON.stringify(targeting.screenGroupIds)}::jsonb) = 0
               or exists (select 1 from screen_group_members m where m.screen_id = s.id and m.group_id in
                 (select jsonb_array_elements_text(${JSON.stringify(targeting.screenGroupIds)}::jsonb)::bigint)))`;
}

/** Active screens a campaign targets: every non-empty list must match (cities, buildings, groups). */
export async function targetedScreenIds(db: Database, targeting: CampaignTargeting): Promise<number[]> {
  const rows = await queryRows<{ id: unknown }>(
    db,
    sql`select s.id from screens s where s.status = 'active' and ${targets(targeting)}
        order by s.id limit ${TARGETED_SCREENS_MAX}`,
  );
  return rows.map((row) => int(row.id));
}

/** Of `screenIds`, those the targeting matches (whatever their status: the caller judged that). */
export async function screensTargeted(
  db: Database,
  targeting: CampaignTargeting,
  screenIds: readonly number[],
): Promise<Set<number>> {
  if (screenIds.length === 0) return new Set();
  const rows = await queryRows<{ id: unknown }>(
    db,
    sql`select s.id from screens s
        where s.id in (select jsonb_array_elements_text(${JSON.stringify(screenIds)}::jsonb)::bigint)
          and ${targets(targeting)}`,
  );
  return new Set(rows.map((row) => int(row.id)));
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
  const [first] = await queryRows<{ issued: unknown }>(
    db,
    sql`select min(valid_from) as issued from decks where screen_id = ${input.screenId} and campaign_id = ${input.campaignId}`,
  );
  const firstIssuedS = first?.issued == null ? null : int(first.issued) + settings.clockPastSlackS;
  const sinceS = Math.max(input.nowS - settings.deckHorizonS, firstIssuedS ?? 0);
  // The newest tokens of the screen by counter, through its identity index: a bounded read.
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(*) as n from (
          select campaign_id, tap_ts from redemptions where screen_id = ${input.screenId}
          order by counter desc limit ${OBSERVED_TAPS_MAX}) r
        where r.campaign_id = ${input.campaignId} and r.tap_ts >= ${sinceS}`,
  );
  const taps = int(row?.n ?? 0);
  if (taps === 0) return null;
  return (taps * 3600) / Math.max(OBSERVATION_SPAN_MIN_S, input.nowS - sinceS);
}

interface Holdings {
  /** Unredeemed main envelopes and allotment slots of the screen's usable decks of the campaign. */
  main: number;
  fallback: number;
  /** The same over every screen. */
  mainAll: number;
  fallbackAll: number;
}

/**
 * What screens hold of a campaign: the envelopes of open, unexpired, unclosed decks that no settled token
 * consumed yet. Envelopes a screen used offline and has not sent count as held until they arrive.
 */
async function holdings(
  tx: Database,
  input: { campaignId: number; screenId: number; nowS: number },
): Promise<Holdings> {
  const rows = await queryRows<{ screen_id: unknown; main: unknown; fallback: unknown }>(
    tx,
    sql`select d.screen_id,
               sum(jsonb_array_length(d.envelopes) - d.fallback_count - coalesce(u.main, 0)) as main,
               sum(d.fallback_count - coalesce(u.fallback, 0)) as fallback
        from decks d
        left join lateral (
          select count(*) filter (where r.envelope_index < jsonb_array_length(d.envelopes) - d.fallback_count) as main,
                 count(*) filter (where r.envelope_index >= jsonb_array_length(d.envelopes) - d.fallback_count) as fallback
          from redemptions r where r.deck_id = d.id and r.envelope_index is not null) u on true
        where d.campaign_id = ${input.campaignId} and d.status = 'open' and d.valid_until >= ${input.nowS}
          and d.closed_used_count is null
        group by d.screen_id`,
  );
  const held: Holdings = { main: 0, fallback: 0, mainAll: 0, fallbackAll: 0 };
  for (const row of rows) {
    const main = int(row.main ?? 0);
    const fallback = int(row.fallback ?? 0);
    held.mainAll += main;
    held.fallbackAll += fallback;
    if (int(row.screen_id) === input.screenId) {
      held.main = main;
      held.fallback = fallback;
    }
  }
  return held;
}

async function countTargetedScreens(db: Database, targeting: CampaignTargeting): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(*) as n from screens s where s.status = 'active' and ${targets(targeting)}`,
  );
  return int(row?.n ?? 0);
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
  const { settings } = deps;
  const nowS = Math.floor(input.now.getTime() / 1000);
  const issuer = await activeIssuerKey(deps.db, deps.kek);
  return deps.db.transaction(async (tx) => {
    // The campaign's row lock serialises its decks, so the shares below see every earlier deck.
    const [campaign] = await queryRows<{
      status: string;
      ends_at: unknown;
      budget_account_id: unknown;
      targeting: CampaignTargeting | string;
      rules: CampaignRules | string;
    }>(
      tx,
      sql`select status, ends_at, budget_account_id, targeting, rules from campaigns
          where id = ${input.campaignId} for update`,
    );
    if (campaign?.status !== 'active') return null;
    const validUntil = Math.min(nowS + settings.deckValiditySMax, int(campaign.ends_at));
    if (validUntil <= nowS) return null;
    const [open] = await queryRows<{ n: unknown }>(
      tx,
      sql`select count(*) as n from decks where screen_id = ${input.screenId} and campaign_id = ${input.campaignId}
          and status = 'open' and valid_until >= ${nowS}`,
    );
    if (int(open?.n ?? 0) >= settings.openDecksPerScreenMax) return null;
    const rules = parsedJson(campaign.rules);
    // A campaign whose prizes are claimed online only pays no tap: it gets no deck (its screens play it
    // without one, docs/protocol.md §5.5), and its whole pool stays for claims.
    if (!offersPath(rules, 'tap')) return null;
    const screens = await countTargetedScreens(tx, parsedJson(campaign.targeting));
    const held = await holdings(tx, { campaignId: input.campaignId, screenId: input.screenId, nowS });
    const [pool] = await queryRows<{ n: unknown; stock: unknown; cash: unknown }>(
      tx,
      sql`select count(*) as n, count(*) filter (where coupon_offer_id = ${rules.fallbackCouponOfferId}) as stock,
                 count(*) filter (where amount_fen > 0) as cash
          from campaign_envelopes where campaign_id = ${input.campaignId} and deck_id is null`,
    );
    // Online claims are paid from the pool (claims.ts): the last `reserve` cash envelopes of the pool,
    // by position, and whatever comes after them, are no deck's. Claims take from the front like decks,
    // so the reserve is a floor under what decks leave, not an order of who draws first.
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
    const demand = deckSize(
      await observedTapRatePerHour(tx, settings, {
        campaignId: input.campaignId,
        screenId: input.screenId,
        nowS,
      }),
      settings,
    );
    let mainWanted = demand;
    if (input.topUp === true)
      mainWanted = held.main >= demand ? 0 : Math.max(settings.deckSizeMin, demand - held.main);
    const mainSize = Math.min(mainWanted, fairShare(pooled, held.mainAll, screens) - held.main);
    const [offer] = await queryRows<{ valid_until: unknown }>(
      tx,
      sql`select valid_until from coupon_offers where id = ${rules.fallbackCouponOfferId} and campaign_id = ${input.campaignId}`,
    );
    // A dead offer's coupon would never be issued: allot none.
    const offerLive = offer !== undefined && int(offer.valid_until) > nowS;
    const slotsWanted = offerLive
      ? fallbackAllotmentSize(demand, rules) - (input.topUp === true ? held.fallback : 0)
      : 0;
    if (mainSize <= 0 && slotsWanted <= 0) return null;
    const slotsRoom = fairShare(int(pool?.stock ?? 0), held.fallbackAll, screens) - held.fallback;

    const [idRow] = await queryRows<{ id: unknown }>(
      tx,
      sql`select nextval(pg_get_serial_sequence('decks', 'id')) as id`,
    );
    const deckId = int(idRow?.id);
    const taken =
      mainSize <= 0
        ? []
        : await queryRows<{ position: unknown; amount_fen: unknown; coupon_offer_id: unknown }>(
            tx,
            sql`update campaign_envelopes e set deck_id = ${deckId}
                from (select position from campaign_envelopes where campaign_id = ${input.campaignId} and deck_id is null
                        and (${cutoff}::bigint is null or position < ${cutoff}::bigint)
                      order by position limit ${mainSize} for update) p
                where e.position = p.position
                returning e.position, e.amount_fen, e.coupon_offer_id`,
          );
    taken.sort((a, b) => int(a.position) - int(b.position));
    const envelopes: [number, number][] = taken.map((row) => [int(row.amount_fen), int(row.coupon_offer_id)]);
    const slots = Math.min(slotsWanted, slotsRoom, DECK_ENVELOPES_MAX - envelopes.length);
    const fallbackCount =
      slots <= 0
        ? 0
        : await takeAllotment(tx, {
            campaignId: input.campaignId,
            offerId: rules.fallbackCouponOfferId,
            slots,
          });
    for (let i = 0; i < fallbackCount; i++) envelopes.push([0, rules.fallbackCouponOfferId]);
    if (envelopes.length === 0) return null;
    const reservedFen = envelopes.reduce((sum, [amount]) => sum + amount, 0);
    let escrowAccountId: number | null = null;
    if (reservedFen > 0) {
      escrowAccountId = await createLedgerAccount(tx, 'deck_escrow', deckId);
      const [transferId] = await allocateTransferIds(tx, 1);
      const [result] = await postTransfers(tx, [
        {
          id: transferId ?? 0,
          debitAccountId: int(campaign.budget_account_id),
          creditAccountId: escrowAccountId,
          amountFen: reservedFen,
          code: 'reserve_deck',
          reference: `deck:${deckId}`,
        },
      ]);
      // The pool mirrors the budget, so this only fails if that invariant broke: roll everything back.
      if (result?.status !== 'posted') throw new Error(`deck reservation refused: ${JSON.stringify(result)}`);
    }
    const signed = signDeck(
      {
        deckId,
        campaignId: input.campaignId,
        screenId: input.screenId,
        validFrom: nowS - settings.clockPastSlackS,
        validUntil,
        envelopes: envelopes.map(([amountFen, couponOfferId]) => ({ amountFen, couponOfferId })),
        fallbackCount,
        issuerKeyId: issuer.keyId,
      },
      issuer.privateKey,
    );
    await tx.execute(
      sql`insert into decks (id, campaign_id, screen_id, valid_from, valid_until, envelopes, fallback_count,
            escrow_account_id, reserved_fen, issuer_key_id, signed)
          values (${deckId}, ${input.campaignId}, ${input.screenId}, ${nowS - settings.clockPastSlackS}, ${validUntil},
            ${JSON.stringify(envelopes)}::jsonb, ${fallbackCount}, ${escrowAccountId}, ${reservedFen}, ${issuer.keyId},
            ${toHex(signed.bytes)})`,
    );
    return { deckId, envelopes, fallbackCount, reservedFen, bytes: signed.bytes };
  });
}

/**
 * Takes up to `slots` coupons of the offer out of the pool for an allotment: a coupon-only envelope
 * leaves the pool, a cash envelope keeps its cash and loses its coupon (as a fallback tap's coupon did).
 * Skip locked, from the back of the pool: a settling transaction taking stock never waits on this.
 */
async function takeAllotment(
  tx: Database,
  input: { campaignId: number; offerId: number; slots: number },
): Promise<number> {
  const rows = await queryRows<{ position: unknown; amount_fen: unknown }>(
    tx,
    sql`select position, amount_fen from campaign_envelopes
        where campaign_id = ${input.campaignId} and coupon_offer_id = ${input.offerId} and deck_id is null
        order by amount_fen = 0 desc, position desc limit ${input.slots} for update skip locked`,
  );
  await takePoolCoupons(
    tx,
    rows.map((row) => int(row.position)),
  );
  return rows.length;
}

/**
 * Issues and publishes a deck for every targeted screen that holds less than its demand; the deck is
 * committed before it is sent. Activation runs this before the config naming the campaign goes out
 * (rollOutCampaign), so a kiosk never asks for a deck the cloud is issuing it.
 */
export async function issueCampaignDecks(deps: DeckDeps, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ targeting: CampaignTargeting | string }>(
    deps.db,
    sql`select targeting from campaigns where id = ${campaignId}`,
  );
  if (row === undefined) return 0;
  let issued = 0;
  for (const screenId of await targetedScreenIds(deps.db, parsedJson(row.targeting))) {
    const deck = await issueDeck(deps, { campaignId, screenId, now: deps.now(), topUp: true });
    if (deck === null) continue;
    issued += 1;
    await deps.broker.publishDeck(screenId, deck.bytes);
  }
  return issued;
}

/**
 * After a lifecycle change: an active campaign's decks first, then the configs of the screens it targets.
 * A kiosk asks for a deck as soon as its config names a campaign it holds none of; with its deck already
 * there it has nothing to ask, so no screen gets two decks at activation and none is left without one.
 */
export async function rollOutCampaign(
  deps: DeckDeps,
  campaign: { id: number; status: string; targeting: CampaignTargeting },
  options?: Parameters<typeof republishScreenConfigs>[4],
): Promise<{ decks: number; configs: number }> {
  const screens = await targetedScreenIds(deps.db, campaign.targeting);
  const decks = campaign.status === 'active' ? await issueCampaignDecks(deps, campaign.id) : 0;
  const configs = await republishScreenConfigs(deps.db, deps.broker, screens, deps.now(), options);
  return { decks, configs };
}

/**
 * A screen running low asks for more (docs/protocol.md §5.3). The refill is sized by the taps the cloud
 * settled for the screen and campaign, within the screen's fair share; a rate in the event (old kiosks
 * send one) is ignored, so a screen cannot size its own deck.
 */
/**
 * Decks are not retained by the broker (§5.1): one published while the kiosk was away, such as the
 * decks issued at activation before a new kiosk first connected, never reached it, yet the screen holds
 * it, so no top-up would follow. A screen running low therefore gets its open decks of the campaign
 * again, byte for byte; a kiosk stores a deck it already has as the same deck (§3.4).
 */
async function resendHeldDecks(
  deps: DeckDeps,
  screenId: number,
  event: z.infer<typeof DeckLowEvent>,
): Promise<void> {
  const nowS = Math.floor(deps.now().getTime() / 1000);
  const held = await queryRows<{ id: unknown; signed: string }>(
    deps.db,
    sql`select id, signed from decks
        where screen_id = ${screenId} and campaign_id = ${event.campaignId} and status = 'open'
          and closed_used_count is null and valid_until >= ${nowS}
        order by id limit ${HELD_DECKS_RESENT_MAX}`,
  );
  for (const row of held) {
    if (event.deckId !== undefined && int(row.id) === event.deckId) continue;
    const bytes = fromHex(row.signed);
    if (bytes !== null) await deps.broker.publishDeck(screenId, bytes);
  }
}

export async function handleDeckLow(
  deps: DeckDeps,
  screenId: number,
  event: z.infer<typeof DeckLowEvent>,
): Promise<IssuedDeck | null> {
  const [campaign] = await queryRows<{ targeting: CampaignTargeting | string }>(
    deps.db,
    sql`select targeting from campaigns where id = ${event.campaignId} and status = 'active'`,
  );
  if (campaign === undefined) return null;
  const targeted = await screensTargeted(deps.db, parsedJson(campaign.targeting), [screenId]);
  if (!targeted.has(screenId)) return null;
  const [screen] = await queryRows<{ status: string }>(
    deps.db,
    sql`select status from screens where id = ${screenId}`,
  );
  if (screen?.status !== 'active') return null;
  await resendHeldDecks(deps, screenId, event);
  const deck = await issueDeck(deps, {
    campaignId: event.campaignId,
    screenId,
    now: deps.now(),
    topUp: true,
  });
  if (deck !== null) await deps.broker.publishDeck(screenId, deck.bytes);
  return deck;
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
