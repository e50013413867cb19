// Ledger contract tests, run against PGlite and PostgreSQL: idempotent retries, conflicts, funds
// checks, linked batches, and a property test of random (and, on PostgreSQL, concurrent) batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import { openTestDatabase, testEngines } from '../../test/databases.ts';
import type { DatabaseHandle } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { createLedgerAccount, getLedgerAccount, getLedgerAccounts, systemLedgerAccount } from './accounts.ts';
import { checkLedger, PROBLEMS_LISTED_MAX } from './check-ledger.ts';
import {
  allocateTransferIds,
  postNewTransfers,
  postTransfers,
  type TransferInput,
} from './post-transfers.ts';

const engines = await testEngines();

describe.each(engines)('ledger on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (available) handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('funds an account, retries idempotently and flags conflicts', async () => {
    const { db } = handle;
    const bank = await systemLedgerAccount(db, 'external_funding');
    expect(await systemLedgerAccount(db, 'external_funding')).toBe(bank);
    const advertiser = await createLedgerAccount(db, 'advertiser', 1);
    const [id = 0] = await allocateTransferIds(db, 1);
    const fund: TransferInput = {
      id,
      debitAccountId: bank,
      creditAccountId: advertiser,
      amountFen: 10_000,
      code: 'fund',
    };

    expect(await postTransfers(db, [fund])).toEqual([{ id, status: 'posted' }]);
    expect(await postTransfers(db, [fund])).toEqual([{ id, status: 'exists' }]);
    expect(await postTransfers(db, [{ ...fund, amountFen: 9_999 }])).toEqual([
      { id, status: 'rejected', code: ErrorCode.TRANSFER_CONFLICT },
    ]);
    expect((await getLedgerAccount(db, advertiser))?.balanceFen).toBe(10_000);
    expect((await getLedgerAccount(db, bank))?.balanceFen).toBe(-10_000);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it.skipIf(!available)('rejects overdrafts, unknown accounts and bad amounts per transfer', async () => {
    const { db } = handle;
    const a = await createLedgerAccount(db, 'campaign_budget');
    const b = await createLedgerAccount(db, 'deck_escrow');
    const ids = await allocateTransferIds(db, 4);
    const results = await postTransfers(db, [
      { id: ids[0]!, debitAccountId: a, creditAccountId: b, amountFen: 1, code: 'reserve' },
      { id: ids[1]!, debitAccountId: a, creditAccountId: 987_654_321, amountFen: 1, code: 'reserve' },
      { id: ids[2]!, debitAccountId: a, creditAccountId: b, amountFen: 0, code: 'reserve' },
      { id: ids[3]!, debitAccountId: a, creditAccountId: a, amountFen: 1, code: 'reserve' },
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      ErrorCode.INSUFFICIENT_FUNDS,
      ErrorCode.NOT_FOUND,
      ErrorCode.MONEY_INVALID,
      ErrorCode.VALIDATION_FAILED,
    ]);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it.skipIf(!available)('applies a batch in order and undoes a linked batch as a whole', async () => {
    const { db } = handle;
    const bank = await systemLedgerAccount(db, 'external_funding');
    const budget = await createLedgerAccount(db, 'campaign_budget');
    const escrow = await createLedgerAccount(db, 'deck_escrow');
    const ids = await allocateTransferIds(db, 4);
    // The second transfer spends what the first brought in, within one batch.
    const inOrder = await postTransfers(db, [
      { id: ids[0]!, debitAccountId: bank, creditAccountId: budget, amountFen: 500, code: 'fund' },
      { id: ids[1]!, debitAccountId: budget, creditAccountId: escrow, amountFen: 500, code: 'reserve' },
    ]);
    expect(inOrder.every((r) => r.status === 'posted')).toBe(true);
    const linked = await postTransfers(
      db,
      [
        { id: ids[2]!, debitAccountId: escrow, creditAccountId: budget, amountFen: 100, code: 'return' },
        { id: ids[3]!, debitAccountId: budget, creditAccountId: escrow, amountFen: 10_000, code: 'reserve' },
      ],
      { linked: true },
    );
    expect(linked.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const balances = await getLedgerAccounts(db, [budget, escrow]);
    expect(balances.map((a) => a.balanceFen).sort()).toEqual([0, 500]);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it.skipIf(!available)('posts new bulk transfers all or nothing with sequence-drawn ids', async () => {
    const { db } = handle;
    const bank = await systemLedgerAccount(db, 'external_funding');
    const escrow = await createLedgerAccount(db, 'deck_escrow');
    const wallets = [
      await createLedgerAccount(db, 'wallet_cash'),
      await createLedgerAccount(db, 'wallet_cash'),
    ];
    const [seed = 0] = await allocateTransferIds(db, 1);
    await postTransfers(db, [
      { id: seed, debitAccountId: bank, creditAccountId: escrow, amountFen: 100, code: 'fund' },
    ]);
    const moves = wallets.map((wallet, index) => ({
      debitAccountId: escrow,
      creditAccountId: wallet,
      amountFen: 30 + index,
      code: 'redeem',
      reference: `tap:${index}`,
    }));
    expect(await db.transaction((tx) => postNewTransfers(tx, moves))).toEqual({ ok: true });
    // 39 fen are left: the second move overdraws the escrow, so nothing of the batch is written.
    const overdraw = [
      { ...moves[0]!, amountFen: 20 },
      { ...moves[1]!, amountFen: 20 },
    ];
    expect(await db.transaction((tx) => postNewTransfers(tx, overdraw))).toEqual({
      ok: false,
      index: 1,
      code: ErrorCode.INSUFFICIENT_FUNDS,
    });
    expect(
      await db.transaction((tx) => postNewTransfers(tx, [{ ...moves[0]!, creditAccountId: 987_654_321 }])),
    ).toEqual({ ok: false, index: 0, code: ErrorCode.NOT_FOUND });
    expect(
      await db.transaction((tx) => postNewTransfers(tx, [{ ...moves[0]!, debitAccountId: 987_654_321 }])),
    ).toEqual({ ok: false, index: 0, code: ErrorCode.NOT_FOUND });
    // A wallet credited earlier in the batch may pass the cash on; past that, it is short.
    const passOn = [
      { ...moves[0]!, amountFen: 5 },
      { debitAccountId: wallets[0]!, creditAccountId: wallets[1]!, amountFen: 35, code: 'test' },
      { debitAccountId: wallets[0]!, creditAccountId: wallets[1]!, amountFen: 1, code: 'test' },
    ];
    expect(await db.transaction((tx) => postNewTransfers(tx, passOn))).toEqual({
      ok: false,
      index: 2,
      code: ErrorCode.INSUFFICIENT_FUNDS,
    });
    const balances = await getLedgerAccounts(db, [escrow, ...wallets]);
    expect(new Map(balances.map((a) => [a.id, a.balanceFen]))).toEqual(
      new Map([
        [escrow, 39],
        [wallets[0]!, 30],
        [wallets[1]!, 31],
      ]),
    );
    const rows = await queryRows<{ id: unknown }>(
      db,
      sql`select id from ledger_transfers where code = 'redeem' and credit_account_id in (${wallets[0]!}, ${wallets[1]!})`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Number(row.id)).toBeGreaterThanOrEqual(2 ** 40);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it.skipIf(!available)(
    'posts one of two racing copies of a transfer and reports the other as a retry',
    async () => {
      const { db } = handle;
      const bank = await systemLedgerAccount(db, 'external_funding');
      const wallet = await createLedgerAccount(db, 'wallet_cash');
      const [id = 0] = await allocateTransferIds(db, 1);
      const transfer: TransferInput = {
        id,
        debitAccountId: bank,
        creditAccountId: wallet,
        amountFen: 88,
        code: 'race',
      };
      const results = await Promise.all([postTransfers(db, [transfer]), postTransfers(db, [transfer])]);
      expect(results.map(([r]) => r?.status).sort()).toEqual(['exists', 'posted']);
      expect((await getLedgerAccount(db, wallet))?.balanceFen).toBe(88);
    },
  );

  it.skipIf(!available)(
    'never deadlocks when parallel batches touch the same accounts in opposite orders',
    async () => {
      const { db } = handle;
      const bank = await systemLedgerAccount(db, 'external_funding');
      const a = await createLedgerAccount(db, 'campaign_budget');
      const b = await createLedgerAccount(db, 'deck_escrow');
      const [seed = 0] = await allocateTransferIds(db, 1);
      await postTransfers(db, [
        { id: seed, debitAccountId: bank, creditAccountId: a, amountFen: 1_000, code: 'fund' },
      ]);
      for (let round = 0; round < 10; round++) {
        const batches = await Promise.all(
          Array.from({ length: 6 }, async (_, index) => {
            const ids = await allocateTransferIds(db, 2);
            const [from, to] = index % 2 === 0 ? [a, b] : [b, a];
            return [
              { id: ids[0]!, debitAccountId: from, creditAccountId: to, amountFen: 10, code: 'swap' },
              { id: ids[1]!, debitAccountId: to, creditAccountId: from, amountFen: 10, code: 'swap' },
            ];
          }),
        );
        await Promise.all(batches.map((batch) => postTransfers(db, batch)));
      }
      const [budget, escrow] = await getLedgerAccounts(db, [a, b]);
      expect((budget?.balanceFen ?? 0) + (escrow?.balanceFen ?? 0)).toBe(1_000);
      expect((await checkLedger(db)).ok).toBe(true);
    },
  );

  it.skipIf(!available)('detects a tampered balance', async () => {
    const { db } = handle;
    const tampered = await openTestDatabase(engine);
    try {
      const account = await createLedgerAccount(tampered.db, 'wallet_cash', 77);
      await tampered.db.execute(sql`update ledger_accounts set credits_posted_fen = 5 where id = ${account}`);
      const check = await checkLedger(tampered.db);
      expect(check.ok).toBe(false);
      expect(check.totalFen).toBe(5);
      expect(check.mismatchedAccountIds).toEqual([account]);
      expect(check.idsTruncated).toBe(false);
      // More problems than are listed: the first ones, and a flag that says there are more.
      const more: number[] = [account];
      for (let i = 0; i < PROBLEMS_LISTED_MAX; i++)
        more.push(await createLedgerAccount(tampered.db, 'wallet_cash', 1_000 + i));
      for (const id of more)
        await tampered.db.execute(sql`update ledger_accounts set credits_posted_fen = 5 where id = ${id}`);
      const many = await checkLedger(tampered.db);
      expect(many.mismatchedAccountIds).toEqual(more.sort((x, y) => x - y).slice(0, PROBLEMS_LISTED_MAX));
      expect(many.idsTruncated).toBe(true);
    } finally {
      await tampered.close();
    }
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it.skipIf(!available)('detects a transfer naming an account that does not exist', async () => {
    const tampered = await openTestDatabase(engine);
    try {
      const account = await createLedgerAccount(tampered.db, 'wallet_cash', 78);
      // Written around the posting code, which refuses unknown accounts: only checkLedger can see it.
      await tampered.db.execute(
        sql`insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code)
            values (1, ${account + 1000}, ${account}, 5, 'forged')`,
      );
      await tampered.db.execute(sql`update ledger_accounts set credits_posted_fen = 5 where id = ${account}`);
      const check = await checkLedger(tampered.db);
      expect(check.ok).toBe(false);
      expect(check.mismatchedAccountIds).toEqual([account + 1000]);
    } finally {
      await tampered.close();
    }
  });

  /** A scratch ledger: a funding account, two accounts between which `move` posts, each a new transfer. */
  async function scratchLedger(scratch: DatabaseHandle, owner = 90) {
    const bank = await createLedgerAccount(scratch.db, 'external_funding', owner);
    const a = await createLedgerAccount(scratch.db, 'advertiser', owner);
    const b = await createLedgerAccount(scratch.db, 'campaign_budget', owner);
    const move = async (count: number, db = scratch.db) => {
      const ids = await allocateTransferIds(db, count);
      const results = await postTransfers(
        db,
        ids.map((id, i) => ({
          id,
          debitAccountId: i % 2 === 0 ? bank : a,
          creditAccountId: i % 2 === 0 ? a : b,
          amountFen: 10,
          code: 'move',
        })),
      );
      expect(results.every((result) => result.status === 'posted')).toBe(true);
      return ids;
    };
    return { bank, a, b, move };
  }

  it.skipIf(!available)(
    'checks from its last checkpoint: reads only the transfers since and finds what is wrong in them',
    async () => {
      const scratch = await openTestDatabase(engine);
      try {
        const { bank, a, b, move } = await scratchLedger(scratch);
        await move(40);
        // The first check has no checkpoint: it sums everything, and leaves one.
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: true,
          mode: 'full',
          transfers: 40,
          transfersRead: 40,
        });
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: true,
          mode: 'incremental',
          transfers: 40,
          transfersRead: 0,
        });
        await move(3);
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: true,
          mode: 'incremental',
          transfers: 43,
          transfersRead: 3,
        });
        // A transfer changed after the checkpoint: both its accounts disagree, check after check.
        const [changed] = await move(2);
        await scratch.db.execute(sql`update ledger_transfers set amount_fen = 11 where id = ${changed}`);
        for (let i = 0; i < 2; i++)
          expect(await checkLedger(scratch.db)).toMatchObject({
            ok: false,
            mode: 'incremental',
            transfersRead: 2,
            mismatchedAccountIds: [bank, a].sort((x, y) => x - y),
          });
        await scratch.db.execute(sql`update ledger_transfers set amount_fen = 10 where id = ${changed}`);
        expect(await checkLedger(scratch.db)).toMatchObject({ ok: true, transfersRead: 2, transfers: 45 });
        // One removed, one naming an account that does not exist, a balance changed without a transfer.
        const [removed] = await move(1);
        await scratch.db.execute(sql`delete from ledger_transfers where id = ${removed}`);
        expect((await checkLedger(scratch.db)).mismatchedAccountIds).toEqual([bank, a].sort((x, y) => x - y));
        await scratch.db.execute(
          sql`update ledger_accounts set debits_posted_fen = debits_posted_fen - 10 where id = ${bank}`,
        );
        await scratch.db.execute(
          sql`update ledger_accounts set credits_posted_fen = credits_posted_fen - 10 where id = ${a}`,
        );
        expect((await checkLedger(scratch.db)).ok).toBe(true);
        await scratch.db.execute(
          sql`insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code)
              values (7, ${b + 1000}, ${b}, 5, 'forged')`,
        );
        expect((await checkLedger(scratch.db)).mismatchedAccountIds).toEqual([b, b + 1000]);
        await scratch.db.execute(sql`delete from ledger_transfers where id = 7`);
        await scratch.db.execute(
          sql`update ledger_accounts set credits_posted_fen = credits_posted_fen + 1 where id = ${b}`,
        );
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: false,
          mismatchedAccountIds: [b],
          totalFen: 1,
        });
        await scratch.db.execute(
          sql`update ledger_accounts set credits_posted_fen = credits_posted_fen - 1 where id = ${b}`,
        );
        expect((await checkLedger(scratch.db)).ok).toBe(true);
      } finally {
        await scratch.close();
      }
    },
    60_000,
  );

  it.skipIf(!available)(
    'a transfer changed before the checkpoint is found by the full check, which then rebuilds it',
    async () => {
      const scratch = await openTestDatabase(engine);
      try {
        const { a, b, move } = await scratchLedger(scratch);
        const [, old] = await move(10);
        expect((await checkLedger(scratch.db)).mode).toBe('full');
        await scratch.db.execute(sql`update ledger_transfers set amount_fen = 12 where id = ${old}`);
        // The incremental check does not read history: that is what the full check is for.
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: true,
          mode: 'incremental',
          transfersRead: 0,
        });
        const full = await checkLedger(scratch.db, { full: true });
        expect(full).toMatchObject({ ok: false, mode: 'full', transfers: 10, transfersRead: 10 });
        expect(full.mismatchedAccountIds).toEqual([a, b].sort((x, y) => x - y));
        await scratch.db.execute(sql`update ledger_transfers set amount_fen = 10 where id = ${old}`);
        expect(await checkLedger(scratch.db, { full: true })).toMatchObject({ ok: true, mode: 'full' });
        await move(2);
        expect(await checkLedger(scratch.db)).toMatchObject({
          ok: true,
          mode: 'incremental',
          transfers: 12,
          transfersRead: 2,
        });
      } finally {
        await scratch.close();
      }
    },
    60_000,
  );

  // Two transactions open at once need a server (PGlite runs one at a time): PostgreSQL only.
  if (engine === 'postgres')
    it.skipIf(!available)(
      'a transfer whose transaction was open across a checkpoint is read by the next check',
      async () => {
        const scratch = await openTestDatabase(engine);
        try {
          const { move } = await scratchLedger(scratch);
          // The open transaction moves between accounts of its own, so the postings after it do not wait.
          const other = await scratchLedger(scratch, 93);
          await move(4);
          let release = () => {};
          const gate = new Promise<void>((resolve) => {
            release = resolve;
          });
          let posted = () => {};
          const written = new Promise<void>((resolve) => {
            posted = resolve;
          });
          // Its id is drawn before the ones posted next, and it commits after the checkpoint.
          const open = scratch.db.transaction(async (tx) => {
            await other.move(2, tx);
            posted();
            await gate;
          });
          await written;
          await move(2);
          expect(await checkLedger(scratch.db)).toMatchObject({ ok: true, transfers: 6 });
          release();
          await open;
          expect(await checkLedger(scratch.db)).toMatchObject({
            ok: true,
            mode: 'incremental',
            transfers: 8,
            transfersRead: 2,
          });
          expect(await checkLedger(scratch.db, { full: true })).toMatchObject({ ok: true, transfers: 8 });
        } finally {
          await scratch.close();
        }
      },
      60_000,
    );

  it.skipIf(!available)(
    'checks run side by side with each other and with postings all hold, and the checkpoint never adds a transfer twice',
    async () => {
      const scratch = await openTestDatabase(engine);
      try {
        const { move } = await scratchLedger(scratch);
        const other = await scratchLedger(scratch, 94);
        await move(5);
        for (let round = 0; round < 4; round++) {
          const checks = await Promise.all([
            checkLedger(scratch.db),
            move(3),
            checkLedger(scratch.db),
            other.move(2),
            checkLedger(scratch.db, { full: round % 2 === 1 }),
            checkLedger(scratch.db),
          ]);
          for (const check of checks)
            if (!Array.isArray(check)) expect(check.ok, JSON.stringify(check)).toBe(true);
        }
        // With nothing written since, the checkpoint's sums are every transfer's, account by account.
        expect(await checkLedger(scratch.db)).toMatchObject({ ok: true, transfers: 25 });
        const sums = sql`select account_id, sum(debit)::bigint as debits, sum(credit)::bigint as credits from (
              select debit_account_id as account_id, amount_fen as debit, 0 as credit from ledger_transfers
              union all select credit_account_id, 0, amount_fen from ledger_transfers) m group by 1 order by 1`;
        expect(
          await queryRows(
            scratch.db,
            sql`select account_id, debits_fen as debits, credits_fen as credits from ledger_checkpoint_accounts
                where debits_fen <> 0 or credits_fen <> 0 order by 1`,
          ),
        ).toEqual(await queryRows(scratch.db, sums));
        expect(await checkLedger(scratch.db, { full: true })).toMatchObject({ ok: true, transfers: 25 });
      } finally {
        await scratch.close();
      }
    },
    120_000,
  );

  it.skipIf(!available)(
    'refuses to delete an account that has postings, and deletes an unused one',
    async () => {
      const scratch = await openTestDatabase(engine);
      try {
        const [from, to, unused] = [
          await createLedgerAccount(scratch.db, 'external_funding', 79),
          await createLedgerAccount(scratch.db, 'advertiser', 79),
          await createLedgerAccount(scratch.db, 'wallet_cash', 80),
        ];
        const [posted] = await postTransfers(scratch.db, [
          { id: 1, debitAccountId: from, creditAccountId: to, amountFen: 10, code: 'fund_advertiser' },
        ]);
        expect(posted?.status).toBe('posted');
        await expect(scratch.db.execute(sql`delete from ledger_accounts where id = ${to}`)).rejects.toThrow();
        await scratch.db.execute(sql`delete from ledger_accounts where id = ${unused}`);
        expect((await checkLedger(scratch.db)).ok).toBe(true);
      } finally {
        await scratch.close();
      }
    },
  );

  it.skipIf(!available)(
    'keeps the invariant over thousands of random transfers',
    async () => {
      const { db } = handle;
      const bank = await systemLedgerAccount(db, 'external_funding');
      const accounts = [bank];
      for (const kind of [
        'advertiser',
        'campaign_budget',
        'deck_escrow',
        'wallet_cash',
        'withdrawal_clearing',
      ] as const) {
        accounts.push(await createLedgerAccount(db, kind), await createLedgerAccount(db, kind));
      }
      const reusable: TransferInput[] = [];
      const transfer = fc.record({
        // Money must enter through the bank before the other accounts can move it.
        debit: fc.oneof(
          { arbitrary: fc.constant(bank), weight: 1 },
          { arbitrary: fc.constantFrom(...accounts), weight: 3 },
        ),
        credit: fc.constantFrom(...accounts),
        amountFen: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constant(0)),
        // Some transfers reuse an earlier id, as a retry (same content) or a conflict (other content).
        reuse: fc.integer({ min: 0, max: 9 }),
      });
      const batch = fc.array(transfer, { minLength: 5, maxLength: 40 });
      // Parallel batches on PostgreSQL exercise the row locks; PGlite has one connection and serialises.
      const round = fc.array(batch, { minLength: 1, maxLength: engine === 'postgres' ? 4 : 2 });
      let operations = 0;

      await fc.assert(
        fc.asyncProperty(round, async (batches) => {
          const inputs = await Promise.all(
            batches.map(async (drawn) => {
              const ids = await allocateTransferIds(db, drawn.length);
              return drawn.map((t, index): TransferInput => {
                const previous = reusable[t.reuse * 7 + index];
                if (t.reuse === 0 && previous !== undefined) {
                  return index % 2 === 0 ? previous : { ...previous, amountFen: previous.amountFen + 1 };
                }
                return {
                  id: ids[index]!,
                  debitAccountId: t.debit,
                  creditAccountId: t.credit,
                  amountFen: t.amountFen,
                  code: 'p',
                };
              });
            }),
          );
          const results = await Promise.all(inputs.map((input) => postTransfers(db, input)));
          inputs.flat().forEach((input) => {
            if (reusable.length < 500) reusable.push(input);
          });
          operations += inputs.flat().length;
          for (const [b, input] of inputs.entries()) {
            for (const [i, result] of (results[b] ?? []).entries()) {
              const sent = input[i]!;
              if (sent.amountFen === 0)
                expect(result).toMatchObject({ status: 'rejected', code: ErrorCode.MONEY_INVALID });
              if (
                sent.debitAccountId === sent.creditAccountId &&
                sent.amountFen > 0 &&
                result.status === 'posted'
              )
                throw new Error('posted a self-transfer');
            }
          }
          const check = await checkLedger(db);
          expect(check).toMatchObject({
            ok: true,
            totalFen: 0,
            negativeAccountIds: [],
            mismatchedAccountIds: [],
          });
        }),
        { numRuns: engine === 'postgres' ? 120 : 160, seed: 20_240_601 },
      );
      expect(operations).toBeGreaterThan(2_000);
      const balances = await getLedgerAccounts(db, accounts);
      for (const account of balances) {
        if (!account.allowNegative) expect(account.balanceFen).toBeGreaterThanOrEqual(0);
      }
    },
    120_000,
  );
});
