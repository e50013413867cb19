// The operator's money actions keep a history, on PGlite and PostgreSQL: payout batches are listed and
// downloadable again without exporting anything twice (also when two run at once), hold decisions
// record who decided, and an advertiser's funding statement shows who funded and the balance after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTapBatch, ErrorCode } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { systemLedgerAccount } from '../src/ledger/accounts.ts';
import { postTransfers } from '../src/ledger/post-transfers.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import {
  advertiserSession,
  createTestCloud,
  json,
  operatorToken,
  walletSession,
  type TestCloud,
} from './harness.ts';
import { buildWorld, makeTap, nextTransferId, registerPhone, tiersPlan, type Kiosk } from './money-world.ts';

const engines = await testEngines();

async function expectLedgerOk(cloud: TestCloud): Promise<void> {
  const check = await checkLedger(cloud.deps.db);
  expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0 });
}

/** A wallet with `fen` on it from the outside, and a session to withdraw with. */
async function fundedWallet(cloud: TestCloud, fen: number): Promise<string> {
  const session = await walletSession(cloud);
  const [row] = await queryRows<{ id: unknown }>(
    cloud.deps.db,
    sql`select ledger_account_id as id from wallets where id = ${session.walletId}`,
  );
  const bank = await systemLedgerAccount(cloud.deps.db, 'external_funding');
  const [posted] = await postTransfers(cloud.deps.db, [
    {
      id: nextTransferId(),
      debitAccountId: bank,
      creditAccountId: int(row?.id),
      amountFen: fen,
      code: 'test',
    },
  ]);
  expect(posted?.status).toBe('posted');
  return session.token;
}

