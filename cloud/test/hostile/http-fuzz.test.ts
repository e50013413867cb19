// Property-based requests against EVERY route of the OpenAPI document, as every role: valid-shaped
// bodies and parameters generated from the document's own schemas, and garbage (wrong types, unknown
// fields, broken JSON, odd methods and paths, oversized bodies). Every answer below 500, every 4xx in the
// one error shape with a known code, and the ledger whole afterwards, with money moved only by requests
// that succeeded on a money route. REDTAP_HTTP_FUZZ_RUNS sets the runs per route (default 80).
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@redtap/shared';
import { CouponErrorCode } from '../../src/coupons/coupon-errors.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { openTestDatabase } from '../databases.ts';
import { createTestCloud, json, walletSession, advertiserSession, type TestCloud } from '../harness.ts';
import { buildWorld, tiersPlan, type World } from '../money-world.ts';
import { ledgerChanges, ledgerSnapshot } from './ledger-snapshot.ts';

const RUNS_PER_ROUTE = Number(process.env.REDTAP_HTTP_FUZZ_RUNS ?? 80);
const GARBAGE_PATH_RUNS = 300;
const knownCodes = new Set<string>([...errorCodes, ...Object.values(CouponErrorCode)]);
/** Routes whose success may legitimately move money; any other route must leave the ledger alone. */
const MONEY_ROUTES = [
  /^POST \/v1\/advertisers\/\{id\}\/funding$/,
  /^POST \/v1\/campaigns\/\{id\}\/(funding|transitions|decks)$/,
  /^POST \/v1\/wallets\/me\/withdrawals$/,
  /^POST \/v1\/(holds\/\{id\}\/(release|refuse)|settlements|settlements\/\{id\}\/results|decks\/settle-expired|redeem)$/,
  /^POST \/v1\/till\/coupons\/\{code\}\/redeem$/,
];

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  parameters: { in: string; name: string; schema?: Schema; required?: boolean }[];
  body: Schema | null;
}

interface FuzzRequest {
  method: string;
  path: string;
  caller: string;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };
}

function resolve(schema: Schema | undefined, components: Record<string, Schema>): Schema {
  const ref = schema?.$ref;
  if (typeof ref === 'string')
    return resolve(components[ref.replace('#/components/schemas/', '')], components);
  return schema ?? {};
}

const garbageValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.constant(''),
  fc.constant(-1),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.constant(2 ** 64),
  fc.constant('9'.repeat(400)),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

/** Values that match a pattern but mean nothing: days that do not exist, counts beyond every column. */
const IMPOSSIBLE_TEXT = [
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '0000-00-00',
  '9999-12-31',
  '9'.repeat(5_000),
  'a'.repeat(5_000),
  'A'.repeat(5_000),
  'f'.repeat(5_000),
];
const IMPOSSIBLE_NUMBERS = [2 ** 31, 2 ** 32, 2 ** 53 + 10, -(2 ** 63), 2 ** 64, 1e21, -1, -(2 ** 31) - 1];

/** Impossible values for one schema: pattern-valid nonsense, and numbers just and far out of range. */
function impossibleFor(schema: Schema, components: Record<string, Schema>): unknown[] {
  const s = resolve(schema, components);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  if (type === 'string') {
    const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern) : null;
    const overlong = typeof s.maxLength === 'number' ? ['x'.repeat(s.maxLength + 1)] : [];
    return [...IMPOSSIBLE_TEXT.filter((text) => pattern === null || pattern.test(text)), ...overlong];
  }
  if (type === 'integer' || type === 'number') {
    const edges = [s.minimum, s.maximum].filter((edge): edge is number => typeof edge === 'number');
    return [...IMPOSSIBLE_NUMBERS, ...edges.flatMap((edge) => [edge - 1, edge + 1])];
  }
  return [];
}

