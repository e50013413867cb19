// Wallet users: register a phone key for a credential, log in by signing a server nonce with it.
import { z } from '@hono/zod-openapi';
import { decodeTicketText, fromHex, ticketFromUrl } from '@redtap/shared';
import { DomainError } from '../../errors.ts';
import { claimPrize, type AcceptSunRead } from '../../services/claims.ts';
import { identifySunRead } from '../../services/sticker-reads.ts';
import { acceptSunRead } from '../../services/tags.ts';
import { clientIp } from '../client-ip.ts';
import { deviceIdOf } from '../device-cookie.ts';
import { issueSession } from '../../auth/sessions.ts';
import {
  createLoginChallenge,
  getWalletSummary,
  loginWallet,
  registerWallet,
  revokeWalletCredential,
} from '../../services/wallets.ts';
import { markAllScreenConfigsStale } from '../../services/config-dispatcher.ts';
import type { AppDeps } from '../context.ts';
import { QueuedConfigs } from './screen-configs.ts';
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

const ClaimReply = z
  .strictObject({
    claimId: z.number().int(),
    status: z.enum(['credited', 'rejected', 'held', 'released', 'refused']).openapi({
      description:
        'held: a multi-account signal holds the cash for review (released: paid after it; refused: not paid)',
    }),
    code: z
      .string()
      .nullable()
      .openapi({ description: 'The refusal reason (cap, path, pool) when rejected; the signal when held' }),
    amountFen: z.number().int(),
    couponOfferId: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The campaign's fallback coupon, won past its cash cap (no cash)" }),
    couponTitle: z.string().nullable(),
    path: z.enum(['qr', 'reader_tag', 'sticker']),
    screenId: z.number().int(),
    ticketSeq: z.number().int().nullable(),
    campaignId: z.number().int().nullable(),
    brand: z
      .string()
      .nullable()
      .openapi({ description: "The paying campaign's sponsor, else its advertiser" }),
    claimedAt: z.string(),
    replayed: z
      .boolean()
      .openapi({ description: "This wallet's earlier claim of the same ticket, answered again" }),
  })
  .openapi('ClaimResult');

/** The ticket's 94 bytes from its base64url text or its whole claim URL (form only). */
function ticketBytes(text: string): Uint8Array {
  const trimmed = text.trim();
  const decoded = /^https?:/i.test(trimmed)
    ? ticketFromUrl(trimmed)
    : (() => {
        const bytes = decodeTicketText(trimmed);
        return bytes.ok ? { ok: true as const, value: { bytes: bytes.value } } : bytes;
      })();
  if (!decoded.ok) throw new DomainError(decoded.code, decoded.message);
  return decoded.value.bytes;
}

export function walletRoutes(deps: AppDeps) {
  const app = createRouter();
  const sessionKeys = { secret: deps.secrets.jwtSecret, ttlS: deps.settings.sessionTtlS, now: deps.now };
  const limited = rateLimit(deps.settings.loginRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );
  app.on('POST', '/v1/wallets', limited);
  app.use('/v1/wallets/:id/login-challenge', limited);
  app.use('/v1/wallets/:id/login', limited);
  const claimLimited = rateLimit(deps.settings.redeemRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );

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

  // The tag registry verifies a sticker read under its batch's key and advances the tag's counter.
  const acceptSticker: AcceptSunRead =
    deps.acceptSunRead ??
    ((db, read) => acceptSunRead(db, read, { kek: deps.secrets.issuerKek, now: deps.now() }));
  app.on('POST', '/v1/wallet/claims', claimLimited);
  app.openapi(
    defineRoute(['wallet'], {
      method: 'post',
      path: '/v1/wallet/claims',
      tags: ['wallets'],
      summary:
        "Claim the prize of a screen's claim ticket (its QR or reader tag, docs/protocol.md §3.8) or of a bezel sticker read, decided online in claim order (§7a). First claim wins; the same wallet asking again gets its first result",
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.union([
                z.strictObject({
                  ticket: z
                    .string()
                    .min(1)
                    .max(2048)
                    .openapi({ description: 'The ticket as base64url, or the whole claim URL' }),
                }),
                z.strictObject({
                  sun: z
                    .strictObject({
                      batch: z.string().min(1).max(20),
                      picc: z.string().min(1).max(64),
                      cmac: z.string().min(1).max(64),
                    })
                    .openapi({ description: "A sticker URL's b, p and c parameters" }),
                }),
              ]),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The claim and its result',
          content: { 'application/json': { schema: ClaimReply } },
        },
        ...errorResponses(400, 401, 403, 409, 410, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const request =
        'ticket' in body
          ? { kind: 'ticket' as const, bytes: ticketBytes(body.ticket) }
          : { kind: 'sun' as const, ...body.sun };
      // Where the claim came from, for the multi-account signals (services/account-signals.ts): the address
      // as rate limiting reads it, and the device cookie passkey sign-in set (read only: a client without a
      // cookie jar, such as the wallet app, counts no device rather than a new one per claim).
      const address = clientIp(c, deps.settings.trustProxy);
      const result = await claimPrize(
        {
          db: deps.db,
          settings: deps.settings.money,
          now: deps.now,
          acceptSunRead: acceptSticker,
          identifySunRead: (db, read) => identifySunRead(db, read, deps.secrets.issuerKek),
        },
        walletIdOf(c),
        request,
        { clientIp: address === 'unknown' ? null : address, deviceId: deviceIdOf(c) },
      );
      // The screen hears of it after commit, through the outbox (services/claim-notices.ts).
      if (!result.replayed) deps.claimNotices?.poke();
      return c.json(result, 200);
    },
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
                revocationNumber: z.number().int().openapi({
                  description:
                    'a screen current to this revocation number holds the revocation: ask GET /v1/screen-configs/progress?generation=&revocation= for how many confirmed it',
                }),
                queued: QueuedConfigs,
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
      // The revocation and the staleness of every screen's config commit together; the config
      // dispatcher publishes them after, so this request costs the same for 10 screens or 10^6.
      const { revoked, queued } = await deps.db.transaction(async (tx) => ({
        revoked: await revokeWalletCredential(tx, { walletId: id, serial, now }),
        queued: await markAllScreenConfigsStale(tx),
      }));
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'wallet.revoked',
        subject: `wallet:${id}`,
        detail: { serial, credentialsRevoked: revoked.credentialsRevoked },
      });
      return c.json({ ...revoked, queued }, 200);
    },
  );
  return app;
}
