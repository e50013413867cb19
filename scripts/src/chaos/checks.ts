// The chaos runner's verdict, read after the run from the kiosks' SQLite outboxes and the cloud's
// PostgreSQL, the two sources of truth. Jepsen-style: the runner's own record of what it was told (taps
// reported committed, withdrawals confirmed) is checked against both.
import pg from 'pg';
import { checkLedger, openDatabase } from '@redtap/cloud';
import { kioskPaths, openStore } from '@redtap/screen-app';
import { ErrorCode } from '@redtap/shared';
import { cloudResultsOf, cloudResultsSql, tapKey, type CloudResultRow } from '../simulator/cloud-results.ts';
import {
  fidelityLine,
  MISMATCH_KINDS,
  promiseOfStoredTap,
  summarizeFidelity,
  type FidelityReport,
  type ScreenPromise,
  type StoredTap,
} from '../simulator/fidelity.ts';

/** Anomalies listed per check; the count is always complete. */
const EXAMPLES_MAX = 5;

export interface KioskRecord {
  index: number;
  screenId: number;
  dataDir: string;
  /** Counters the kiosk reported committed before anything happened to it. */
  reportedCommitted: ReadonlySet<number>;
  /** Of those, the counters whose prize the screen showed as "confirming" (absent: none). */
  reportedConfirming?: ReadonlySet<number>;
}

export interface WithdrawalRecord {
  walletId: number;
  idempotencyKey: string;
  amountFen: number;
  /** The cloud confirmed it (201, or 200 for a retried key). */
  confirmed: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  anomalies: number;
  examples: string[];
}

export interface Verdict {
  ok: boolean;
  checks: CheckResult[];
  taps: {
    committed: number;
    credited: number;
    held: number;
    rejected: Record<string, number>;
    duplicateAcks: number;
  };
  /** Each committed tap's promise on screen against the cloud's final result. */
  fidelity: FidelityReport;
}

interface KioskTap extends StoredTap {
  state: string;
  ackStatus: string | null;
  ackCode: string | null;
}

interface CloudTap {
  counter: number;
  status: string;
  code: string | null;
  amountFen: number;
}

class Check {
  readonly name: string;
  readonly examples: string[] = [];
  anomalies = 0;
  constructor(name: string) {
    this.name = name;
  }
  fail(example: string): void {
    this.anomalies += 1;
    if (this.examples.length < EXAMPLES_MAX) this.examples.push(example);
  }
  result(detail: string): CheckResult {
    return {
      name: this.name,
      ok: this.anomalies === 0,
      detail,
      anomalies: this.anomalies,
      examples: this.examples,
    };
  }
}

function readKioskTaps(dataDir: string): { taps: KioskTap[]; lastCommitted: number } {
  const store = openStore({ path: kioskPaths(dataDir).storePath });
  try {
    const taps = store.sqlite
      .prepare(
        // `*` too: a column the kiosk adds later (the prize's certainty) is read when present.
        `SELECT *, ack_status AS ackStatus, ack_code AS ackCode, amount_fen AS amountFen,
                wallet_id AS walletId, campaign_id AS campaignId, coupon_offer_id AS couponOfferId
           FROM taps ORDER BY counter`,
      )
      .all() as KioskTap[];
    const row = store.sqlite.prepare('SELECT last_committed AS lastCommitted FROM tap_counter').get() as
      { lastCommitted: number } | undefined;
    return { taps, lastCommitted: row?.lastCommitted ?? 0 };
  } finally {
    store.close();
  }
}

