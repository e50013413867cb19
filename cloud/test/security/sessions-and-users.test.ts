// Console sessions live on the server and operators manage users, on PGlite and PostgreSQL: sign-out
// ends a session for every copy of its token (bearer or cookie), a cookie cannot be used cross-site,
// disabling a user or resetting their password stops their sessions and till keys at once, and every
// such action lands in the append-only audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import {
  createTestCloud,
  json,
  operatorToken,
  signedWalletLogin,
  uniqueEmail,
  walletSession,
  type TestCloud,
} from '../harness.ts';

const engines = await testEngines();
const PASSWORD = 'advertiser-password';

async function errorOf(response: Response): Promise<[number, string | undefined]> {
  const body = await json<{ error?: { code?: string } }>(response);
  return [response.status, body.error?.code];
}

describe.each(engines)('sessions, users and the audit log on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator = '';

  const login = async (email: string, password = PASSWORD) =>
    cloud.request('POST', '/v1/auth/login', { body: { email, password } });
  const tokenOf = async (email: string, password = PASSWORD) =>
    (await json<{ token: string }>(await login(email, password))).token;
  /** An advertiser with its first user; returns the user's email and id. */
  const newAdvertiser = async (): Promise<{ email: string; userId: number; advertiserId: number }> => {
    const email = uniqueEmail('brand');
    const created = await json<{ id: number }>(
      await cloud.request('POST', '/v1/advertisers', {
        token: operator,
        body: { name: `Brand ${email}`, email, password: PASSWORD },
      }),
    );
    const me = await json<{ userId: number }>(
      await cloud.request('GET', '/v1/auth/me', { token: await tokenOf(email) }),
    );
    return { email, userId: me.userId, advertiserId: created.id };
  };
  const auditActions = async (subject: string) => {
    const page = await json<{ items: { action: string; subject: string | null }[] }>(
      await cloud.request('GET', '/v1/audit?limit=100', { token: operator }),
    );
    return page.items.filter((item) => item.subject === subject).map((item) => item.action);
  };

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  }, 120_000);

  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('ends a signed-out session for a copied bearer token', async () => {
    const { email } = await newAdvertiser();
    const token = await tokenOf(email);
    const copy = token;
    expect((await cloud.request('GET', '/v1/auth/me', { token })).status).toBe(200);
    const out = await cloud.request('POST', '/v1/auth/logout', { token });
    expect(await json(out)).toEqual({ ended: true });
    expect(await errorOf(await cloud.request('GET', '/v1/auth/me', { token: copy }))).toEqual([
      401,
      ErrorCode.SESSION_REVOKED,
    ]);
    expect((await cloud.request('GET', '/v1/campaigns', { token: copy })).status).toBe(401);
    // Another session of the same user is untouched.
    expect((await cloud.request('GET', '/v1/auth/me', { token: await tokenOf(email) })).status).toBe(200);
  });

  it.skipIf(!available)(
    'ends every session of a wallet that signs out, until its phone signs in again',
    async () => {
      const { token, walletId, phone } = await walletSession(cloud);
      const second = await json<{ token: string }>(
        await cloud.request('POST', `/v1/wallets/${walletId}/login`, {
          body: await signedWalletLogin(cloud, walletId, phone),
        }),
      );
      expect((await cloud.request('GET', '/v1/wallets/me', { token })).status).toBe(200);
      const out = await cloud.request('POST', '/v1/auth/logout', { token });
      expect(await json(out)).toEqual({ ended: true });
      for (const copy of [token, second.token])
        expect((await cloud.request('GET', '/v1/wallets/me', { token: copy })).status).toBe(401);
      // The phone's key still signs it in; the new session works.
      const again = await json<{ token: string }>(
        await cloud.request('POST', `/v1/wallets/${walletId}/login`, {
          body: await signedWalletLogin(cloud, walletId, phone),
        }),
      );
      expect((await cloud.request('GET', '/v1/wallets/me', { token: again.token })).status).toBe(200);
    },
  );

  it.skipIf(!available)(
    'keeps the browser session in an HttpOnly, SameSite cookie and refuses it cross-site',
    async () => {
      const { email } = await newAdvertiser();
      const signedIn = await login(email);
      const setCookie = signedIn.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^redtap_session=/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      const cookie = setCookie.split(';')[0] ?? '';
      const asBrowser = async (method: string, path: string, site: string) =>
        cloud.app.request(path, { method, headers: { cookie, 'sec-fetch-site': site } });
      expect((await asBrowser('GET', '/v1/auth/me', 'same-origin')).status).toBe(200);
      expect(await errorOf(await asBrowser('POST', '/v1/auth/logout', 'cross-site'))).toEqual([
        403,
        ErrorCode.FORBIDDEN,
      ]);
      const out = await asBrowser('POST', '/v1/auth/logout', 'same-origin');
      expect(await json(out)).toEqual({ ended: true });
      expect(out.headers.get('set-cookie')).toMatch(/redtap_session=;.*Max-Age=0/i);
      // The cookie's value, copied before sign-out, is worth nothing now: as a cookie or as a bearer.
      expect((await asBrowser('GET', '/v1/auth/me', 'same-origin')).status).toBe(401);
      const copied = cookie.slice('redtap_session='.length);
      expect((await cloud.request('GET', '/v1/auth/me', { token: copied })).status).toBe(401);
      // A sign-in posted from another site is refused (login CSRF).
      const crossSite = await cloud.app.request('/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(await errorOf(crossSite)).toEqual([403, ErrorCode.FORBIDDEN]);
    },
  );

  it.skipIf(!available)('stops a disabled user’s sessions and till keys at once', async () => {
    const { email, userId } = await newAdvertiser();
    const token = await tokenOf(email);
    const merchant = await json<{ id: number }>(
      await cloud.request('POST', '/v1/merchants', { token, body: { name: 'Disabled Mart' } }),
    );
    const store = await json<{ id: number }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token,
        body: { name: 'Disabled Mart 1', city: 'Shanghai', address: '1 Road' },
      }),
    );
    const issued = await cloud.request('POST', `/v1/stores/${store.id}/till-keys`, { token, body: {} });
    expect(issued.status).toBe(201);
    const tillKey = (await json<{ key: string }>(issued)).key;
    expect((await cloud.request('GET', '/v1/till/store', { token: tillKey })).status).toBe(200);

    // Disabled in the database directly: the session cannot mint a till key any more.
    await cloud.deps.db.execute(sql`update users set disabled_at = now() where id = ${userId}`);
    const minted = await cloud.request('POST', `/v1/stores/${store.id}/till-keys`, { token, body: {} });
    expect(await errorOf(minted)).toEqual([401, ErrorCode.SESSION_REVOKED]);
    expect((await cloud.request('GET', '/v1/till/store', { token: tillKey })).status).toBe(401);
    expect((await login(email)).status).toBe(401);

    // Enabled and disabled again by an operator, through the API.
    const enabled = await cloud.request('POST', `/v1/users/${userId}/enable`, { token: operator });
    expect((await json<{ disabledAt: string | null }>(enabled)).disabledAt).toBeNull();
    expect((await cloud.request('GET', '/v1/till/store', { token: tillKey })).status).toBe(200);
    const fresh = await tokenOf(email);
    const disabled = await cloud.request('POST', `/v1/users/${userId}/disable`, { token: operator });
    expect((await json<{ disabledAt: string | null }>(disabled)).disabledAt).not.toBeNull();
    expect(await errorOf(await cloud.request('GET', '/v1/auth/me', { token: fresh }))).toEqual([
      401,
      ErrorCode.SESSION_REVOKED,
    ]);
    expect((await cloud.request('GET', '/v1/till/store', { token: tillKey })).status).toBe(401);
    expect(await auditActions(`user:${userId}`)).toEqual(
      expect.arrayContaining(['user.disabled', 'user.enabled']),
    );
  });

  it.skipIf(!available)(
    'opens a till in a browser with its key in a cookie for the till routes only',
    async () => {
      const { email } = await newAdvertiser();
      const token = await tokenOf(email);
      const merchant = await json<{ id: number }>(
        await cloud.request('POST', '/v1/merchants', { token, body: { name: 'Cookie Mart' } }),
      );
      const store = await json<{ id: number }>(
        await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
          token,
          body: { name: 'Cookie Mart 1', city: 'Shanghai', address: '2 Road' },
        }),
      );
      const { key } = await json<{ key: string }>(
        await cloud.request('POST', `/v1/stores/${store.id}/till-keys`, { token, body: {} }),
      );
      const wrong = await cloud.request('POST', '/v1/till/session', {
        // Another last character, never the same one (a key ends in A one time in 64).
        body: { key: `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` },
      });
      expect((await errorOf(wrong))[0]).toBe(401);
      const opened = await cloud.request('POST', '/v1/till/session', { body: { key } });
      expect(opened.status).toBe(200);
      expect((await json<{ storeId: number }>(opened)).storeId).toBe(store.id);
      const setCookie = opened.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^redtap_till=rttk_/);
      expect(setCookie).toMatch(/Path=\/v1\/till/);
      expect(setCookie).toMatch(/HttpOnly/i);
      const cookie = setCookie.split(';')[0] ?? '';
      const asTill = await cloud.app.request('/v1/till/store', { headers: { cookie } });
      expect(asTill.status).toBe(200);
      // The till cookie is no session anywhere else.
      expect((await cloud.app.request('/v1/auth/me', { headers: { cookie } })).status).toBe(401);
      const closed = await cloud.app.request('/v1/till/session/end', {
        method: 'POST',
        headers: { cookie, 'sec-fetch-site': 'same-origin' },
      });
      expect(await json(closed)).toEqual({ closed: true });
      expect(closed.headers.get('set-cookie')).toMatch(/redtap_till=;.*Max-Age=0/i);
    },
  );

  it.skipIf(!available)('resets a password: the old one and every session end', async () => {
    const { email, userId } = await newAdvertiser();
    const token = await tokenOf(email);
    const reset = await cloud.request('POST', `/v1/users/${userId}/password`, {
      token: operator,
      body: { password: 'a-new-password-1' },
    });
    expect(reset.status).toBe(200);
    expect((await cloud.request('GET', '/v1/auth/me', { token })).status).toBe(401);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, 'a-new-password-1')).status).toBe(200);
    expect(await auditActions(`user:${userId}`)).toContain('user.password_reset');
  });

  it.skipIf(!available)('lists users in pages and creates users with a role', async () => {
    const { advertiserId } = await newAdvertiser();
    const email = uniqueEmail('second');
    const created = await cloud.request('POST', '/v1/users', {
      token: operator,
      body: { email, password: PASSWORD, role: 'advertiser', advertiserId },
    });
    expect(created.status).toBe(201);
    const user = await json<{ id: number; role: string; advertiserId: number }>(created);
    expect(user).toMatchObject({ role: 'advertiser', advertiserId });
    expect((await login(email)).status).toBe(200);
    const orphan = await cloud.request('POST', '/v1/users', {
      token: operator,
      body: { email: uniqueEmail('orphan'), password: PASSWORD, role: 'advertiser' },
    });
    expect(await errorOf(orphan)).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    const ops = await cloud.request('POST', '/v1/users', {
      token: operator,
      body: { email: uniqueEmail('ops'), password: PASSWORD, role: 'operator' },
    });
    expect(ops.status).toBe(201);

    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 100; pages++) {
      const page = await json<{ items: { id: number }[]; nextAfter: number | null }>(
        await cloud.request('GET', `/v1/users?limit=2&after=${after}`, { token: operator }),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(seen).toContain(user.id);
    expect(new Set(seen).size).toBe(seen.length);
    // An operator cannot lock themself out.
    const me = await json<{ userId: number }>(await cloud.request('GET', '/v1/auth/me', { token: operator }));
    expect(
      await errorOf(await cloud.request('POST', `/v1/users/${me.userId}/disable`, { token: operator })),
    ).toEqual([409, ErrorCode.CONFLICT]);
  });

  it.skipIf(!available)('records sign-in failures, key and money actions in an append-only log', async () => {
    const { email, advertiserId } = await newAdvertiser();
    expect((await login(email, 'wrong-password-1')).status).toBe(401);
    const funded = await cloud.request('POST', `/v1/advertisers/${advertiserId}/funding`, {
      token: operator,
      body: { amountFen: 10_000, transferId: 77_000 + advertiserId },
    });
    expect(funded.status).toBeLessThan(300);
    const page = await json<{
      items: {
        id: number;
        action: string;
        subject: string | null;
        actorEmail: string | null;
        detail: Record<string, unknown>;
      }[];
      nextBefore: number | null;
    }>(await cloud.request('GET', '/v1/audit?limit=100', { token: operator }));
    const failure = page.items.find(
      (item) => item.action === 'auth.sign_in_failed' && item.detail.email === email,
    );
    expect(failure).toBeDefined();
    expect(
      page.items.some(
        (item) => item.action === 'advertiser.funded' && item.subject === `advertiser:${advertiserId}`,
      ),
    ).toBe(true);
    expect(
      page.items.some(
        (item) => item.action === 'advertiser.created' && item.subject === `advertiser:${advertiserId}`,
      ),
    ).toBe(true);
    const ids = page.items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // Older pages by `before`.
    const older = await json<{ items: { id: number }[] }>(
      await cloud.request('GET', `/v1/audit?limit=2&before=${ids[0] ?? 0}`, { token: operator }),
    );
    expect(older.items.every((item) => item.id < (ids[0] ?? 0))).toBe(true);
    // Advertisers may not read it.
    expect((await cloud.request('GET', '/v1/audit', { token: await tokenOf(email) })).status).toBe(403);
    // The table itself refuses changes.
    await expect(cloud.deps.db.execute(sql`update audit_log set action = 'x'`)).rejects.toThrow();
    await expect(cloud.deps.db.execute(sql`delete from audit_log`)).rejects.toThrow();
  });
});
