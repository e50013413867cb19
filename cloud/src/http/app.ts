// The cloud's HTTP app: cross-cutting middleware (request log, metrics, body limit, session), every
// feature router, the OpenAPI document at /openapi.json with a reference at /docs, /healthz and /metrics.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { ErrorCode } from '@redtap/shared';
import { readSession } from '../auth/sessions.ts';
import { DomainError } from '../errors.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { mountApiReference } from './api-reference.ts';
import { mountConsole } from './console-assets.ts';
import { errorBody, statusForCode } from './errors.ts';
import { httpMetrics } from './metrics.ts';
import { rateLimit } from './rate-limits.ts';
import type { Policy } from './policy.ts';
import { advertiserRoutes } from './routes/advertisers.ts';
import { authRoutes } from './routes/auth.ts';
import { enrolmentRoutes } from './routes/enrolment.ts';
import { issuerKeyRoutes } from './routes/issuer-keys.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { screenGroupRoutes } from './routes/screen-groups.ts';
import { screenConfigRoutes } from './routes/screen-configs.ts';
import { screenRevocationRoutes } from './routes/screen-revocations.ts';
import { screenStatusRoutes } from './routes/screen-status.ts';
import { screenRoutes } from './routes/screens.ts';
import { bulkScreenRoutes } from './routes/bulk-screens.ts';
import { SCREEN_IMPORT_BYTES_MAX } from '../services/bulk-screens.ts';
import { targetingOptionRoutes } from './routes/targeting-options.ts';
import { walletPasskeyRoutes } from './routes/wallet-passkeys.ts';
import { walletRoutes } from './routes/wallets.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { moneyRoutes } from './routes/money.ts';
import { payoutRoutes } from './routes/payouts.ts';
import { merchantRoutes } from './routes/merchants.ts';
import { tillRoutes } from './routes/till.ts';
import { authenticateTillKey, TILL_KEY_PREFIX } from '../services/merchants.ts';
import { CONTENT_BYTES_MAX } from '../services/content.ts';
import { walletSessionCurrent } from '../services/wallets.ts';
import { userSessionCurrent } from '../services/user-sessions.ts';
import { assertCookieRequestSameOrigin, cookieCredential } from './cookies.ts';
import { userRoutes } from './routes/users.ts';
import { tagRoutes } from './routes/tags.ts';

/** Routes outside the OpenAPI document, with their policies (checked by the role-matrix test). */
export const systemRoutes: { method: string; path: string; policy: Policy }[] = [
  { method: 'GET', path: '/healthz', policy: 'public' },
  // Operators, or Prometheus with REDTAP_METRICS_TOKEN as its bearer token (checked in the handler).
  { method: 'GET', path: '/metrics', policy: ['operator'] },
  { method: 'GET', path: '/openapi.json', policy: 'public' },
  { method: 'GET', path: '/docs', policy: 'public' },
  { method: 'GET', path: '/docs/assets/{file}', policy: 'public' },
  // The web console (a single-page app; every screen it shows calls the API with its own session).
  { method: 'GET', path: '/*', policy: 'public' },
];

