// Security of logins, enrolment codes and tenants beyond src/http/app.test.ts and
// test/screens-wallets.test.ts: brute force of enrolment codes (the limit engages and even the right
// code waits it out), a used code never works twice, wallet-login and advertiser-login limits, and
// advertiser B locked out of A's campaigns, reports, funding and merchants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, generateKeyPair, toHex } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { openTestDatabase } from '../databases.ts';
import {
  advertiserSession,
  createTestCloud,
  enrolBody,
  json,
  operatorToken,
  type TestCloud,
} from '../harness.ts';
import { buildWorld, nextTransferId, tiersPlan, type World } from '../money-world.ts';
import { ledgerChanges, ledgerSnapshot } from '../hostile/ledger-snapshot.ts';

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } }).error?.code;
}

describe('logins, enrolment codes and tenants', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle);
    world = await buildWorld(cloud, { cities: ['Shanghai'], plan: tiersPlan(2_000), budgetFen: 2_000 });
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  it('stops an enrolment-code brute force, and a used code never works twice', async () => {
    const limited = createTestCloud(handle, { enrolRateLimit: { limit: 5, windowMs: 60_000 } });
    const operator = await operatorToken(limited);
    const screen = await json<{ id: number }>(
      await limited.request('POST', '/v1/screens', {
        token: operator,
        body: { name: 'Brute', city: 'Shanghai', building: 'T', elevator: 'E1' },
      }),
    );
    const { code } = await json<{ code: string }>(
      await limited.request('POST', `/v1/screens/${screen.id}/enrolment-codes`, { token: operator }),
    );
    const guesses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const guess = Array.from(
        { length: 8 },
        (_, k) => CODE_ALPHABET[(i * 7 + k * 13) % CODE_ALPHABET.length],
      ).join('');
      if (guess === code) continue;
      const response = await limited.request('POST', '/v1/enrol', {
        body: enrolBody(guess, generateKeyPair()),
      });
      guesses.push(response.status);
    }
    expect(guesses.slice(0, 5).every((status) => status === 400)).toBe(true);
    expect(guesses.slice(5).every((status) => status === 429)).toBe(true);
    // While limited, even the right code is refused: guessing buys nothing.
    const kiosk = generateKeyPair();
    const blocked = await limited.request('POST', '/v1/enrol', { body: enrolBody(code, kiosk) });
    expect([blocked.status, errorCode(await json(blocked))]).toEqual([429, ErrorCode.RATE_LIMITED]);
    // The code itself survived the brute force: its owner enrols (from another cloud process, which has
    // its own limiter), and then the used code is dead for any key, including the one that used it.
    const enrolled = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, kiosk) });
    expect(enrolled.status).toBe(201);
    for (const key of [kiosk, generateKeyPair()]) {
      const again = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, key) });
      expect([again.status, errorCode(await json(again))]).toEqual([409, ErrorCode.ENROLMENT_CODE_USED]);
    }
    limited.clock.nowMs += 60_000;
    const reused = await limited.request('POST', '/v1/enrol', { body: enrolBody(code, generateKeyPair()) });
    expect([reused.status, errorCode(await json(reused))]).toEqual([409, ErrorCode.ENROLMENT_CODE_USED]);
  });

  it('rate-limits wallet logins and advertiser password logins', async () => {
    const limited = createTestCloud(handle, { loginRateLimit: { limit: 4, windowMs: 60_000 } });
    const phone = generateKeyPair();
    const registered = await json<{ walletId: number }>(
      await limited.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await limited.request('POST', `/v1/wallets/${registered.walletId}/login`, {
        body: { nonce: '00'.repeat(32), signature: '11'.repeat(64) },
      });
      statuses.push(response.status);
    }
    // One request went to registration; three wrong logins are refused on their merits; then the limit.
    expect(statuses.slice(0, 3).every((status) => status >= 400 && status < 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const challenge = await limited.request('GET', `/v1/wallets/${registered.walletId}/login-challenge`);
    expect([challenge.status, errorCode(await json(challenge))]).toEqual([429, ErrorCode.RATE_LIMITED]);

    const advertiserLimited = createTestCloud(handle, { loginRateLimit: { limit: 3, windowMs: 60_000 } });
    const { advertiser } = world;
    const me = await json<{ email?: string }>(
      await cloud.request('GET', '/v1/auth/me', { token: advertiser.token }),
    );
    const logins: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await advertiserLimited.request('POST', '/v1/auth/login', {
        body: { email: me.email ?? 'missing@example.com', password: `wrong-password-${i}` },
      });
      logins.push(response.status);
    }
    expect(logins).toEqual([401, 401, 401, 429, 429]);
    // The right password is refused too while the limit holds.
    const right = await advertiserLimited.request('POST', '/v1/auth/login', {
      body: { email: me.email ?? 'missing@example.com', password: 'advertiser-password' },
    });
    expect(right.status).toBe(429);
  });

  it("keeps advertiser B out of A's campaigns, reports, funding and merchants", async () => {
    const b = await advertiserSession(cloud, world.operator);
    const asB = { token: b.token };
    const id = world.campaignId;
    const before = await ledgerSnapshot(cloud.deps.db);
    expect((await cloud.request('GET', `/v1/campaigns/${id}`, asB)).status).toBe(404);
    const listed = await json<{ items: { id: number }[] }>(await cloud.request('GET', '/v1/campaigns', asB));
    expect(listed.items.map((item) => item.id)).not.toContain(id);
    for (const transition of ['pause', 'end', 'submit', 'activate']) {
      const response = await cloud.request('POST', `/v1/campaigns/${id}/transitions`, {
        ...asB,
        body: { transition },
      });
      expect([transition, response.status]).toEqual([transition, 404]);
    }
    const funding = await cloud.request('POST', `/v1/campaigns/${id}/funding`, {
      ...asB,
      body: { amountFen: 100, transferId: nextTransferId() },
    });
    expect(funding.status).toBe(404);
    expect(
      (
        await cloud.request('POST', `/v1/advertisers/${world.advertiser.advertiserId}/funding`, {
          ...asB,
          body: { amountFen: 100, transferId: nextTransferId() },
        })
      ).status,
    ).toBe(403);
    // Reports: naming A's campaign finds nothing, and B's own report holds none of A's taps.
    const report = await cloud.request('GET', `/v1/reports?by=day&campaignId=${id}`, asB);
    if (report.status === 200) {
      const rows = await json<{ rows?: unknown[]; items?: unknown[] }>(report);
      expect([...(rows.rows ?? []), ...(rows.items ?? [])]).toEqual([]);
    } else {
      expect(report.status).toBe(404);
    }
    const coupons = await cloud.request('GET', `/v1/reports/coupons?by=campaign&campaignId=${id}`, asB);
    if (coupons.status === 200) {
      const rows = await json<{ rows?: unknown[]; items?: unknown[] }>(coupons);
      expect([...(rows.rows ?? []), ...(rows.items ?? [])]).toEqual([]);
    } else {
      expect([400, 404]).toContain(coupons.status);
    }
    // Merchants and stores: B cannot add a store to A's merchant or list A's stores.
    const merchant = await json<{ id: number }>(
      await cloud.request('POST', '/v1/merchants', {
        token: world.advertiser.token,
        body: { name: 'A merchant' },
      }),
    );
    const store = await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
      ...asB,
      body: { name: 'B store', city: 'Shanghai', address: '2 Road' },
    });
    expect(store.status).toBe(404);
    const stores = await json<{ items?: unknown[] }>(
      await cloud.request('GET', `/v1/stores?merchantId=${merchant.id}`, asB),
    );
    expect(stores.items ?? []).toEqual([]);
    // Nothing B tried moved money, and A's campaign is untouched.
    expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).size).toBe(0);
    const campaign = await json<{ status: string }>(
      await cloud.request('GET', `/v1/campaigns/${id}`, { token: world.advertiser.token }),
    );
    expect(campaign.status).toBe('active');
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });
});
