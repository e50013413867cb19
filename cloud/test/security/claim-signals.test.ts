// Multi-account signals (services/account-signals.ts, docs/threat-model.md) and a claim's fallback coupon
// (docs/protocol.md §7a), on PGlite and PostgreSQL. For each signal: under its threshold a claim or
// withdrawal is paid; past it, held, with its money in the review hold (claims) or clearing
// (withdrawals) and the hold in the operator's queue with its signal; release pays exactly once; refuse
// moves the money back (the pool and budget, or the wallet) and the ledger stays whole. Past the
// campaign's cash cap a claim gets the campaign's fallback coupon from pool stock, up to the coupon cap.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { encodeTicketText, ErrorCode, signTicket, TicketPath, type KeyPair } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { getLedgerAccount, systemLedgerAccount } from '../../src/ledger/accounts.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { postTransfers } from '../../src/ledger/post-transfers.ts';
import { defaultMoneySettings } from '../../src/money-settings.ts';
import { returnEnvelopes } from '../../src/services/envelope-returns.ts';
import { DEVICE_COOKIE } from '../../src/http/device-cookie.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { createTestCloud, json, walletSession, type TestCloud } from '../harness.ts';
import { buildWorld, enrolKiosk, nextTransferId, tiersPlan, type World } from '../money-world.ts';

const engines = await testEngines();

interface ClaimReply {
  claimId: number;
  status: string;
  code: string | null;
  amountFen: number;
  couponOfferId: number | null;
  couponTitle: string | null;
  campaignId: number | null;
}

interface HeldItem {
  id: number;
  kind: 'tap' | 'claim';
  walletId: number;
  amountFen: number;
  reason: string | null;
}