export async function checkRun(options: {
  databaseUrl: string;
  kiosks: readonly KioskRecord[];
  withdrawals: readonly WithdrawalRecord[];
}): Promise<Verdict> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const counters = new Check('counters: every kiosk counter from 1 up, no gap, no repeat');
  const durable = new Check('durability: every tap reported committed is on the kiosk disk');
  const settled = new Check('settled: every committed tap has its final ack on the kiosk');
  const exactlyOnce = new Check('exactly once: each committed tap is one cloud record, and only those');
  const agree = new Check("agreement: the kiosk's ack matches the cloud's record");
  const wallets = new Check('wallets: balance = credited taps − withdrawals');
  const withdrawals = new Check('withdrawals: each confirmed once, none unasked');
  const budgets = new Check('budgets: no campaign pays out more than its budget');
  const tally: Verdict['taps'] = { committed: 0, credited: 0, held: 0, rejected: {}, duplicateAcks: 0 };
  const promises: ScreenPromise[] = [];
  let unreported = 0;
  let fidelity: FidelityReport;
  try {
    for (const kiosk of options.kiosks) {
      const { taps, lastCommitted } = readKioskTaps(kiosk.dataDir);
      tally.committed += taps.length;
      // The prizes the runner saw shown; a tap a kill cut off before its report may never have
      // reached the screen. The chaos campaign has no creative: every tap is on default content.
      for (const tap of taps) {
        if (!kiosk.reportedCommitted.has(tap.counter)) {
          unreported += 1;
          continue;
        }
        const promise = promiseOfStoredTap(kiosk.screenId, tap);
        if (kiosk.reportedConfirming?.has(tap.counter) === true) promise.certainty = 'confirming';
        promises.push(promise);
      }
      taps.forEach((tap, i) => {
        if (tap.counter !== i + 1)
          counters.fail(`kiosk ${kiosk.index}: counter ${tap.counter} at position ${i + 1}`);
      });
      if (lastCommitted !== taps.length)
        counters.fail(`kiosk ${kiosk.index}: last committed ${lastCommitted}, ${taps.length} taps stored`);
      const stored = new Set(taps.map((tap) => tap.counter));
      for (const counter of kiosk.reportedCommitted)
        if (!stored.has(counter)) durable.fail(`kiosk ${kiosk.index}: counter ${counter} shown, not stored`);
      for (const tap of taps)
        if (tap.state !== 'settled' || tap.ackStatus === null || tap.ackStatus === 'retry')
          settled.fail(`kiosk ${kiosk.index} counter ${tap.counter}: ${tap.state} ${String(tap.ackStatus)}`);

      const cloud = await client.query<CloudTap>(
        `select counter::int as counter, status, code, amount_fen::int as "amountFen"
           from redemptions where screen_id = $1 order by counter`,
        [kiosk.screenId],
      );
      const records = new Map<number, CloudTap>();
      for (const row of cloud.rows) {
        if (records.has(row.counter))
          exactlyOnce.fail(`screen ${kiosk.screenId} counter ${row.counter}: twice`);
        records.set(row.counter, row);
        if (!stored.has(row.counter))
          exactlyOnce.fail(`screen ${kiosk.screenId} counter ${row.counter}: in the cloud, not on the kiosk`);
      }
      for (const tap of taps) {
        const record = records.get(tap.counter);
        if (record === undefined) {
          exactlyOnce.fail(`screen ${kiosk.screenId} counter ${tap.counter}: committed, not in the cloud`);
          continue;
        }
        if (record.status === 'credited') tally.credited += 1;
        else if (record.status === 'held') tally.held += 1;
        else tally.rejected[record.code ?? 'unknown'] = (tally.rejected[record.code ?? 'unknown'] ?? 0) + 1;
        if (tap.ackStatus === 'duplicate') tally.duplicateAcks += 1;
        const expected =
          tap.ackStatus === 'credited'
            ? record.status === 'credited' || record.status === 'released'
            : tap.ackStatus === 'rejected'
              ? tap.ackCode === ErrorCode.HELD_FOR_REVIEW
                ? record.status === 'held'
                : record.status === 'rejected' && record.code === tap.ackCode
              : true;
        if (!expected)
          agree.fail(
            `screen ${kiosk.screenId} counter ${tap.counter}: kiosk ${String(tap.ackStatus)} ${String(tap.ackCode)}, cloud ${record.status} ${String(record.code)}`,
          );
        if (record.status === 'credited' && record.amountFen !== tap.amountFen)
          agree.fail(
            `screen ${kiosk.screenId} counter ${tap.counter}: ${tap.amountFen} fen drawn, ${record.amountFen} paid`,
          );
      }
    }

    // Once everything settled, each firm promise must be what the cloud finally gave (no campaign's
    // creative plays here, so which campaign paid is not judged).
    const results = cloudResultsOf(
      (await client.query<CloudResultRow>(cloudResultsSql(options.kiosks.map((k) => k.screenId)))).rows,
    );
    fidelity = summarizeFidelity(
      promises.map((promise) => ({
        promise,
        result: results.get(tapKey(promise.screenId, promise.counter)) ?? null,
      })),
    );

    const balances = await client.query<{
      walletId: number;
      balance: string;
      credited: string;
      withdrawn: string;
    }>(
      `select w.id::int as "walletId",
              coalesce(a.credits_posted_fen - a.debits_posted_fen, 0) as balance,
              coalesce((select sum(amount_fen) from redemptions r
                         where r.wallet_id = w.id and r.status in ('credited', 'released')), 0) as credited,
              coalesce((select sum(amount_fen) from withdrawals x where x.wallet_id = w.id), 0) as withdrawn
         from wallets w
         left join ledger_accounts a on a.kind = 'wallet_cash' and a.owner_id = w.id`,
    );
    for (const row of balances.rows) {
      const expected = Number(row.credited) - Number(row.withdrawn);
      if (Number(row.balance) !== expected)
        wallets.fail(
          `wallet ${row.walletId}: balance ${row.balance}, credited ${row.credited} − withdrawn ${row.withdrawn}`,
        );
    }

    const made = await client.query<{ walletId: number; key: string; amountFen: number }>(
      `select wallet_id::int as "walletId", idempotency_key as key, amount_fen::int as "amountFen" from withdrawals`,
    );
    const asked = new Map(options.withdrawals.map((w) => [`${w.walletId}/${w.idempotencyKey}`, w]));
    const found = new Set<string>();
    for (const row of made.rows) {
      const id = `${row.walletId}/${row.key}`;
      const request = asked.get(id);
      if (request === undefined) withdrawals.fail(`withdrawal ${id}: nobody asked for it`);
      else if (request.amountFen !== row.amountFen)
        withdrawals.fail(`withdrawal ${id}: ${row.amountFen} fen`);
      found.add(id);
    }
    for (const [id, request] of asked)
      if (request.confirmed && !found.has(id)) withdrawals.fail(`withdrawal ${id}: confirmed, not recorded`);

    const spent = await client.query<{ id: number; budget: string; paid: string }>(
      `select c.id::int as id, c.budget_fen as budget,
              coalesce((select sum(amount_fen) from redemptions r
                         where r.campaign_id = c.id and r.status in ('credited', 'held', 'released')), 0) as paid
         from campaigns c`,
    );
    for (const row of spent.rows)
      if (Number(row.paid) > Number(row.budget))
        budgets.fail(`campaign ${row.id}: paid ${row.paid} of a ${row.budget} fen budget`);
  } finally {
    await client.end();
  }

  const database = await openDatabase({ engine: 'postgres', url: options.databaseUrl, poolSizeMax: 2 });
  let ledger;
  try {
    ledger = await checkLedger(database.db);
  } finally {
    await database.close();
  }
  const ledgerCheck: CheckResult = {
    name: 'ledger: sums to zero, no forbidden negative balance, postings match transfers',
    ok: ledger.ok,
    detail: `${ledger.accounts} accounts, ${ledger.transfers} transfers, total ${ledger.totalFen} fen`,
    anomalies: ledger.ok ? 0 : 1,
    examples: ledger.ok ? [] : [JSON.stringify(ledger)],
  };

  const fidelityCheck: CheckResult = {
    name: 'promise fidelity: each prize a screen showed as firm is what the cloud finally gave',
    ok: fidelity.mismatches === 0,
    detail: `${fidelityLine(fidelity).replace(/^promise-fidelity: /, '')}${unreported > 0 ? `; ${unreported} committed taps never reported shown, not compared` : ''}`,
    anomalies: fidelity.mismatches,
    examples: MISMATCH_KINDS.flatMap(
      (kind) => fidelity.byKind[kind]?.examples.map((example) => `${kind}: ${example}`) ?? [],
    ).slice(0, EXAMPLES_MAX),
  };

  const kioskTaps = `${tally.committed} taps on ${options.kiosks.length} kiosks`;
  const checks = [
    counters.result(kioskTaps),
    durable.result(
      `${options.kiosks.reduce((sum, k) => sum + k.reportedCommitted.size, 0)} reported commits`,
    ),
    settled.result(kioskTaps),
    exactlyOnce.result(kioskTaps),
    agree.result(kioskTaps),
    ledgerCheck,
    wallets.result('every wallet'),
    withdrawals.result(
      `${options.withdrawals.length} asked, ${options.withdrawals.filter((w) => w.confirmed).length} confirmed`,
    ),
    budgets.result('every campaign'),
    fidelityCheck,
  ];
  return { ok: checks.every((check) => check.ok), checks, taps: tally, fidelity };
}
