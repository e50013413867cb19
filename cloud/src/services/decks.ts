// Envelope decks (docs/protocol.md §3.4): cut from the campaign's pool, escrowed through the ledger
// (campaign_budget → deck_escrow), signed with the active issuer key and published to the screen.
// Unused escrow flows back at validUntil + grace, or earlier for envelopes a signed close report
// (§3.6) gives up. Returned envelopes go back into the pool, so pool cash always equals the budget.
import { sql } from 'drizzle-orm';
import {
  decodeDeckClose,
  ErrorCode,
  fromHex,
  importPublicKeyRaw,
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
import type { CampaignTargeting } from '../db/schema/campaigns.ts';
import { createLedgerAccount } from '../ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import type { MoneySettings } from '../money-settings.ts';
import { returnEnvelopes as returnToCampaigns } from './envelope-returns.ts';
import { activeIssuerKey } from './issuer-keys.ts';

export const TARGETED_SCREENS_MAX = 10_000;
const EXPIRY_SWEEP_MAX = 100;

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
  envelopes: [number, number][];
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
 * Reserves and signs one deck for (campaign, screen), or returns null when the campaign is not active,
 * the pool is empty, or the screen already holds enough open decks. The ledger refuses a reservation
 * beyond the budget, which rolls the whole deck back.
 */
export async function issueDeck(
  deps: Pick<DeckDeps, 'db' | 'kek' | 'settings'>,
  input: { campaignId: number; screenId: number; now: Date; tapRatePerHour?: number | null },
): Promise<IssuedDeck | null> {
  const { settings } = deps;
  const nowS = Math.floor(input.now.getTime() / 1000);
  const issuer = await activeIssuerKey(deps.db, deps.kek);
  return deps.db.transaction(async (tx) => {
    const [campaign] = await queryRows<{ status: string; ends_at: unknown; budget_account_id: unknown }>(
      tx,
      sql`select status, ends_at, budget_account_id from campaigns where id = ${input.campaignId} for update`,
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
    let rate = input.tapRatePerHour ?? null;
    if (rate === null) {
      const [state] = await queryRows<{ rate: number | null }>(
        tx,
        sql`select tap_rate_per_hour as rate from screen_tap_state where screen_id = ${input.screenId}`,
      );
      rate = state?.rate ?? null;
    }
    const size = deckSize(rate, settings);
    const [idRow] = await queryRows<{ id: unknown }>(
      tx,
      sql`select nextval(pg_get_serial_sequence('decks', 'id')) as id`,
    );
    const deckId = int(idRow?.id);
    const taken = await queryRows<{ position: unknown; amount_fen: unknown; coupon_offer_id: unknown }>(
      tx,
      sql`update campaign_envelopes e set deck_id = ${deckId}
          from (select position from campaign_envelopes where campaign_id = ${input.campaignId} and deck_id is null
                order by position limit ${size} for update) p
          where e.position = p.position
          returning e.position, e.amount_fen, e.coupon_offer_id`,
    );
    if (taken.length === 0) return null;
    taken.sort((a, b) => int(a.position) - int(b.position));
    const envelopes: [number, number][] = taken.map((row) => [int(row.amount_fen), int(row.coupon_offer_id)]);
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
        issuerKeyId: issuer.keyId,
      },
      issuer.privateKey,
    );
    await tx.execute(
      sql`insert into decks (id, campaign_id, screen_id, valid_from, valid_until, envelopes, escrow_account_id,
            reserved_fen, issuer_key_id, signed)
          values (${deckId}, ${input.campaignId}, ${input.screenId}, ${nowS - settings.clockPastSlackS}, ${validUntil},
            ${JSON.stringify(envelopes)}::jsonb, ${escrowAccountId}, ${reservedFen}, ${issuer.keyId}, ${toHex(signed.bytes)})`,
    );
    return { deckId, envelopes, reservedFen, bytes: signed.bytes };
  });
}