const BEARER = /^Bearer ([A-Za-z0-9._-]{1,4096})$/;
const BEARER_TOKEN = /^[A-Za-z0-9._-]{1,4096}$/;
// Room for `screen-{id}:` and a NATS screen's bearer JWT (about 1,050 characters) as its password.
const BASIC = /^Basic ([A-Za-z0-9+/=]{1,2048})$/;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const sessionKeys = { secret: deps.secrets.jwtSecret, ttlS: deps.settings.sessionTtlS, now: deps.now };

  // On every response, errors included: nosniff keeps a browser from running an uploaded creative or a
  // CSV as HTML or script. Creatives are fetched by kiosks from other origins, so resources stay
  // cross-origin readable; HSTS belongs to the TLS proxy in front. Headers a route sets itself (the
  // console's stricter framing rule) are kept.
  app.use(
    secureHeaders({ crossOriginResourcePolicy: false, strictTransportSecurity: false, overwrite: false }),
  );

  // Request log in pino-http's shape: one line per request with id, method, url, status and time. It is an
  // access log, at debug: an open console polls several routes every second, and at info those lines
  // buried everything else. A 5xx is an event that matters and logs as an error.
  app.use(async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('replyCheck', deps.replyCheck ?? null);
    const startMs = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    const level = c.res.status >= 500 ? 'error' : 'debug';
    deps.logger[level](
      {
        req: { id: requestId, method: c.req.method, url: c.req.path },
        res: { statusCode: c.res.status },
        responseTime: Math.round(performance.now() - startMs),
      },
      'request completed',
    );
  });
  app.use(httpMetrics(deps.metrics));
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) => c.json(errorBody(ErrorCode.BODY_TOO_LARGE, `request body exceeds ${limit} bytes`), 413),
    });
  const defaultLimit = tooLarge(deps.settings.bodyLimitBytes);
  // Creative uploads are the one place for large bodies; everything else stays small.
  const contentLimit = tooLarge(CONTENT_BYTES_MAX);
  // And screen CSV imports, up to 100,000 rows.
  const importLimit = tooLarge(SCREEN_IMPORT_BYTES_MAX);
  app.use((c, next) =>
    c.req.method === 'POST' && c.req.path === '/v1/content'
      ? contentLimit(c, next)
      : c.req.method === 'POST' && c.req.path === '/v1/screens/import'
        ? importLimit(c, next)
        : defaultLimit(c, next),
  );
  // A screen calls the cloud over HTTP with its broker login as Basic (docs/protocol.md §5.8), checked
  // by the broker's own authenticator; it is no principal, and only `screen` routes accept it.
  // A login costs a slow hash, so logins are counted per address before it is computed.
  const screenLoginLimited = rateLimit(deps.settings.screenLoginRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );
  app.use(async (c, next) => {
    const basic = BASIC.exec(c.req.header('authorization') ?? '')?.[1];
    if (basic === undefined) {
      c.set('screenId', null);
      await next();
      return;
    }
    await screenLoginLimited(c, async () => {
      const login = Buffer.from(basic, 'base64').toString('utf8');
      const colon = login.indexOf(':');
      const screenId =
        colon <= 0 ? null : await deps.screenAuth.authenticate(login.slice(0, colon), login.slice(colon + 1));
      if (screenId === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'the screen login was refused');
      c.set('screenId', screenId);
      await next();
    });
  });
  app.use(async (c, next) => {
    const bearer = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    // Browsers carry the credential in an HttpOnly cookie instead (cookies.ts); API clients as a bearer.
    const cookie = bearer === undefined ? cookieCredential(c) : undefined;
    const token = bearer ?? (cookie !== undefined && BEARER_TOKEN.test(cookie) ? cookie : undefined);
    // A till key is not a session: it is looked up (hashed) on every request, so revocation is immediate.
    let principal =
      token === undefined
        ? null
        : token.startsWith(TILL_KEY_PREFIX)
          ? await authenticateTillKey(deps.db, token, deps.now())
          : await readSession(token, sessionKeys);
    // A console session must still be open on the server: sign-out, a disabled user or a password reset
    // ends it for every copy of the token. A stale cookie is no sign-in at all (the login page must load).
    if (
      (principal?.role === 'operator' || principal?.role === 'advertiser') &&
      !(await userSessionCurrent(deps.db, principal, deps.now()))
    ) {
      if (cookie !== undefined) principal = null;
      else throw new DomainError(ErrorCode.SESSION_REVOKED, 'this session has ended; sign in again');
    }
    if (cookie !== undefined && principal !== null) assertCookieRequestSameOrigin(c);
    // A wallet session ends when its wallet is revoked (the epoch moves on): checked on every request.
    if (principal?.role === 'wallet' && !(await walletSessionCurrent(deps.db, principal)))
      throw new DomainError(
        ErrorCode.SESSION_REVOKED,
        'this wallet session has ended; the wallet is revoked',
      );
    c.set('principal', principal);
    await next();
  });

  app.onError((error, c) => {
    if (error instanceof DomainError)
      return c.json(
        errorBody(error.code, error.message, { params: error.params, fields: error.fields }),
        statusForCode(error.code),
      );
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody(ErrorCode.VALIDATION_FAILED, error.message), 400);
    }
    deps.logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return c.json(errorBody(ErrorCode.INTERNAL, 'internal error'), 500);
  });
  app.notFound((c) =>
    c.json(errorBody(ErrorCode.NOT_FOUND, `no route for ${c.req.method} ${c.req.path}`), 404),
  );

  app.route('/', authRoutes(deps));
  app.route('/', advertiserRoutes(deps));
  app.route('/', walletRoutes(deps));
  app.route('/', walletPasskeyRoutes(deps));
  app.route('/', screenRoutes(deps));
  app.route('/', bulkScreenRoutes(deps));
  app.route('/', screenConfigRoutes(deps));
  app.route('/', screenRevocationRoutes(deps));
  app.route('/', screenStatusRoutes(deps));
  app.route('/', screenGroupRoutes(deps));
  app.route('/', targetingOptionRoutes(deps));
  app.route('/', enrolmentRoutes(deps));
  app.route('/', issuerKeyRoutes(deps));
  app.route('/', ledgerRoutes(deps));
  app.route('/', campaignRoutes(deps));
  app.route('/', moneyRoutes(deps));
  app.route('/', payoutRoutes(deps));
  app.route('/', merchantRoutes(deps));
  app.route('/', tillRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', tagRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'screenLogin', {
    type: 'http',
    scheme: 'basic',
    description: "A screen's broker login (`screen-{id}` and its password from enrolment)",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'tillKey', {
    type: 'http',
    scheme: 'bearer',
    description: "A store's till key (`rttk_…`), issued by its brand; it can only use the /v1/till routes",
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'RedTap cloud API',
      version: '1',
      description: 'Errors are always `{ "error": { "code", "message" } }` with a stable code.',
    },
  });
  mountApiReference(app);
  app.get('/healthz', async (c) => {
    await deps.db.execute(sql`select 1`);
    return c.json({ ok: true }, 200);
  });
  app.get('/metrics', async (c) => {
    const principal = c.get('principal');
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    const scraper = token !== undefined && metricsTokenMatches(token, deps.settings.metricsToken);
    if (!scraper && principal === null)
      return c.json(
        errorBody(ErrorCode.UNAUTHENTICATED, 'sign in as an operator or send the metrics token'),
        401,
      );
    if (!scraper && principal?.role !== 'operator')
      return c.json(errorBody(ErrorCode.FORBIDDEN, 'metrics are for operators'), 403);
    c.header('Content-Type', deps.metrics.contentType);
    return c.body(await deps.metrics.metrics(), 200);
  });
  // Last, so the API and system routes above always win over the console's fallback.
  mountConsole(app);
  return app;
}

/** Constant-time comparison, so the token cannot be guessed a byte at a time from response times. */
function metricsTokenMatches(token: string, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  const given = Buffer.from(token);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
