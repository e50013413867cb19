// Grows a benchmark database to N settled taps of history, set-based, shaped like real settlement: the
// redemption rows (every index of the table grows), one ledger transfer per credited tap, and the
// per-wallet day counters when the schema keeps them. The history lies on the 30 days before today and
// spreads over a wallet population of which the benchmark's own wallets are a part, so their lookups
// run against indexes of the full size. The report rollups grow with it as settlement keeps them (the
// triggers on redemptions see each insert), and the transfers move money from the outside into one
// wallet, their balances applied in one statement at the end, so the ledger check holds on the result.
// Only for throwaway benchmark databases.
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '@redtap/cloud';

/** Rows per insert statement: large enough to be set-based, small enough to report progress. */
const CHUNK_TAPS = 500_000;
/** Settled taps per synthetic screen, and per synthetic deck. */
const TAPS_PER_SCREEN = 100_000;
const ENVELOPES_PER_DECK = 2_000;
/** History screens and decks get ids far above anything the benchmark creates. */
const SYNTHETIC_ID_BASE = 1_000_000_000;
const HISTORY_DAYS = 30;
/** Wallets in the history besides the benchmark's own (a commuter population of this size). */
const POPULATION = 500_000;

export interface HistoryInput {
  taps: number;
  /** The benchmark's wallets: the history includes them among the population. */
  walletIds: readonly number[];
  campaignId: number;
  advertiserId: number;
  log: (line: string) => void;
}

/**
 * Runs one statement of the build, again if the server cut its connection (on a shared server a session
 * can be terminated by someone else): every statement here is atomic and safe to repeat.
 */
async function execute(
  handle: DatabaseHandle,
  query: ReturnType<typeof sql>,
  attempts = 3,
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle.db.execute(query);
    } catch (error) {
      const text = `${String(error)} ${String((error as { cause?: unknown }).cause)}`;
      if (attempt >= attempts || !/terminat|Connection terminated/i.test(text)) throw error;
      console.log(`  history: connection cut (${text.slice(0, 80)}…), statement run again`);
    }
  }
}