/** Issues and publishes a deck for every targeted screen; the deck is committed before it is sent. */
export async function issueCampaignDecks(deps: DeckDeps, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ targeting: CampaignTargeting | string }>(
    deps.db,
    sql`select targeting from campaigns where id = ${campaignId}`,
  );
  if (row === undefined) return 0;
  const targeting =
    typeof row.targeting === 'string' ? (JSON.parse(row.targeting) as CampaignTargeting) : row.targeting;
  let issued = 0;
  for (const screenId of await targetedScreenIds(deps.db, targeting)) {
    const deck = await issueDeck(deps, { campaignId, screenId, now: deps.now() });
    if (deck === null) continue;
    issued += 1;
    await deps.broker.publishDeck(screenId, deck.bytes);
  }
  return issued;
}

/** A screen running low asks for more (docs/protocol.md §5.3); its tap rate sizes the next deck. */
export async function handleDeckLow(
  deps: DeckDeps,
  screenId: number,
  event: z.infer<typeof DeckLowEvent>,
): Promise<IssuedDeck | null> {
  // No tap in the kiosk's window (a screen just given the campaign, an idle hour) is no observation: a
  // rate of 0 would cut the minimum deck, and the screen's few open decks would all stay that small.
  // Such a refill is sized by the screen's last observed rate, or the default.
  const reported = event.tapRatePerHour ?? 0;
  const rate = reported > 0 ? reported : null;
  if (rate !== null) {
    await deps.db.execute(
      sql`insert into screen_tap_state (screen_id, counter_max, ts_at_counter_max, window_counter, window_ts, tap_rate_per_hour)
          values (${screenId}, 0, 0, 0, 0, ${rate})
          on conflict (screen_id) do update set tap_rate_per_hour = excluded.tap_rate_per_hour`,
    );
  }
  const [campaign] = await queryRows<{ targeting: CampaignTargeting | string }>(
    deps.db,
    sql`select targeting from campaigns where id = ${event.campaignId} and status = 'active'`,
  );
  if (campaign === undefined) return null;
  const targeting =
    typeof campaign.targeting === 'string'
      ? (JSON.parse(campaign.targeting) as CampaignTargeting)
      : campaign.targeting;
  if (!(await targetedScreenIds(deps.db, targeting)).includes(screenId)) return null;
  const deck = await issueDeck(deps, {
    campaignId: event.campaignId,
    screenId,
    now: deps.now(),
    tapRatePerHour: rate,
  });
  if (deck !== null) await deps.broker.publishDeck(screenId, deck.bytes);
  return deck;
}

interface LockedDeck {
  id: number;
  campaignId: number;
  screenId: number;
  envelopes: [number, number][];
  escrowAccountId: number | null;
  status: string;
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
    escrow_account_id: unknown;
    status: string;
    closed_used_count: unknown;
    budget_account_id: unknown;
    campaign_status: string;
  }>(
    tx,
    sql`select d.id, d.campaign_id, d.screen_id, d.envelopes, d.escrow_account_id, d.status, d.closed_used_count,
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
      const fen = await returnEnvelopes(
        tx,
        deck,
        0,
        deck.closedUsedCount ?? deck.envelopes.length,
        'expire_deck',
      );
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

/** A signed early close (docs/protocol.md §3.6): envelopes ≥ usedCount are returned now and never redeemable. */
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
    const previous = deck.closedUsedCount ?? deck.envelopes.length;
    const usedCount = Math.min(previous, report.value.usedCount);
    // A repeated or larger report changes nothing: the first, lowest count stands.
    if (usedCount >= previous) return { ok: true, deckId: deck.id, returnedFen: 0 };
    const fen = await returnEnvelopes(tx, deck, usedCount, previous, 'close_deck');
    await tx.execute(sql`update decks set closed_used_count = ${usedCount} where id = ${deck.id}`);
    return { ok: true, deckId: deck.id, returnedFen: fen };
  });
}
