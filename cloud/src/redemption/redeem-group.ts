// Redemption inside one transaction (docs/protocol.md §7 steps 5–9) for a whole group of tokens, as
// load → judge → apply: lock the group's screens and wallets, load a typed snapshot with one query per
// kind (snapshot.ts), judge every token with the shared judge without touching the database
// (judge-group.ts), then write results, ledger transfers, coupons, returned envelopes, day counters
// and state with one statement each.
import { sql } from 'drizzle-orm';
import type { NetworkRules } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { affectedRows, pgArray, recordsetOf } from '../db/pg-array.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { postNewTransfers, type NewTransfer } from '../ledger/post-transfers.ts';
import { returnEnvelopes, takePoolCoupons } from '../services/envelope-returns.ts';
import { judgeGroup, type RedemptionEffects, type SettledResult } from './judge-group.ts';
import type { RecordableToken } from './prepare.ts';
import { loadSnapshot, type RedemptionSnapshot } from './snapshot.ts';
import { instrumented, timed } from './step-timing.ts';

export type { SettledResult, SettledStatus } from './judge-group.ts';

/** A failure worth retrying the whole transaction for (a racing writer won a unique key). */
export class TransientRedemptionError extends Error {
  override name = 'TransientRedemptionError';
}

/** Transaction-scoped advisory locks in one sorted order: screens (even keys), wallets (odd keys). */
function lockKeys(screenIds: Iterable<number>, walletIds: Iterable<number>): number[] {
  const keys = new Set<number>();
  for (const id of screenIds) keys.add(id * 2);
  for (const id of walletIds) keys.add(id * 2 + 1);
  return [...keys].sort((a, b) => a - b);
}

export async function redeemGroup(
  rawTx: Database,
  items: readonly RecordableToken[],
  rules: NetworkRules,
  now: Date,
): Promise<SettledResult[]> {
  if (items.length === 0) return [];
  const tx = instrumented(rawTx);
  // Both paths for one screen queue here, so a token's first result is decided exactly once; the
  // unique identity key is the safety net.
  const keys = lockKeys(
    items.map((item) => item.token.screenId),
    items.map((item) => item.token.walletId),
  );
  await tx.execute(
    sql`select count(pg_advisory_xact_lock(k)) from (select unnest(${pgArray(keys)}::bigint[]) as k order by 1) s`,
  );
  const snapshot = await loadSnapshot(tx, items, rules);
  const { results, effects } = judgeGroup(items, snapshot, rules);
  await applyEffects(tx, effects, snapshot, now);
  return results;
}