async function one(handle: DatabaseHandle, query: ReturnType<typeof sql>): Promise<number> {
  const result = await execute(handle, query);
  const rows = (result as { rows?: Record<string, unknown>[] }).rows ?? [];
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

export async function growSettledHistory(handle: DatabaseHandle, input: HistoryInput): Promise<number> {
  if (input.taps <= 0) return 0;
  const startMs = Date.now();
  const todayS = Math.floor(startMs / 1000);
  const wallets = JSON.stringify(input.walletIds);
  // Two real accounts carry the history's transfers: from the outside (which may go negative) to a wallet.
  const debit = await one(handle, sql`select min(id) from ledger_accounts where kind = 'external_funding'`);
  const credit = await one(handle, sql`select min(id) from ledger_accounts where kind = 'wallet_cash'`);
  const firstTransfer = await one(handle, sql`select coalesce(max(id), 0) + 1 from ledger_transfers`);
  for (let from = 0; from < input.taps; from += CHUNK_TAPS) {
    const to = Math.min(input.taps, from + CHUNK_TAPS) - 1;
    await execute(
      handle,
      sql`
      with g as (
        select n,
               case when n % 10 = 0
                 then (${wallets}::jsonb ->> (n % jsonb_array_length(${wallets}::jsonb))::int)::bigint
                 else ${SYNTHETIC_ID_BASE}::bigint + (n * 7919) % ${POPULATION} end as wallet_id,
               ${todayS}::bigint - 86400 * (1 + n % ${HISTORY_DAYS}) - (n % 50000) as tap_ts
        from generate_series(${from}::bigint, ${to}::bigint) as n
      )
      insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, deck_id,
        envelope_index, amount_fen, coupon_offer_id, status, code, tap_ts, tap_day, city, source, received_at)
      select ${SYNTHETIC_ID_BASE}::bigint + n / ${TAPS_PER_SCREEN}, n % ${TAPS_PER_SCREEN} + 1,
             md5(n::text), wallet_id, ${input.campaignId}, ${input.advertiserId},
             ${SYNTHETIC_ID_BASE}::bigint + n / ${ENVELOPES_PER_DECK}, (n % ${ENVELOPES_PER_DECK})::int,
             case when n % 20 = 0 then 0 else 8 + n % 80 end, null,
             case when n % 20 = 0 then 'rejected' else 'credited' end,
             case when n % 20 = 0 then 'CAP_CAMPAIGN_WALLET' end,
             tap_ts, (to_timestamp(tap_ts) at time zone 'Asia/Shanghai')::date,
             case when n % 2 = 0 then 'Shanghai' else 'Hangzhou' end, 'mqtt', to_timestamp(tap_ts + 60)
      from g
      on conflict (screen_id, counter) do nothing`,
    );
    await execute(
      handle,
      sql`
      insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code, reference, created_at)
      select ${firstTransfer}::bigint + n, ${debit}, ${credit}, 8 + n % 80, 'redeem',
             'tap:' || (${SYNTHETIC_ID_BASE}::bigint + n / ${TAPS_PER_SCREEN}) || ':' || (n % ${TAPS_PER_SCREEN} + 1),
             now() - make_interval(days => (1 + n % ${HISTORY_DAYS})::int)
      from generate_series(${from}::bigint, ${to}::bigint) as n where n % 20 <> 0
      on conflict (id) do nothing`,
    );
    input.log(
      `  history: ${(to + 1).toLocaleString('en')} of ${input.taps.toLocaleString('en')} settled taps (${((Date.now() - startMs) / 1000).toFixed(0)} s)`,
    );
  }
  // The accounts' posted columns take the history's transfers, so balances still equal their transfers.
  await execute(
    handle,
    sql`
    update ledger_accounts a set debits_posted_fen = a.debits_posted_fen + coalesce(m.debits, 0),
                                 credits_posted_fen = a.credits_posted_fen + coalesce(m.credits, 0)
    from (select ${debit}::bigint as id, sum(amount_fen) as debits, 0 as credits from ledger_transfers
            where id >= ${firstTransfer} and code = 'redeem'
          union all
          select ${credit}::bigint, 0, sum(amount_fen) from ledger_transfers
            where id >= ${firstTransfer} and code = 'redeem') m
    where a.id = m.id`,
  );
  // Keep the transfer id sequence ahead of the rows written here.
  await execute(
    handle,
    sql`select setval('ledger_transfer_id_seq', greatest((select max(id) from ledger_transfers), 1))`,
  );
  // Schemas that keep per-wallet day counters get them for the history too.
  const counters = await one(handle, sql`select to_regclass('wallet_day_totals') is not null`);
  if (counters) {
    await execute(
      handle,
      sql`
      insert into wallet_day_totals (wallet_id, tap_day, campaign_id, advertiser_id, cash_count, cash_fen, coupon_count)
      select wallet_id, tap_day, campaign_id, max(advertiser_id), count(*) filter (where amount_fen > 0),
             coalesce(sum(amount_fen), 0), 0
      from redemptions where screen_id >= ${SYNTHETIC_ID_BASE} and status = 'credited'
      group by wallet_id, tap_day, campaign_id
      on conflict do nothing`,
    );
    await execute(
      handle,
      sql`
      insert into wallet_day_screens (wallet_id, tap_day, screen_id, cash_count)
      select wallet_id, tap_day, screen_id, count(*) from redemptions
      where screen_id >= ${SYNTHETIC_ID_BASE} and status = 'credited' and amount_fen > 0
      group by wallet_id, tap_day, screen_id
      on conflict do nothing`,
    );
  }
  await execute(handle, sql`vacuum analyze`);
  input.log(`  history ready in ${((Date.now() - startMs) / 1000).toFixed(0)} s`);
  return input.taps;
}