describe.each(engines)('money actions on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'keeps each payout batch downloadable again and never exports a withdrawal twice, even when two exports run at once',
    async () => {
      const operator = await operatorToken(cloud);
      for (const amountFen of [100, 250, 40]) {
        const token = await fundedWallet(cloud, 1_000);
        const linked = await cloud.request('PUT', '/v1/wallets/me/payout-account', {
          token,
          // One account per wallet: an account many wallets share holds its withdrawals (account-signals.ts).
          body: { kind: 'alipay', account: `payee${String(amountFen)}@example.com`, holderName: 'Li Lei' },
        });
        expect(linked.status).toBe(200);
        const made = await cloud.request('POST', '/v1/wallets/me/withdrawals', {
          token,
          body: { amountFen, idempotencyKey: `settle-${String(amountFen)}` },
        });
        expect(made.status).toBe(201);
      }
      const [first, second] = await Promise.all([
        cloud.request('POST', '/v1/settlements', { token: operator }),
        cloud.request('POST', '/v1/settlements', { token: operator }),
      ]);
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      const bodies = [decoder.decode(await first.arrayBuffer()), decoder.decode(await second.arrayBuffer())];
      const counts = [first, second].map((r) => Number(r.headers.get('X-Settlement-Count')));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
      const listed = await json<{ items: { id: number; withdrawalCount: number; totalFen: number }[] }>(
        await cloud.request('GET', '/v1/settlements', { token: operator }),
      );
      expect(listed.items.reduce((sum, item) => sum + item.withdrawalCount, 0)).toBe(3);
      expect(listed.items.reduce((sum, item) => sum + item.totalFen, 0)).toBe(390);
      // Each past file comes back byte for byte, and downloading it moves nothing.
      for (const item of listed.items) {
        const again = await cloud.request('GET', `/v1/settlements/${String(item.id)}/csv`, {
          token: operator,
        });
        expect(again.headers.get('content-type')).toContain('text/csv');
        // (As bytes: Response.text() would drop the byte order mark.)
        expect(bodies).toContain(
          new TextDecoder('utf-8', { ignoreBOM: true }).decode(await again.arrayBuffer()),
        );
      }
      const third = await cloud.request('POST', '/v1/settlements', { token: operator });
      expect(third.headers.get('X-Settlement-Count')).toBe('0');
      const after = await json<{ items: unknown[] }>(
        await cloud.request('GET', '/v1/settlements', { token: operator }),
      );
      expect(after.items).toHaveLength(listed.items.length);
      // Each withdrawal went out in exactly one batch, in flight: nothing is paid before the provider's
      // result file comes back (test/payouts.test.ts).
      const [inFlight] = await queryRows<{ n: unknown; fen: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n, coalesce(sum(amount_fen), 0) as fen from withdrawals
            where status = 'exported' and settlement_id is not null`,
      );
      expect([int(inFlight?.n), int(inFlight?.fen)]).toEqual([3, 390]);
      const [payouts] = await queryRows<{ fen: unknown }>(
        cloud.deps.db,
        sql`select coalesce(sum(amount_fen), 0) as fen from ledger_transfers where code = 'payout'`,
      );
      expect(int(payouts?.fen)).toBe(0);
      const missing = await cloud.request('GET', '/v1/settlements/999999/csv', { token: operator });
      expect((await json<{ error: { code: string } }>(missing)).error.code).toBe(ErrorCode.NOT_FOUND);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('records who released or refused a held tap, with the amount decided', async () => {
    const world = await buildWorld(cloud, {
      cities: ['Chengdu'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
    });
    const kiosk = world.kiosks[0] as Kiosk;
    const now = cloud.clock.nowMs;
    const base = Math.floor(now / 1000) - 100;
    const burst = [];
    // A tap a second: faster than people take turns at an elevator screen, so some are held.
    for (let i = 0; i < 24; i++)
      burst.push(makeTap(kiosk, await registerPhone(cloud), now, { ts: base + i }));
    const from = cloud.broker.acks.length;
    await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(burst) });
    await cloud.broker.nextAck(kiosk.screenId, from);
    const holds = await json<{ items: { id: number; amountFen: number }[] }>(
      await cloud.request('GET', '/v1/holds?limit=100', { token: world.operator }),
    );
    const [released, refused] = holds.items;
    expect(refused).toBeDefined();
    await cloud.request('POST', `/v1/holds/${String(released?.id)}/release`, { token: world.operator });
    await cloud.request('POST', `/v1/holds/${String(refused?.id)}/refuse`, { token: world.operator });
    const history = await json<{
      items: { redemptionId: number; decision: string; amountFen: number; decidedByEmail: string | null }[];
    }>(await cloud.request('GET', '/v1/holds/decisions', { token: world.operator }));
    const byId = new Map(history.items.map((item) => [item.redemptionId, item]));
    expect(byId.get(released?.id ?? 0)).toMatchObject({
      decision: 'release',
      amountFen: released?.amountFen,
    });
    expect(byId.get(refused?.id ?? 0)).toMatchObject({ decision: 'refuse', amountFen: refused?.amountFen });
    expect(byId.get(refused?.id ?? 0)?.decidedByEmail).toMatch(/^operator-/);
    // Paged to the last decision, nothing cut off: one a page, newest first, the same two decisions.
    const paged: number[] = [];
    let before: string | null = '';
    for (let page = 0; before !== null && page < 5; page++) {
      const reply: { items: { redemptionId: number }[]; nextBefore: string | null } = await json(
        await cloud.request('GET', `/v1/holds/decisions?limit=1${before === '' ? '' : `&before=${before}`}`, {
          token: world.operator,
        }),
      );
      paged.push(...reply.items.map((item) => item.redemptionId));
      before = reply.nextBefore;
    }
    expect(before).toBeNull();
    expect(paged).toEqual(history.items.map((item) => item.redemptionId));
    expect(paged).toHaveLength(2);
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'lists an advertiser’s fundings with who funded and the balance after each',
    async () => {
      const operator = await operatorToken(cloud);
      const advertiser = await advertiserSession(cloud, operator);
      const fund = (amountFen: number, transferId: number) =>
        cloud.request('POST', `/v1/advertisers/${String(advertiser.advertiserId)}/funding`, {
          token: operator,
          body: { amountFen, transferId },
        });
      const firstId = nextTransferId();
      expect((await fund(5_000, firstId)).status).toBe(200);
      // A retried funding is one line, not two.
      expect((await fund(5_000, firstId)).status).toBe(200);
      expect((await fund(2_500, nextTransferId())).status).toBe(200);
      const statement = await json<{
        items: { amountFen: number; balanceAfterFen: number; fundedByEmail: string | null }[];
      }>(
        await cloud.request('GET', `/v1/advertisers/${String(advertiser.advertiserId)}/fundings`, {
          token: operator,
        }),
      );
      expect(statement.items.map((line) => [line.amountFen, line.balanceAfterFen])).toEqual([
        [2_500, 7_500],
        [5_000, 5_000],
      ]);
      expect(statement.items.every((line) => line.fundedByEmail?.startsWith('operator-'))).toBe(true);
      const forbidden = await cloud.request(
        'GET',
        `/v1/advertisers/${String(advertiser.advertiserId)}/fundings`,
        {
          token: advertiser.token,
        },
      );
      expect(forbidden.status).toBe(403);
    },
  );
});
