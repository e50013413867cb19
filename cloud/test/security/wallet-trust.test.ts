// Trust in wallets and the money routes, on PGlite and PostgreSQL: revoking a cloned phone binds its
// key and ends its sessions, a won coupon's code only reaches the owning wallet, parallel fundings never
// overfill a budget, nobody can lock a wallet out of login by taking its challenges, and parallel
// withdrawals with one idempotency key move the money once and all get the first answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ErrorCode, toHex } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { getLedgerAccount } from '../../src/ledger/accounts.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { defaultMoneySettings } from '../../src/money-settings.ts';
import { requestWithdrawal } from '../../src/services/wallet-money.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { createTestCloud, json, signedWalletLogin, walletSession, type TestCloud } from '../harness.ts';
import {
  buildWorld,
  makeTap,
  nextTransferId,
  oneCreative,
  tiersPlan,
  type Kiosk,
  type World,
} from '../money-world.ts';

const engines = await testEngines();

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } }).error?.code;
}

async function balanceOf(cloud: TestCloud, walletId: number): Promise<number> {
  const [row] = await queryRows<{ id: unknown }>(
    cloud.deps.db,
    sql`select ledger_account_id as id from wallets where id = ${walletId}`,
  );
  return (await getLedgerAccount(cloud.deps.db, int(row?.id)))?.balanceFen ?? -1;
}