/** A value shaped by a JSON schema (OpenAPI 3.1 subset), sometimes bent out of shape. */
function valueFor(
  schema: Schema | undefined,
  components: Record<string, Schema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  if (depth > 4) return garbageValue;
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((alt) => valueFor(alt, components, depth + 1)));
  if (Array.isArray(s.enum) && s.enum.length > 0)
    return fc.oneof(fc.constantFrom(...(s.enum as unknown[])), garbageValue);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'object': {
        const properties = (s.properties ?? {}) as Record<string, Schema>;
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties))
          record[name] = valueFor(property, components, depth + 1);
        return fc
          .tuple(fc.record(record, { requiredKeys: (s.required ?? []) as string[] }), fc.boolean())
          .map(([value, extra]) => (extra ? { ...value, unexpected: 'field' } : value));
      }
      case 'array':
        return fc.array(valueFor(s.items as Schema | undefined, components, depth + 1), { maxLength: 3 });
      case 'integer': {
        const min = typeof s.minimum === 'number' ? s.minimum : -1_000;
        const max = typeof s.maximum === 'number' ? Math.min(s.maximum, Number.MAX_SAFE_INTEGER) : 1_000_000;
        return fc.oneof(
          fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }),
          fc.constantFrom(min, max, 1, 2, 3),
        );
      }
      case 'number':
        return fc.double({ noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'string': {
        const maxLength = typeof s.maxLength === 'number' ? Math.min(s.maxLength, 200) : 60;
        return fc.oneof(
          fc.string({ maxLength }),
          fc.stringMatching(/^[0-9a-f]{0,140}$/),
          fc.constantFrom('a@b.co', '2026-01-01', 'Shanghai', 'ABCDEFGH', '04'.padEnd(130, 'a')),
          ...(typeof s.pattern === 'string' ? [fc.stringMatching(new RegExp(s.pattern))] : []),
        );
      }
      default:
        return fc.anything({ maxDepth: 2 });
    }
  })();
  const impossible = impossibleFor(s, components);
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 1, arbitrary: garbageValue },
    ...(impossible.length === 0 ? [] : [{ weight: 1, arbitrary: fc.constantFrom(...impossible) }]),
  );
}

function parameterValue(
  schema: Schema | undefined,
  components: Record<string, Schema>,
): fc.Arbitrary<string> {
  const s = resolve(schema, components);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  const shaped =
    type === 'integer'
      ? fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: -5, max: 2 ** 53 + 10 })).map(String)
      : Array.isArray(s.enum)
        ? fc.constantFrom(...(s.enum as unknown[]).map(String))
        : fc.oneof(
            fc.string({ maxLength: 20 }),
            fc.stringMatching(/^[0-9a-f]{64}$/),
            fc.constant('ABCD-EFGH-JKMN'),
            ...(typeof s.pattern === 'string' ? [fc.stringMatching(new RegExp(s.pattern))] : []),
          );
  const impossible = impossibleFor(s, components).map(String);
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'abc', '-1', '1e309', '9007199254740993', '%00', '..%2F..', 'null'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    ...(impossible.length === 0 ? [] : [{ weight: 2, arbitrary: fc.constantFrom(...impossible) }]),
  );
}

