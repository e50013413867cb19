// The role matrix: EVERY route (from the OpenAPI document, plus the system routes) against EVERY
// role. A route without a policy fails here. Also the cross-cutting HTTP conventions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import { openTestDatabase } from '../../test/databases.ts';
import {
  advertiserSession,
  createTestCloud,
  json,
  operatorToken,
  walletSession,
  type TestCloud,
} from '../../test/harness.ts';
import type { DatabaseHandle } from '../db/client.ts';
import { formatCouponCode, newCouponBody } from '../coupons/coupon-code.ts';
import { targetingOptions } from '../services/screens.ts';
import { systemRoutes } from './app.ts';
import { POLICY_EXTENSION } from './policy.ts';

type Caller = 'anonymous' | 'operator' | 'advertiserA' | 'advertiserB' | 'wallet' | 'till';
const callerRole = {
  anonymous: null,
  operator: 'operator',
  advertiserA: 'advertiser',
  advertiserB: 'advertiser',
  wallet: 'wallet',
  // A store's till key (advertiser A's store): it may call the till routes and nothing else.
  till: 'till',
} as const;

interface Operation {
  method: string;
  path: string;
  policy: string[] | undefined;
}

describe('HTTP app', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  const tokens: Partial<Record<Caller, string>> = {};
  let advertiserA = 0;

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle);
    tokens.operator = await operatorToken(cloud);
    const a = await advertiserSession(cloud, tokens.operator);
    const b = await advertiserSession(cloud, tokens.operator);
    tokens.advertiserA = a.token;
    tokens.advertiserB = b.token;
    advertiserA = a.advertiserId;
    tokens.wallet = (await walletSession(cloud)).token;
    const merchant = await json<{ id: number }>(
      await cloud.request('POST', '/v1/merchants', { token: a.token, body: { name: 'Matrix merchant' } }),
    );
    const store = await json<{ id: number }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token: a.token,
        body: { name: 'Matrix store', city: 'Shanghai', address: '1 Road' },
      }),
    );
    tokens.till = (
      await json<{ key: string }>(
        await cloud.request('POST', `/v1/stores/${store.id}/till-keys`, { token: a.token, body: {} }),
      )
    ).key;
  });
  afterAll(async () => {
    await handle.close();
  });

  async function documentedOperations(): Promise<Operation[]> {
    const document = await json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      await cloud.request('GET', '/openapi.json'),
    );
    return Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        policy: operation[POLICY_EXTENSION] as string[] | undefined,
      })),
    );
  }

  it('documents a policy for every route the app serves', async () => {
    const operations = await documentedOperations();
    for (const operation of operations)
      expect(operation.policy, `${operation.method} ${operation.path}`).toBeDefined();
    const known = new Set([
      ...operations.map((op) => `${op.method} ${op.path}`),
      ...systemRoutes.map((route) => `${route.method} ${route.path}`),
    ]);
    const served = cloud.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(20);
    for (const route of served) expect(known, `${route} has no policy`).toContain(route);
  });

  it('enforces each route policy for every role', async () => {
    const operations = await documentedOperations();
    const all: Operation[] = [
      ...operations,
      ...systemRoutes.map((route) => ({
        method: route.method,
        path: route.path,
        policy: typeof route.policy === 'string' ? [route.policy] : [...route.policy],
      })),
    ];
    // Signing out ends each caller's session: last, after every other route has been checked.
    all.sort((a, b) => Number(a.path === '/v1/auth/logout') - Number(b.path === '/v1/auth/logout'));
    let checked = 0;
    for (const operation of all) {
      const path = operation.path
        // Not the matrix's own till key: revoking it would turn the till caller into an anonymous one.
        .replace(/^\/v1\/till-keys\/\{id\}/, '/v1/till-keys/999999')
        // Nor the matrix's own wallet: revoking it would end the wallet caller's session.
        .replace(/^\/v1\/wallets\/\{id\}\/credentials/, '/v1/wallets/999999/credentials')
        // Nor a user of the matrix: disabling one or resetting their password would end their session.
        .replace(/^\/v1\/users\/\{id\}/, '/v1/users/999999')
        .replace(/\{id\}/g, String(advertiserA))
        .replace(/\{serial\}/g, '1')
        .replace(/\{sha256\}/g, 'a'.repeat(64))
        .replace(/\{code\}/g, formatCouponCode(newCouponBody()));
      for (const caller of Object.keys(callerRole) as Caller[]) {
        const role = callerRole[caller];
        const response = await cloud.request(operation.method, path, { token: tokens[caller] });
        const body = response.headers.get('content-type')?.includes('json') ? await json(response) : {};
        const code = (body as { error?: { code?: string } }).error?.code;
        const label = `${operation.method} ${operation.path} as ${caller} → ${response.status} ${code ?? ''}`;
        const allowed =
          operation.policy?.includes('public') === true ||
          (role !== null && operation.policy?.includes(role) === true);
        if (allowed) {
          expect([ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN], label).not.toContain(code);
        } else if (role === null) {
          expect([response.status, code], label).toEqual([401, ErrorCode.UNAUTHENTICATED]);
        } else {
          expect([response.status, code], label).toEqual([403, ErrorCode.FORBIDDEN]);
        }
        checked += 1;
      }
    }
    expect(checked).toBe(all.length * Object.keys(callerRole).length);
    // Reopen the sessions the last route (sign-out) ended, for the tests after this one.
    await cloud.deps.db.execute(sql`update user_sessions set ended_at = null`);
  });

  it('scopes advertisers to their own tenant', async () => {
    const asB = { token: tokens.advertiserB };
    expect((await cloud.request('GET', `/v1/advertisers/${advertiserA}`, asB)).status).toBe(404);
    expect((await cloud.request('GET', `/v1/advertisers/${advertiserA}/balance`, asB)).status).toBe(404);
    const listed = await json<{ items: { id: number }[] }>(
      await cloud.request('GET', '/v1/advertisers', asB),
    );
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]?.id).not.toBe(advertiserA);
    const own = await cloud.request('GET', `/v1/advertisers/${advertiserA}`, { token: tokens.advertiserA });
    expect(own.status).toBe(200);
    const all = await json<{ items: unknown[] }>(
      await cloud.request('GET', '/v1/advertisers', { token: tokens.operator }),
    );
    expect(all.items.length).toBeGreaterThanOrEqual(2);
  });

  it('shows advertisers the targeting options: aggregates over non-revoked screens only', async () => {
    const operator = { token: tokens.operator };
    const screen = async (name: string, city: string, building: string) =>
      (
        await json<{ id: number }>(
          await cloud.request('POST', '/v1/screens', {
            ...operator,
            body: { name, city, building, elevator: 'E1' },
          }),
        )
      ).id;
    const live = await screen('Lobby lift', 'Targetville', 'Tower T');
    const gone = await screen('Old lift', 'Revokedtown', 'Tower R');
    expect((await cloud.request('POST', `/v1/screens/${gone}/revoke`, operator)).status).toBe(200);
    const group = await json<{ id: number }>(
      await cloud.request('POST', '/v1/screen-groups', { ...operator, body: { name: 'Target towers' } }),
    );
    await cloud.request('PUT', `/v1/screen-groups/${group.id}/screens`, {
      ...operator,
      body: { screenIds: [live, gone] },
    });

    const response = await cloud.request('GET', '/v1/targeting-options', { token: tokens.advertiserA });
    expect(response.status).toBe(200);
    const options = await json<{
      cities: string[];
      buildings: { city: string; building: string }[];
      screenGroups: { id: number; name: string }[];
      citiesTruncated: boolean;
      buildingsTruncated: boolean;
      screenGroupsTruncated: boolean;
    }>(response);
    expect(options.cities).toContain('Targetville');
    expect(options.cities).not.toContain('Revokedtown');
    expect(options.buildings).toContainEqual({ city: 'Targetville', building: 'Tower T' });
    expect(options.buildings).not.toContainEqual({ city: 'Revokedtown', building: 'Tower R' });
    expect(options.screenGroups).toContainEqual({ id: group.id, name: 'Target towers' });
    expect([options.citiesTruncated, options.buildingsTruncated, options.screenGroupsTruncated]).toEqual([
      false,
      false,
      false,
    ]);
    // A list longer than the limit holds its first values, and says there are more.
    await screen('Second lift', 'Zedtown', 'Tower Z');
    const cut = await targetingOptions(cloud.deps.db, 1);
    expect([cut.cities.length, cut.citiesTruncated, cut.buildings.length, cut.buildingsTruncated]).toEqual([
      1,
      true,
      1,
      true,
    ]);
    expect(cut.screenGroups.length).toBeLessThanOrEqual(1);
    expect(Object.keys(options).sort()).toEqual([
      'buildings',
      'buildingsTruncated',
      'cities',
      'citiesTruncated',
      'screenGroups',
      'screenGroupsTruncated',
    ]);
    expect(JSON.stringify(options)).not.toContain('Lobby lift');
  });

  it('funds an advertiser idempotently through the ledger', async () => {
    const fund = (amountFen: number) =>
      cloud.request('POST', `/v1/advertisers/${advertiserA}/funding`, {
        token: tokens.operator,
        body: { amountFen, transferId: 900_001 },
      });
    expect(await json(await fund(50_000))).toEqual({ status: 'posted', balanceFen: 50_000 });
    expect(await json(await fund(50_000))).toEqual({ status: 'exists', balanceFen: 50_000 });
    const conflict = await fund(40_000);
    expect(conflict.status).toBe(409);
    expect((await json<{ error: { code: string } }>(conflict)).error.code).toBe(ErrorCode.TRANSFER_CONFLICT);
    const check = await json<{ ok: boolean }>(
      await cloud.request('GET', '/v1/ledger/check', { token: tokens.operator }),
    );
    expect(check.ok).toBe(true);
    const full = await json<{ ok: boolean; mode: string }>(
      await cloud.request('GET', '/v1/ledger/check?full=true', { token: tokens.operator }),
    );
    expect(full).toMatchObject({ ok: true, mode: 'full' });
    const bad = await cloud.request('GET', '/v1/ledger/check?full=yes', { token: tokens.operator });
    expect(bad.status).toBe(400);
  });

  it('answers validation failures, unknown routes and bad tokens in the one error shape', async () => {
    const invalid = await cloud.request('POST', '/v1/screens', {
      token: tokens.operator,
      body: { name: '' },
    });
    expect(invalid.status).toBe(400);
    expect((await json<{ error: { code: string; message: string } }>(invalid)).error.code).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
    const missing = await cloud.request('GET', '/v1/nothing');
    expect(await json(missing)).toEqual({
      error: { code: ErrorCode.NOT_FOUND, message: 'no route for GET /v1/nothing' },
    });
    const forged = await cloud.request('GET', '/v1/auth/me', { token: `${tokens.operator ?? ''}x` });
    expect(forged.status).toBe(401);
    const page = await cloud.request('GET', '/v1/screens?limit=1000', { token: tokens.operator });
    expect(page.status).toBe(400);
  });

  it('refuses bodies over the limit with BODY_TOO_LARGE', async () => {
    const response = await cloud.app.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(100_000) }),
    });
    expect(response.status).toBe(413);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe(ErrorCode.BODY_TOO_LARGE);
  });

  it('rate-limits login attempts with RATE_LIMITED', async () => {
    const limited = createTestCloud(handle, { loginRateLimit: { limit: 3, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await limited.request('POST', '/v1/auth/login', {
        body: { email: 'nobody@example.com', password: 'wrong' },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    limited.clock.nowMs += 60_000;
    expect(
      (await limited.request('POST', '/v1/auth/login', { body: { email: 'x@example.com', password: 'y' } }))
        .status,
    ).toBe(401);
  });

  it('rejects an expired session', async () => {
    expect((await cloud.request('GET', '/v1/auth/me', { token: tokens.operator })).status).toBe(200);
    cloud.clock.nowMs += 901_000;
    try {
      expect((await cloud.request('GET', '/v1/auth/me', { token: tokens.operator })).status).toBe(401);
    } finally {
      cloud.clock.nowMs -= 901_000;
    }
  });

  it('serves the OpenAPI document, the reference page, health and metrics', async () => {
    const document = await json<{ openapi: string; paths: Record<string, unknown> }>(
      await cloud.request('GET', '/openapi.json'),
    );
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/enrol');
    const docs = await cloud.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
    // The reference works offline: its scripts come from this server, not a CDN.
    const bundle = await cloud.request('GET', '/docs/assets/swagger-ui-bundle.js');
    expect([bundle.status, bundle.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await cloud.request('GET', '/docs/assets/..%2Fpackage.json')).status).toBe(404);
    expect(await json(await cloud.request('GET', '/healthz'))).toEqual({ ok: true });
    // Metrics are an operator's (or the scraper token's): they name routes, volumes and failures.
    expect((await cloud.request('GET', '/metrics')).status).toBe(401);
    const metrics = await (await cloud.request('GET', '/metrics', { token: tokens.operator })).text();
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('route="/v1/auth/login"');
  });
});