describe.each(engines)('wallet trust on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  let kiosk: Kiosk;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine, 8);
    cloud = createTestCloud(handle, {
      money: { ...defaultMoneySettings, withdrawalMinFen: 1 },
    });
    world = await buildWorld(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
      cashPerWalletPerDay: 5,
      couponStock: 20,
    });
    kiosk = world.kiosks[0] as Kiosk;
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  /** A wallet session with some cash from one tap. */
  async function fundedWallet() {
    const session = await walletSession(cloud);
    const phone = { walletId: session.walletId, serial: 1, key: session.phone };
    const tap = makeTap(kiosk, phone, cloud.clock.nowMs);
    const redeemed = await json<{ status: string }>(
      await cloud.request('POST', '/v1/redeem', { token: session.token, body: { token: toHex(tap) } }),
    );
    expect(redeemed.status).toBe('credited');
    const balanceFen = await balanceOf(cloud, session.walletId);
    expect(balanceFen).toBeGreaterThan(0);
    return { ...session, balanceFen };
  }

  it.skipIf(!available)(
    'binds a revoked phone: no new credential, no login, old sessions end and nothing is withdrawn',
    async () => {
      const victim = await fundedWallet();
      // A login signed before the revocation, to try after it.
      const preSigned = await signedWalletLogin(cloud, victim.walletId, victim.phone);
      const revoked = await cloud.request('POST', `/v1/wallets/${victim.walletId}/credentials/1/revoke`, {
        token: world.operator,
      });
      expect(revoked.status).toBe(200);
      expect(await json(revoked)).toMatchObject({
        walletId: victim.walletId,
        serial: 1,
        credentialsRevoked: 1,
      });

      // The cloned phone holds the same key: it cannot get a fresh serial…
      const again = await cloud.request('POST', '/v1/wallets', {
        body: { publicKey: toHex(victim.phone.publicKeyRaw) },
      });
      expect([again.status, errorCode(await json(again))]).toEqual([403, ErrorCode.WALLET_REVOKED]);
      // …nor log in, with a fresh challenge or one signed before…
      const challenge = await cloud.request('GET', `/v1/wallets/${victim.walletId}/login-challenge`);
      expect([challenge.status, errorCode(await json(challenge))]).toEqual([403, ErrorCode.WALLET_REVOKED]);
      const login = await cloud.request('POST', `/v1/wallets/${victim.walletId}/login`, { body: preSigned });
      expect([login.status, errorCode(await json(login))]).toEqual([403, ErrorCode.WALLET_REVOKED]);
      // …and the session issued before the revocation is over: no withdrawal, no reading.
      const withdrawal = await cloud.request('POST', '/v1/wallets/me/withdrawals', {
        token: victim.token,
        body: { amountFen: victim.balanceFen, idempotencyKey: 'after-revoke-1' },
      });
      expect([withdrawal.status, errorCode(await json(withdrawal))]).toEqual([
        401,
        ErrorCode.SESSION_REVOKED,
      ]);
      const me = await cloud.request('GET', '/v1/wallets/me', { token: victim.token });
      expect(me.status).toBe(401);
      // Under the wallet's lock too, whatever the session layer let through.
      await expect(
        requestWithdrawal(cloud.deps.db, {
          walletId: victim.walletId,
          amountFen: 1,
          idempotencyKey: 'service-after-revoke',
          now: cloud.deps.now(),
          settings: cloud.deps.settings.money,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.WALLET_REVOKED });
      // Its taps are refused from now on; its balance stays where it was, for the operator to see.
      const tap = makeTap(
        kiosk,
        { walletId: victim.walletId, serial: 1, key: victim.phone },
        cloud.clock.nowMs,
      );
      expect(
        await json(await cloud.request('POST', '/v1/redeem', { body: { token: toHex(tap) } })),
      ).toMatchObject({ status: 'rejected', code: ErrorCode.CREDENTIAL_REVOKED });
      expect(await balanceOf(cloud, victim.walletId)).toBe(victim.balanceFen);
      // Other wallets are untouched.
      const other = await walletSession(cloud);
      expect((await cloud.request('GET', '/v1/wallets/me', { token: other.token })).status).toBe(200);
    },
  );

  it.skipIf(!available)('gives a won coupon code only to the owning wallet’s session', async () => {
    const owner = await walletSession(cloud);
    const stranger = await walletSession(cloud);
    // The kiosk's fallback coupons come from its deck's allotment (docs/protocol.md §3.4), slot by slot.
    const deck = kiosk.decks[0];
    let slot = (deck?.envelopes.length ?? 0) - (deck?.fallbackCount ?? 0);
    const couponTap = (session: typeof owner) =>
      makeTap(kiosk, { walletId: session.walletId, serial: 1, key: session.phone }, cloud.clock.nowMs, {
        envelopeIndex: slot++,
        flags: 2,
      });
    const redeem = async (tap: Uint8Array, token?: string) =>
      json<{ status: string; couponCode?: string }>(
        await cloud.request('POST', '/v1/redeem', { token, body: { token: toHex(tap) } }),
      );
    // Whoever submits the receipt first learns that it won, not the code.
    const anonymous = await redeem(couponTap(owner));
    expect(anonymous.status).toBe('credited');
    expect(anonymous).not.toHaveProperty('couponCode');
    const byStranger = await redeem(couponTap(owner), stranger.token);
    expect(byStranger.status).toBe('credited');
    expect(byStranger).not.toHaveProperty('couponCode');
    const byOwner = await redeem(couponTap(stranger), stranger.token);
    expect(byOwner.couponCode).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]$/);
    // The owner finds both codes in its own coupons.
    const coupons = await json<{ items: { code: string }[] }>(
      await cloud.request('GET', '/v1/wallets/me/coupons', { token: owner.token }),
    );
    expect(coupons.items).toHaveLength(2);
    for (const item of coupons.items)
      expect(item.code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]$/);
  });

  it.skipIf(!available)('never overfills a budget with 20 parallel fundings', async () => {
    const nowS = Math.floor(cloud.clock.nowMs / 1000);
    const budgetFen = 1_000;
    const created = await cloud.request('POST', '/v1/campaigns', {
      token: world.advertiser.token,
      body: {
        name: 'Parallel funding',
        sponsor: 'Tea Co',
        startsAt: nowS - 3600,
        endsAt: nowS + 30 * 86_400,
        targeting: { cities: ['Shanghai'], buildings: [], screenGroupIds: [] },
        budgetFen,
        prizePlan: tiersPlan(budgetFen),
        couponOffers: [],
        rules: { cashPerWalletPerDay: 5, couponsPerWalletPerDay: 2, fallbackCouponOfferIndex: null },
        creatives: await oneCreative(cloud, world.advertiser.token),
      },
    });
    expect(created.status).toBe(201);
    const campaign = await json<{ id: number }>(created);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        cloud.request('POST', `/v1/campaigns/${campaign.id}/funding`, {
          token: world.advertiser.token,
          body: { amountFen: 300, transferId: nextTransferId() },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    for (const response of responses.filter((r) => r.status !== 200))
      expect(errorCode(await json(response))).toBe(ErrorCode.MONEY_INVALID);
    const view = await json<{ budgetBalanceFen: number }>(
      await cloud.request('GET', `/v1/campaigns/${campaign.id}`, { token: world.advertiser.token }),
    );
    expect(view.budgetBalanceFen).toBe(900);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });

  it.skipIf(!available)('cannot be locked out of login by someone taking its challenges', async () => {
    const session = await walletSession(cloud);
    // Anyone may ask for challenges for any wallet id; none of them is a scarce per-wallet resource.
    for (let i = 0; i < 20; i++) {
      expect((await cloud.request('GET', `/v1/wallets/${session.walletId}/login-challenge`)).status).toBe(
        200,
      );
    }
    const signed = await signedWalletLogin(cloud, session.walletId, session.phone);
    const login = (walletId: number, body: { nonce: string; signature: string }) =>
      cloud.request('POST', `/v1/wallets/${walletId}/login`, { body });
    expect((await login(session.walletId, signed)).status).toBe(200);
    // Still single use, bound to its wallet, unforgeable and short-lived.
    const replay = await login(session.walletId, signed);
    expect([replay.status, errorCode(await json(replay))]).toEqual([401, ErrorCode.LOGIN_CHALLENGE_INVALID]);
    const other = await walletSession(cloud);
    const foreign = await signedWalletLogin(cloud, session.walletId, other.phone);
    expect((await login(other.walletId, foreign)).status).toBe(401);
    const fresh = await signedWalletLogin(cloud, session.walletId, session.phone);
    const forged = { ...fresh, nonce: `ff${fresh.nonce.slice(2)}` };
    expect((await login(session.walletId, forged)).status).toBe(401);
    const late = await signedWalletLogin(cloud, session.walletId, session.phone);
    cloud.clock.nowMs += 61_000;
    try {
      expect((await login(session.walletId, late)).status).toBe(401);
    } finally {
      cloud.clock.nowMs -= 61_000;
    }
  });

  it.skipIf(!available)(
    'answers 50 parallel withdrawals with one key with the first 201 and moves the money once',
    async () => {
      const wallet = await fundedWallet();
      const linked = await cloud.request('PUT', '/v1/wallets/me/payout-account', {
        token: wallet.token,
        body: { kind: 'alipay', account: '13800138000', holderName: '李雷' },
      });
      expect(linked.status).toBe(200);
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          cloud.request('POST', '/v1/wallets/me/withdrawals', {
            token: wallet.token,
            body: { amountFen: wallet.balanceFen, idempotencyKey: 'parallel-key-1' },
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 50 }, () => 201));
      const bodies = await Promise.all(responses.map((response) => response.text()));
      expect(new Set(bodies).size).toBe(1);
      expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
      expect(await balanceOf(cloud, wallet.walletId)).toBe(0);
      const listed = await json<{ items: unknown[] }>(
        await cloud.request('GET', '/v1/wallets/me/withdrawals', { token: wallet.token }),
      );
      expect(listed.items).toHaveLength(1);
      expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
    },
  );
});