/** Apply: every effect of the group's verdicts, one set-based statement per kind. */
async function applyEffects(
  tx: Database,
  effects: RedemptionEffects,
  snapshot: RedemptionSnapshot,
  now: Date,
): Promise<void> {
  const receivedAt = now.toISOString();
  if (effects.rows.length > 0) {
    const inserted = await tx.execute(
      sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, deck_id,
            envelope_index, amount_fen, coupon_offer_id, status, code, tap_ts, tap_day, city, source, received_at)
          select screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, deck_id, envelope_index,
                 amount_fen, coupon_offer_id, status, code, tap_ts, tap_day, city, source, ${receivedAt}::timestamptz
          from ${recordsetOf(effects.rows, {
            screen_id: 'bigint',
            counter: 'bigint',
            token_hash: 'text',
            wallet_id: 'bigint',
            campaign_id: 'bigint',
            advertiser_id: 'bigint',
            deck_id: 'bigint',
            envelope_index: 'int',
            amount_fen: 'bigint',
            coupon_offer_id: 'int',
            status: 'text',
            code: 'text',
            tap_ts: 'bigint',
            tap_day: 'date',
            city: 'text',
            source: 'text',
          })}
          on conflict (screen_id, counter) do nothing`,
    );
    // The advisory lock makes this unreachable; if a writer without it raced us, judge again.
    if (affectedRows(inserted) !== effects.rows.length)
      throw new TransientRedemptionError('a token identity was recorded concurrently');
  }
  if (effects.moves.length > 0) {
    const holdAccountId = effects.moves.some((move) => move.creditAccountId === 'review_hold')
      ? await systemLedgerAccount(tx, 'review_hold')
      : 0;
    const moves: NewTransfer[] = effects.moves.map((move) => ({
      ...move,
      creditAccountId: move.creditAccountId === 'review_hold' ? holdAccountId : move.creditAccountId,
    }));
    const posted = await timed('ledger posting, whole', postNewTransfers(tx, moves));
    // Escrow always holds every unconsumed envelope, so a refusal is a broken invariant, not a tap's fault.
    if (!posted.ok) throw new Error(`redemption transfer refused: ${JSON.stringify(posted)}`);
  }
  if (effects.coupons.length > 0) {
    await tx.execute(
      sql`insert into coupons (code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, issued_at, valid_until)
          select code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, ${receivedAt}::timestamptz, valid_until
          from ${recordsetOf(effects.coupons, {
            code: 'text',
            wallet_id: 'bigint',
            coupon_offer_id: 'int',
            campaign_id: 'bigint',
            screen_id: 'bigint',
            counter: 'bigint',
            tap_day: 'date',
            valid_until: 'bigint',
          })}`,
    );
  }
  if (effects.returned.length > 0) {
    const byCampaign = new Map<number, [number, number][]>();
    for (const envelope of effects.returned) {
      const list = byCampaign.get(envelope.campaignId) ?? [];
      list.push([envelope.amountFen, envelope.couponOfferId]);
      byCampaign.set(envelope.campaignId, list);
    }
    await returnEnvelopes(
      tx,
      [...byCampaign].map(([campaignId, envelopes]) => ({ campaignId, envelopes })),
    );
  }
  await takePoolCoupons(tx, effects.stockTaken);
  if (effects.dayTotals.size > 0) {
    const totals = [...effects.dayTotals.values()].map((delta) => ({
      w: delta.walletId,
      d: delta.day,
      c: delta.campaignId,
      a: delta.advertiserId,
      n: delta.cashCount,
      f: delta.cashFen,
      k: delta.couponCount,
      // Each row's times travel as one array literal (a text element here, cast back below).
      ts: pgArray(delta.couponTs),
      b: delta.fallbackCount,
    }));
    await tx.execute(
      sql`insert into wallet_day_totals (wallet_id, tap_day, campaign_id, advertiser_id, cash_count, cash_fen, coupon_count,
            coupon_tap_ts, fallback_count)
          select w, d, c, a, n, f, k, ts::bigint[], b
          from ${recordsetOf(totals, { w: 'bigint', d: 'date', c: 'bigint', a: 'bigint', n: 'int', f: 'bigint', k: 'int', ts: 'text', b: 'int' })}
          on conflict (wallet_id, tap_day, campaign_id) do update set
            cash_count = wallet_day_totals.cash_count + excluded.cash_count,
            cash_fen = wallet_day_totals.cash_fen + excluded.cash_fen,
            coupon_count = wallet_day_totals.coupon_count + excluded.coupon_count,
            coupon_tap_ts = wallet_day_totals.coupon_tap_ts || excluded.coupon_tap_ts,
            fallback_count = wallet_day_totals.fallback_count + excluded.fallback_count,
            advertiser_id = coalesce(wallet_day_totals.advertiser_id, excluded.advertiser_id)`,
    );
  }
  if (effects.dayScreens.size > 0) {
    const screens = [...effects.dayScreens.values()].map((delta) => ({
      w: delta.walletId,
      d: delta.day,
      s: delta.screenId,
      n: delta.cashCount,
    }));
    await tx.execute(
      sql`insert into wallet_day_screens (wallet_id, tap_day, screen_id, cash_count)
          select w, d, s, n from ${recordsetOf(screens, { w: 'bigint', d: 'date', s: 'bigint', n: 'int' })}
          on conflict (wallet_id, tap_day, screen_id) do update set
            cash_count = wallet_day_screens.cash_count + excluded.cash_count`,
    );
  }
  const deckUpdates = [...effects.decksMoved].flatMap((deckId) => {
    const deck = snapshot.decks.get(deckId)?.facts;
    return deck === undefined ? [] : [{ id: deckId, c: deck.lastCounter, i: deck.lastEnvelopeIndex }];
  });
  if (deckUpdates.length > 0) {
    await tx.execute(
      sql`update decks d set last_counter = u.c, last_envelope_index = u.i
          from ${recordsetOf(deckUpdates, { id: 'bigint', c: 'bigint', i: 'int' }, 'u')} where d.id = u.id`,
    );
  }
  const screenUpdates = [...effects.screensMoved].flatMap((id) => {
    const state = snapshot.screens.get(id);
    return state === undefined
      ? []
      : [{ id, m: state.counterMax, t: state.tsAtCounterMax, wc: state.windowCounter, wt: state.windowTs }];
  });
  if (screenUpdates.length > 0) {
    await tx.execute(
      sql`insert into screen_tap_state (screen_id, counter_max, ts_at_counter_max, window_counter, window_ts)
          select id, m, t, wc, wt
          from ${recordsetOf(screenUpdates, { id: 'bigint', m: 'bigint', t: 'bigint', wc: 'bigint', wt: 'bigint' }, 'u')}
          on conflict (screen_id) do update set counter_max = excluded.counter_max,
            ts_at_counter_max = excluded.ts_at_counter_max, window_counter = excluded.window_counter,
            window_ts = excluded.window_ts`,
    );
  }
  const walletUpdates = [...effects.walletsMoved].flatMap((id) => {
    const wallet = snapshot.wallets.get(id);
    const last = wallet?.travel.lastTap;
    return wallet === undefined || last == null
      ? []
      : [{ id, t: last.ts, c: wallet.lastCity, s: last.screenId }];
  });
  if (walletUpdates.length > 0) {
    await tx.execute(
      sql`insert into wallet_tap_state (wallet_id, last_ts, last_city, last_screen_id)
          select id, t, c, s from ${recordsetOf(walletUpdates, { id: 'bigint', t: 'bigint', c: 'text', s: 'bigint' }, 'u')}
          on conflict (wallet_id) do update set last_ts = excluded.last_ts, last_city = excluded.last_city,
            last_screen_id = excluded.last_screen_id`,
    );
  }
}