function requestFor(
  op: Operation,
  components: Record<string, Schema>,
  callers: string[],
): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc
    .tuple(
      fc.tuple(...pathParams.map((p) => parameterValue(p.schema, components))),
      fc.tuple(
        ...queryParams.map((p) => fc.option(parameterValue(p.schema, components), { nil: undefined })),
      ),
    )
    .map(([values, query]) => {
      let filled = op.path;
      pathParams.forEach(
        (p, i) => (filled = filled.replace(`{${p.name}}`, encodeURIComponent(values[i] ?? ''))),
      );
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const value = query[i];
        if (value !== undefined) search.set(p.name, value);
      });
      const text = search.toString();
      return text === '' ? filled : `${filled}?${text}`;
    });
  const body = fc.oneof(
    {
      weight: op.body === null ? 1 : 6,
      arbitrary:
        op.body === null
          ? fc.constant({ kind: 'none' as const })
          : valueFor(op.body, components).map((value) => ({ kind: 'json' as const, value })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc
        .json({ maxDepth: 2 })
        .map((text) => ({ kind: 'raw' as const, text, type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 60 })
        .map((text) => ({ kind: 'raw' as const, text: `{${text}`, type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 60 })
        .map((text) => ({ kind: 'raw' as const, text, type: 'text/plain' })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'raw' as const,
        text: `{"a":"${'x'.repeat(70_000)}"}`,
        type: 'application/json',
      }),
    },
  );
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constant(op.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  );
  return fc.record({ method, path, caller: fc.constantFrom(...callers), body });
}

describe('HTTP fuzz over the OpenAPI document', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  const tokens = new Map<string, string | undefined>();

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle);
    world = await buildWorld(cloud, { cities: ['Shanghai'], plan: tiersPlan(5_000), budgetFen: 5_000 });
    const other = await advertiserSession(cloud, world.operator);
    const merchant = await json<{ id: number }>(
      await cloud.request('POST', '/v1/merchants', {
        token: world.advertiser.token,
        body: { name: 'Fuzz merchant' },
      }),
    );
    const store = await json<{ id: number }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token: world.advertiser.token,
        body: { name: 'Fuzz store', city: 'Shanghai', address: '1 Road' },
      }),
    );
    const till = await json<{ key: string }>(
      await cloud.request('POST', `/v1/stores/${store.id}/till-keys`, {
        token: world.advertiser.token,
        body: {},
      }),
    );
    tokens.set('anonymous', undefined);
    tokens.set('operator', world.operator);
    tokens.set('advertiserA', world.advertiser.token);
    tokens.set('advertiserB', other.token);
    tokens.set('wallet', (await walletSession(cloud)).token);
    tokens.set('till', till.key);
    tokens.set('forged', `${world.operator.slice(0, -4)}AAAA`);
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  // Regression: @hono/zod-openapi skipped validation of a JSON body sent without Content-Type and ran the
  // handler on `{}` (POST /v1/advertisers and /v1/screens answered 500); fixed in http/router.ts.
  it('refuses a JSON route called without Content-Type with VALIDATION_FAILED, not a 500', async () => {
    for (const path of ['/v1/advertisers', '/v1/screens', '/v1/campaigns', '/v1/redeem', '/v1/enrol']) {
      const response = await cloud.app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.operator}` },
      });
      expect([
        path,
        response.status,
        ((await response.json()) as { error: { code: string } }).error.code,
      ]).toEqual([path, 400, 'VALIDATION_FAILED']);
    }
  });

  // Regression: GET /v1/reports?from=2024-02-30 matched the day pattern and answered 500 from the
  // database's date cast. Every parameter of every route, as the operator and a tenant, with each
  // pattern-valid impossible value and each number past its column.
  it('answers pattern-valid but impossible parameters below 500, in the error shape', async () => {
    const document = await json<{
      paths: Record<string, Record<string, { parameters?: Operation['parameters'] }>>;
      components?: { schemas?: Record<string, Schema> };
    }>(await cloud.request('GET', '/openapi.json'));
    const components = document.components?.schemas ?? {};
    let sent = 0;
    const failures: string[] = [];
    for (const [template, methods] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(methods)) {
        const parameters = op.parameters ?? [];
        const fill = (name: string, value: string) => {
          let path = template;
          for (const p of parameters.filter((p) => p.in === 'path'))
            path = path.replace(`{${p.name}}`, encodeURIComponent(p.name === name ? value : '1'));
          const query = parameters.some((p) => p.in === 'query' && p.name === name)
            ? `?${new URLSearchParams({ [name]: value }).toString()}`
            : '';
          return `${path}${query}`;
        };
        for (const parameter of parameters)
          for (const value of impossibleFor(parameter.schema ?? {}, components))
            for (const caller of ['operator', 'advertiserA']) {
              const token = tokens.get(caller);
              const response = await cloud.app.request(fill(parameter.name, String(value)), {
                method: method.toUpperCase(),
                headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
              });
              const label = `${method.toUpperCase()} ${template} ${parameter.name}=${String(value).slice(0, 20)} as ${caller} → ${response.status}`;
              if (response.status >= 500) failures.push(label);
              else if (response.status >= 400) {
                const reply = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
                if (typeof reply.error?.message !== 'string' || !knownCodes.has(String(reply.error.code)))
                  failures.push(`${label} ${JSON.stringify(reply)}`);
              } else await response.arrayBuffer();
              sent += 1;
            }
      }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    const reports = await cloud.app.request('/v1/reports?from=2024-02-30', {
      headers: { authorization: `Bearer ${world.operator}` },
    });
    expect([reports.status, ((await reports.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
  }, 300_000);

  it(`answers every route in the error shape, never 5xx, ${RUNS_PER_ROUTE} runs per route per property`, async () => {
    const document = await json<{
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Operation['parameters'];
            requestBody?: { content?: Record<string, { schema?: Schema }> };
          }
        >
      >;
      components?: { schemas?: Record<string, Schema> };
    }>(await cloud.request('GET', '/openapi.json'));
    const components = document.components?.schemas ?? {};
    const operations: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      })),
    );
    const callers = [...tokens.keys()];
    const before = await ledgerSnapshot(cloud.deps.db);
    const statuses = new Map<number, number>();
    const perRoute = new Map<string, number>();
    let moneyRouteSuccesses = 0;
    let requests = 0;
    const startedMs = Date.now();

    const send = async (request: FuzzRequest, route: string): Promise<void> => {
      const headers: Record<string, string> = {};
      const token = tokens.get(request.caller);
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (request.body.kind === 'json') {
        headers['content-type'] = 'application/json';
        // JSON.stringify(undefined) is undefined at run time, whatever its type says.
        body = request.body.value === undefined ? 'null' : JSON.stringify(request.body.value);
      } else if (request.body.kind === 'raw') {
        headers['content-type'] = request.body.type;
        body = request.body.text;
      }
      const init: RequestInit = { method: request.method, headers };
      if (body !== undefined && !['GET', 'HEAD'].includes(request.method)) init.body = body;
      const response = await cloud.app.request(request.path, init);
      // Signing out, disabling a user or resetting a password ends the callers' sessions: reopen them,
      // so every later route is still tried as a signed-in caller.
      if (route === 'POST /v1/auth/logout' || route.startsWith('POST /v1/users/')) {
        await cloud.deps.db.execute(sql`update user_sessions set ended_at = null`);
        await cloud.deps.db.execute(sql`update users set disabled_at = null`);
      }
      requests += 1;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
      const label = `${request.method} ${request.path} as ${request.caller} → ${response.status}`;
      expect(response.status, label).toBeLessThan(500);
      if (response.status >= 400) {
        expect(response.headers.get('content-type') ?? '', label).toContain('application/json');
        const reply = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
        expect(typeof reply.error?.message, label).toBe('string');
        expect(knownCodes, `${label} code ${String(reply.error?.code)}`).toContain(reply.error?.code);
      } else {
        await response.arrayBuffer();
        if (request.method === route.split(' ')[0] && MONEY_ROUTES.some((pattern) => pattern.test(route)))
          moneyRouteSuccesses += 1;
      }
    };

    for (const op of operations) {
      const route = `${op.method} ${op.path}`;
      await fc.assert(
        fc.asyncProperty(requestFor(op, components, callers), (request) => send(request, route)),
        { numRuns: RUNS_PER_ROUTE, seed: hashSeed(route), endOnFailure: true },
      );
    }
    // Paths nobody documented, including traversal and encoding tricks.
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
          path: fc.oneof(
            fc.webPath().map((p) => `/v1${p}`),
            fc.constantFrom(
              '/v1/../openapi.json',
              '/v1/%2e%2e/',
              '/v1/screens/1/../../ledger/check',
              '/v1//screens',
              '/v1/screens/%00',
            ),
          ),
          caller: fc.constantFrom(...callers),
          body: fc.constant({ kind: 'none' as const }),
        }),
        (request) => send(request, 'undocumented'),
      ),
      { numRuns: GARBAGE_PATH_RUNS, seed: 0x0bad },
    );

    const check = await checkLedger(cloud.deps.db);
    expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0 });
    const changed = ledgerChanges(before, await ledgerSnapshot(cloud.deps.db));
    if (moneyRouteSuccesses === 0) expect(changed.size).toBe(0);
    expect(perRoute.size).toBe(operations.length + 1);
    console.log(
      `[http-fuzz] ${requests} requests over ${operations.length} routes (+ undocumented paths) in ` +
        `${Date.now() - startedMs} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `${moneyRouteSuccesses} successes on money routes, ${changed.size} ledger accounts changed, ledger ok`,
    );
  }, 600_000);
});

/** A stable seed per route, so a failure reproduces. */
function hashSeed(text: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16_777_619);
  return hash >>> 0;
}
