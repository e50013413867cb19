// Wallet users: register a phone key for a credential, log in by signing a server nonce with it.
import { z } from '@hono/zod-openapi';
import { fromHex } from '@redtap/shared';
import { issueSession } from '../../auth/sessions.ts';
import {
  createLoginChallenge,
  getWalletSummary,
  loginWallet,
  registerWallet,
  revokeWalletCredential,
} from '../../services/wallets.ts';
import { publishAllScreenConfigs } from '../../services/screen-config.ts';
import { networkRulesOf } from '../../money-settings.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf, walletIdOf } from '../policy.ts';
import { rateLimit } from '../rate-limits.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import { Id, IdParam, PublicKeyHex, Session, SignatureHex } from '../schemas.ts';

const Credential = z
  .strictObject({
    walletId: z.number().int(),
    credentialSerial: z.number().int(),
    expiresAt: z.number().int().openapi({ description: 'Unix seconds' }),
    issuerKeyId: z.number().int(),
    credential: z
      .string()
      .openapi({ description: 'The 147-byte wallet credential (docs/protocol.md §3.1), hex' }),
  })
  .openapi('WalletCredential');

export function walletRoutes(deps: AppDeps) {
  const app = createRouter();
  const sessionKeys = { secret: deps.secrets.jwtSecret, ttlS: deps.settings.sessionTtlS, now: deps.now };
  const limited = rateLimit(deps.settings.loginRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );
  app.on('POST', '/v1/wallets', limited);
  app.use('/v1/wallets/:id/login-challenge', limited);
  app.use('/v1/wallets/:id/login', limited);

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets',
      tags: ['wallets'],
      summary: "Register a phone's P-256 key and receive a signed wallet credential",
      request: {
        body: { content: { 'application/json': { schema: z.object({ publicKey: PublicKeyHex }) } } },
      },
      responses: {
        201: { description: 'Credential', content: { 'application/json': { schema: Credential } } },
        ...errorResponses(400, 403, 429),
      },
    }),
    async (c) => {
      const publicKeyRaw = fromHex(c.req.valid('json').publicKey) ?? new Uint8Array();
      const issued = await registerWallet(deps.db, {
        publicKeyRaw,
        kek: deps.secrets.issuerKek,
        now: deps.now(),
        credentialTtlS: deps.settings.credentialTtlS,
      });
      return c.json(issued, 201);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'get',
      path: '/v1/wallets/{id}/login-challenge',
      tags: ['wallets'],
      summary:
        'A single-use 32-byte nonce to sign with label `login` (valid 60 s; stateless, so any number may be outstanding)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Nonce',
          content: {
            'application/json': { schema: z.strictObject({ nonce: z.string(), expiresAt: z.string() }) },
          },
        },
        ...errorResponses(403, 404, 429),
      },
    }),
    async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(
        await createLoginChallenge(deps.db, {
          walletId: c.req.valid('param').id,
          secret: deps.secrets.jwtSecret,
          now: deps.now(),
        }),
        200,
      );
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets/{id}/login',
      tags: ['wallets'],
      summary: 'Exchange a signed login nonce for a wallet session',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({ nonce: z.string().regex(/^[0-9a-fA-F]{64}$/), signature: SignatureHex }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Session', content: { 'application/json': { schema: Session } } },
        ...errorResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const principal = await loginWallet(deps.db, {
        walletId: c.req.valid('param').id,
        ...body,
        secret: deps.secrets.jwtSecret,
        now: deps.now(),
      });
      return c.json(await issueSession(principal, sessionKeys), 200);
    },
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me',
      tags: ['wallets'],
      summary: "The signed-in wallet's balance",
      responses: {
        200: {
          description: 'Wallet',
          content: {
            'application/json': {
              schema: z.strictObject({
                walletId: z.number().int(),
                balanceFen: z.number().int(),
                credentialSerial: z.number().int(),
                createdAt: z.string(),
              }),
            },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await getWalletSummary(deps.db, walletIdOf(c)), 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/wallets/{id}/credentials/{serial}/revoke',
      tags: ['wallets'],
      summary:
        'Revoke a lost or cloned phone: all its credentials, its key (no new credential, no login) and its sessions; every screen gets the new revocation list',
      request: {
        params: z.object({
          id: Id.openapi({ param: { name: 'id', in: 'path' } }),
          // A u32 on the wire, but serials are stored in an int column: anything larger names no
          // credential, and would fail the query's cast (a 500) rather than answer 404.
          serial: z.coerce
            .number()
            .int()
            .min(1)
            .max(2 ** 31 - 1)
            .openapi({ param: { name: 'serial', in: 'path' } }),
        }),
      },
      responses: {
        200: {
          description: 'Revoked',
          content: {
            'application/json': {
              schema: z.strictObject({
                walletId: z.number().int(),
                serial: z.number().int(),
                revokedAt: z.string(),
                credentialsRevoked: z.number().int(),
                screensUpdated: z.number().int(),
              }),
            },
          },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, serial } = c.req.valid('param');
      const now = deps.now();
      const revoked = await revokeWalletCredential(deps.db, { walletId: id, serial, now });
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'wallet.revoked',
        subject: `wallet:${id}`,
        detail: { serial, credentialsRevoked: revoked.credentialsRevoked },
      });
      const screensUpdated = await publishAllScreenConfigs(
        deps.db,
        deps.broker,
        now,
        networkRulesOf(deps.settings.money),
      );
      return c.json({ ...revoked, screensUpdated }, 200);
    },
  );
  return app;
}