describe.each(engines)(
  'multi-account signals and fallback coupons of claims on $engine',
  ({ engine, available }) => {
    let handle: DatabaseHandle;
    let cloud: TestCloud;
    let world: World;
    let ticketSeq = 0;

    beforeAll(async () => {
      if (!available) return;
      handle = await openTestDatabase(engine, 8);
      cloud = createTestCloud(handle, {
        // The address comes from X-Forwarded-For, as behind the deployment's proxy.
        trustProxy: true,
        money: {
          ...defaultMoneySettings,
          claimsPerScreenPerMinuteMax: 1_000,
          deviceWalletsMax: 2,
          addressClaimWalletsMax: 2,
          payoutAccountWalletsMax: 2,
        },
      });
      world = await buildWorld(cloud, {
        cities: ['Shanghai'],
        plan: tiersPlan(20_000),
        budgetFen: 20_000,
        cashPerWalletPerDay: 2,
        couponStock: 20,
      });
    }, 120_000);
    afterAll(async () => {
      if (available) await handle.close();
    });

    const nowS = () => Math.floor(cloud.clock.nowMs / 1000);
    let screen: { screenId: number; key: KeyPair };

    function ticket(): string {
      ticketSeq += 1;
      const { bytes } = signTicket(
        {
          screenId: screen.screenId,
          ticketSeq,
          ts: nowS(),
          campaignId: world.campaignId,
          path: TicketPath.screenQr,
          nonce: randomBytes(8),
        },
        screen.key.privateKey,
      );
      return encodeTicketText(bytes);
    }

    /** A claim as a browser sends it: its device cookie and (through the proxy) its address. */
    async function claimFrom(
      token: string,
      origin: { device?: string; ip?: string } = {},
    ): Promise<ClaimReply> {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-forwarded-for': origin.ip ?? `198.51.100.${String(1 + (ticketSeq % 250))}`,
      };
      if (origin.device !== undefined) headers.cookie = `${DEVICE_COOKIE}=${origin.device}`;
      const response = await cloud.app.request('/v1/wallet/claims', {
        method: 'POST',
        headers,
        body: JSON.stringify({ ticket: ticket() }),
      });
      expect(response.status).toBe(200);
      return json<ClaimReply>(response);
    }

    async function balance(accountSql: ReturnType<typeof sql>): Promise<number> {
      const [row] = await queryRows<{ id: unknown }>(cloud.deps.db, accountSql);
      return (await getLedgerAccount(cloud.deps.db, int(row?.id)))?.balanceFen ?? -1;
    }
    const walletBalance = (walletId: number) =>
      balance(sql`select ledger_account_id as id from wallets where id = ${walletId}`);
    const budgetBalance = () =>
      balance(sql`select budget_account_id as id from campaigns where id = ${world.campaignId}`);
    const holdBalance = async () =>
      (await getLedgerAccount(cloud.deps.db, await systemLedgerAccount(cloud.deps.db, 'review_hold')))
        ?.balanceFen ?? 0;
    async function pooledCash(): Promise<number> {
      const [row] = await queryRows<{ fen: unknown }>(
        cloud.deps.db,
        sql`select coalesce(sum(amount_fen), 0) as fen from campaign_envelopes
          where campaign_id = ${world.campaignId} and deck_id is null`,
      );
      return int(row?.fen);
    }
    async function expectLedgerWhole(): Promise<void> {
      const check = await checkLedger(cloud.deps.db);
      expect(check, JSON.stringify(check)).toMatchObject({ ok: true, poolMismatchCampaignIds: [] });
    }
    async function heldQueue(): Promise<HeldItem[]> {
      const response = await cloud.request('GET', '/v1/holds?limit=100', { token: world.operator });
      expect(response.status).toBe(200);
      return (await json<{ items: HeldItem[] }>(response)).items;
    }
    const review = (id: number, decision: 'release' | 'refuse') =>
      cloud.request('POST', `/v1/holds/${String(id)}/${decision}`, { token: world.operator });

    it.skipIf(!available)(
      'holds the claim of a wallet whose browser served too many wallets; release pays it once',
      async () => {
        screen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Device Tower');
        const device = randomBytes(16).toString('base64url');
        const first = await walletSession(cloud);
        const second = await walletSession(cloud);
        const third = await walletSession(cloud);
        // Two wallets in one browser are within the threshold: paid.
        for (const wallet of [first, second]) {
          const paid = await claimFrom(wallet.token, { device });
          expect(paid).toMatchObject({ status: 'credited', code: null });
          expect(await walletBalance(wallet.walletId)).toBe(paid.amountFen);
        }
        // A third in the same browser is held: the cash leaves the pool for the review hold, not the wallet.
        const [budgetBefore, holdBefore, pooledBefore] = [
          await budgetBalance(),
          await holdBalance(),
          await pooledCash(),
        ];
        const held = await claimFrom(third.token, { device });
        expect(held).toMatchObject({ status: 'held', code: ErrorCode.HOLD_DEVICE_WALLETS });
        expect(held.amountFen).toBeGreaterThan(0);
        expect(await walletBalance(third.walletId)).toBe(0);
        expect(await holdBalance()).toBe(holdBefore + held.amountFen);
        expect(await budgetBalance()).toBe(budgetBefore - held.amountFen);
        expect(await pooledCash()).toBe(pooledBefore - held.amountFen);
        await expectLedgerWhole();
        expect(await heldQueue()).toContainEqual(
          expect.objectContaining({
            id: held.claimId,
            kind: 'claim',
            walletId: third.walletId,
            amountFen: held.amountFen,
            reason: ErrorCode.HOLD_DEVICE_WALLETS,
          }),
        );
        // The wallet's history says it is under review, with its signal as the reason.
        const history = await json<{ items: { id: number; status: string; reason: string | null }[] }>(
          await cloud.request('GET', '/v1/wallets/me/history', { token: third.token }),
        );
        expect(history.items.find((item) => item.id === held.claimId)).toMatchObject({
          status: 'held',
          reason: ErrorCode.HOLD_DEVICE_WALLETS,
        });

        // Release pays it to the wallet, once: twice at the same time and once more later, one payment.
        const releases = await Promise.all([
          review(held.claimId, 'release'),
          review(held.claimId, 'release'),
        ]);
        expect(releases.map((response) => response.status).sort()).toEqual([200, 409]);
        expect((await review(held.claimId, 'release')).status).toBe(409);
        expect((await review(held.claimId, 'refuse')).status).toBe(409);
        expect(await walletBalance(third.walletId)).toBe(held.amountFen);
        expect(await holdBalance()).toBe(holdBefore);
        expect((await heldQueue()).some((item) => item.id === held.claimId)).toBe(false);
        await expectLedgerWhole();
        const decisions = await json<{
          items: { redemptionId: number; decision: string; walletId: number }[];
        }>(await cloud.request('GET', '/v1/holds/decisions', { token: world.operator }));
        expect(decisions.items).toContainEqual(
          expect.objectContaining({
            redemptionId: held.claimId,
            decision: 'release',
            walletId: third.walletId,
          }),
        );
        // The replay answers the claim as it now stands.
        const [row] = await queryRows<{ status: string }>(
          cloud.deps.db,
          sql`select status from claims where id = ${held.claimId}`,
        );
        expect(row?.status).toBe('released');
      },
    );

    it.skipIf(!available)(
      'refusing a claim the browser signal held returns its cash to the pool and moves nothing to the wallet',
      async () => {
        screen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Device Tower 2');
        const device = randomBytes(16).toString('base64url');
        const wallets = [await walletSession(cloud), await walletSession(cloud), await walletSession(cloud)];
        for (const wallet of wallets.slice(0, 2)) await claimFrom(wallet.token, { device });
        const last = wallets[2] ?? (await walletSession(cloud));
        const [budgetBefore, holdBefore, pooledBefore] = [
          await budgetBalance(),
          await holdBalance(),
          await pooledCash(),
        ];
        const held = await claimFrom(last.token, { device });
        expect(held).toMatchObject({ status: 'held', code: ErrorCode.HOLD_DEVICE_WALLETS });
        const refused = await review(held.claimId, 'refuse');
        expect(refused.status).toBe(200);
        expect(await json(refused)).toMatchObject({
          id: held.claimId,
          status: 'refused',
          amountFen: held.amountFen,
        });
        expect(await walletBalance(last.walletId)).toBe(0);
        expect(await budgetBalance()).toBe(budgetBefore);
        expect(await holdBalance()).toBe(holdBefore);
        expect(await pooledCash()).toBe(pooledBefore);
        expect((await review(held.claimId, 'release')).status).toBe(409);
        // It no longer counts against the wallet's day.
        const [day] = await queryRows<{ n: unknown }>(
          cloud.deps.db,
          sql`select coalesce(sum(cash_count), 0) as n from wallet_day_totals where wallet_id = ${last.walletId}`,
        );
        expect(int(day?.n)).toBe(0);
        await expectLedgerWhole();
      },
    );

    it.skipIf(!available)(
      'holds claims from an address too many wallets claimed from; other addresses are paid',
      async () => {
        screen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Address Tower');
        const ip = '203.0.113.77';
        const wallets = [await walletSession(cloud), await walletSession(cloud), await walletSession(cloud)];
        const [a, b, c] = wallets as [(typeof wallets)[0], (typeof wallets)[0], (typeof wallets)[0]];
        expect(await claimFrom(a.token, { ip })).toMatchObject({ status: 'credited' });
        expect(await claimFrom(b.token, { ip })).toMatchObject({ status: 'credited' });
        // A wallet claiming again from the address is still one of its two.
        expect(await claimFrom(a.token, { ip })).toMatchObject({ status: 'credited' });
        const holdBefore = await holdBalance();
        const held = await claimFrom(c.token, { ip });
        expect(held).toMatchObject({ status: 'held', code: ErrorCode.HOLD_ADDRESS_WALLETS });
        expect(await holdBalance()).toBe(holdBefore + held.amountFen);
        expect(await walletBalance(c.walletId)).toBe(0);
        // The same wallet from another address is under the threshold there.
        const elsewhere = await claimFrom(c.token, { ip: '203.0.113.78' });
        expect(elsewhere).toMatchObject({ status: 'credited', code: null });
        expect(await heldQueue()).toContainEqual(
          expect.objectContaining({
            id: held.claimId,
            kind: 'claim',
            reason: ErrorCode.HOLD_ADDRESS_WALLETS,
          }),
        );
        expect((await review(held.claimId, 'release')).status).toBe(200);
        expect((await review(held.claimId, 'release')).status).toBe(409);
        expect(await walletBalance(c.walletId)).toBe(held.amountFen + elsewhere.amountFen);
        await expectLedgerWhole();
        // Recorded with the address, so the window counts committed claims.
        const [row] = await queryRows<{ client_ip: string | null }>(
          cloud.deps.db,
          sql`select client_ip from claims where id = ${held.claimId}`,
        );
        expect(row?.client_ip).toBe(ip);
      },
    );

    it.skipIf(!available)(
      'holds a withdrawal to a payout account shared by too many wallets; release exports it once, refuse returns the money',
      async () => {
        const bank = await systemLedgerAccount(cloud.deps.db, 'external_funding');
        const clearing = await systemLedgerAccount(cloud.deps.db, 'withdrawal_clearing');
        async function fundedWallet(): Promise<{ token: string; walletId: number }> {
          const session = await walletSession(cloud);
          const [row] = await queryRows<{ id: unknown }>(
            cloud.deps.db,
            sql`select ledger_account_id as id from wallets where id = ${session.walletId}`,
          );
          await postTransfers(cloud.deps.db, [
            {
              id: nextTransferId(),
              debitAccountId: bank,
              creditAccountId: int(row?.id),
              amountFen: 1_000,
              code: 'test',
            },
          ]);
          return session;
        }
        const account = { kind: 'alipay', account: '13900139000', holderName: '韩梅梅' };
        const withdraw = async (token: string) => {
          const response = await cloud.request('POST', '/v1/wallets/me/withdrawals', {
            token,
            body: { amountFen: 500, idempotencyKey: `signal-${String(nextTransferId())}` },
          });
          expect(response.status).toBe(201);
          return json<{ id: number; status: string; holdReason: string | null }>(response);
        };
        const wallets = [
          await fundedWallet(),
          await fundedWallet(),
          await fundedWallet(),
          await fundedWallet(),
        ];
        for (const wallet of wallets)
          expect(
            (
              await cloud.request('PUT', '/v1/wallets/me/payout-account', {
                token: wallet.token,
                body: account,
              })
            ).status,
          ).toBe(200);
        // Four wallets share the account now: every withdrawal to it is held until reviewed.
        const held = await withdraw(wallets[2]?.token ?? '');
        expect(held).toMatchObject({ status: 'held', holdReason: ErrorCode.HOLD_PAYOUT_ACCOUNT_SHARED });
        const refusedOne = await withdraw(wallets[3]?.token ?? '');
        expect(refusedOne.status).toBe('held');
        const clearingBefore = await balance(sql`select ${clearing}::bigint as id`);
        const queue = await json<{
          items: { id: number; reason: string | null; walletsSharingAccount: number }[];
        }>(await cloud.request('GET', '/v1/holds/withdrawals?limit=100', { token: world.operator }));
        expect(queue.items).toContainEqual(
          expect.objectContaining({
            id: held.id,
            reason: ErrorCode.HOLD_PAYOUT_ACCOUNT_SHARED,
            walletsSharingAccount: 4,
          }),
        );
        // Nothing held is exported.
        const firstExport = await cloud.request('POST', '/v1/settlements', { token: world.operator });
        expect(firstExport.status).toBe(200);
        expect(await firstExport.text()).not.toMatch(new RegExp(`,${String(held.id)},`));

        const released = await cloud.request('POST', `/v1/holds/withdrawals/${String(held.id)}/release`, {
          token: world.operator,
        });
        expect(await json(released)).toMatchObject({ id: held.id, status: 'pending' });
        expect(
          (
            await cloud.request('POST', `/v1/holds/withdrawals/${String(held.id)}/release`, {
              token: world.operator,
            })
          ).status,
        ).toBe(409);
        // The next batch carries it, once.
        const exported = await cloud.request('POST', '/v1/settlements', { token: world.operator });
        const csv = await exported.text();
        expect(csv.split('\n').filter((line) => line.includes(`,${String(held.id)},`))).toHaveLength(1);
        const again = await cloud.request('POST', '/v1/settlements', { token: world.operator });
        expect(await again.text()).not.toMatch(new RegExp(`,${String(held.id)},`));

        const refused = await cloud.request('POST', `/v1/holds/withdrawals/${String(refusedOne.id)}/refuse`, {
          token: world.operator,
        });
        expect(await json(refused)).toMatchObject({ id: refusedOne.id, status: 'refused' });
        expect(
          await balance(
            sql`select ledger_account_id as id from wallets where id = ${wallets[3]?.walletId ?? 0}`,
          ),
        ).toBe(1_000);
        expect(await balance(sql`select ${clearing}::bigint as id`)).toBe(clearingBefore - 500);
        expect(
          (
            await cloud.request('POST', `/v1/holds/withdrawals/${String(refusedOne.id)}/release`, {
              token: world.operator,
            })
          ).status,
        ).toBe(409);
        await expectLedgerWhole();
      },
    );

    it.skipIf(!available)(
      'pays a withdrawal to an account no more wallets than the threshold share',
      async () => {
        const session = await walletSession(cloud);
        const bank = await systemLedgerAccount(cloud.deps.db, 'external_funding');
        const [row] = await queryRows<{ id: unknown }>(
          cloud.deps.db,
          sql`select ledger_account_id as id from wallets where id = ${session.walletId}`,
        );
        await postTransfers(cloud.deps.db, [
          {
            id: nextTransferId(),
            debitAccountId: bank,
            creditAccountId: int(row?.id),
            amountFen: 1_000,
            code: 'test',
          },
        ]);
        const linked = await cloud.request('PUT', '/v1/wallets/me/payout-account', {
          token: session.token,
          body: { kind: 'alipay', account: '13700137000', holderName: '李雷' },
        });
        expect(linked.status).toBe(200);
        const response = await cloud.request('POST', '/v1/wallets/me/withdrawals', {
          token: session.token,
          body: { amountFen: 500, idempotencyKey: 'alone-withdrawal-1' },
        });
        expect(await json(response)).toMatchObject({ status: 'pending', holdReason: null });
      },
    );

    it.skipIf(!available)(
      "gives the campaign's fallback coupon past its cash cap, from pool stock, up to the coupon cap",
      async () => {
        screen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Coupon Tower');
        const wallet = await walletSession(cloud);
        // cashPerWalletPerDay 2: two cash claims.
        for (let i = 0; i < 2; i += 1)
          expect(await claimFrom(wallet.token)).toMatchObject({ status: 'credited', couponOfferId: null });
        const stock = async () => {
          const [row] = await queryRows<{ n: unknown }>(
            cloud.deps.db,
            sql`select count(*) as n from campaign_envelopes where campaign_id = ${world.campaignId}
                and coupon_offer_id = ${world.couponOfferId} and deck_id is null`,
          );
          return int(row?.n);
        };
        // The kiosk's deck took the campaign's coupons at activation; three come back to the pool as from a
        // deck that expired unused, stock no deck holds.
        await cloud.deps.db.transaction((tx) =>
          returnEnvelopes(tx, [
            {
              campaignId: world.campaignId,
              envelopes: [0, 1, 2].map(() => [0, world.couponOfferId] as const),
            },
          ]),
        );
        await expectLedgerWhole();
        const [stockBefore, budgetBefore, balanceBefore] = [
          await stock(),
          await budgetBalance(),
          await walletBalance(wallet.walletId),
        ];
        expect(stockBefore).toBeGreaterThanOrEqual(2);
        // couponsPerWalletPerDay 2: two fallback coupons, then the cap.
        const coupons: ClaimReply[] = [];
        for (let i = 0; i < 2; i += 1) coupons.push(await claimFrom(wallet.token));
        for (const coupon of coupons) {
          expect(coupon).toMatchObject({
            status: 'credited',
            code: null,
            amountFen: 0,
            couponOfferId: world.couponOfferId,
            campaignId: world.campaignId,
          });
          expect(coupon.couponTitle).toEqual(expect.any(String));
        }
        const capped = await claimFrom(wallet.token);
        expect(capped).toMatchObject({
          status: 'rejected',
          code: ErrorCode.CAP_CAMPAIGN_WALLET,
          amountFen: 0,
        });
        // Each coupon took one from the stock no deck holds; no cash moved.
        expect(await stock()).toBe(stockBefore - 2);
        expect(await budgetBalance()).toBe(budgetBefore);
        expect(await walletBalance(wallet.walletId)).toBe(balanceBefore);
        await expectLedgerWhole();
        const mine = await json<{ items: { couponOfferId?: number; code?: string }[] }>(
          await cloud.request('GET', '/v1/wallets/me/coupons', { token: wallet.token }),
        );
        expect(mine.items).toHaveLength(2);
        const history = await json<{
          items: { id: number; couponOfferId: number | null; couponTitle: string | null }[];
        }>(await cloud.request('GET', '/v1/wallets/me/history', { token: wallet.token }));
        expect(history.items.find((item) => item.id === coupons[0]?.claimId)).toMatchObject({
          couponOfferId: world.couponOfferId,
          couponTitle: coupons[0]?.couponTitle,
        });
      },
    );

    it.skipIf(!available)('gives no fallback coupon when the stock no deck holds is empty', async () => {
      screen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Empty Stock Tower');
      const wallet = await walletSession(cloud);
      for (let i = 0; i < 2; i += 1) await claimFrom(wallet.token);
      // Every pooled coupon envelope is in a deck (as if screens held them all).
      const [deck] = await queryRows<{ id: unknown }>(
        cloud.deps.db,
        sql`select id from decks where campaign_id = ${world.campaignId} order by id limit 1`,
      );
      const moved = await queryRows<{ position: unknown }>(
        cloud.deps.db,
        sql`update campaign_envelopes set deck_id = ${int(deck?.id)}
          where campaign_id = ${world.campaignId} and coupon_offer_id = ${world.couponOfferId} and deck_id is null
          returning position`,
      );
      // The allotments of decks dealt to the screens enrolled so far may have taken some or all of it.
      const [pooled] = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n from campaign_envelopes
          where campaign_id = ${world.campaignId} and coupon_offer_id = ${world.couponOfferId} and deck_id is null`,
      );
      expect(int(pooled?.n)).toBe(0);
      try {
        const refused = await claimFrom(wallet.token);
        expect(refused).toMatchObject({
          status: 'rejected',
          code: ErrorCode.CAP_CAMPAIGN_WALLET,
          couponOfferId: null,
        });
        const [issued] = await queryRows<{ n: unknown }>(
          cloud.deps.db,
          sql`select count(*) as n from coupons where wallet_id = ${wallet.walletId}`,
        );
        expect(int(issued?.n)).toBe(0);
      } finally {
        await cloud.deps.db.execute(
          sql`update campaign_envelopes set deck_id = null
            where position in (select jsonb_array_elements_text(${JSON.stringify(moved.map((row) => int(row.position)))}::jsonb)::bigint)`,
        );
      }
    });
  },
);
