// Issuer public keys (anyone may read them) and key rotation (operators).
import { z } from '@hono/zod-openapi';
import { IssuerKey } from '@redtap/shared';
import { activeIssuerKey, pinnedIssuerKeys, rotateIssuerKey } from '../../services/issuer-keys.ts';
import { markAllScreenConfigsStale } from '../../services/config-dispatcher.ts';
import type { AppDeps } from '../context.ts';
import { QueuedConfigs } from './screen-configs.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import { strictReply } from '../schemas.ts';

export function issuerKeyRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute('public', {
      method: 'get',
      path: '/v1/issuer-keys',
      tags: ['keys'],
      summary: 'Issuer public keys that currently verify (the active one has no retiredAt)',
      responses: {
        200: {
          description: 'Keys',
          content: {
            'application/json': { schema: z.strictObject({ keys: z.array(strictReply(IssuerKey)) }) },
          },
        },
      },
    }),
    async (c) => {
      await activeIssuerKey(deps.db, deps.secrets.issuerKek);
      return c.json({ keys: await pinnedIssuerKeys(deps.db, deps.now()) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/issuer-keys/rotate',
      tags: ['keys'],
      summary: 'Start signing with a new key; the old one verifies until its credentials expire',
      responses: {
        200: {
          description: 'The new active key',
          content: {
            'application/json': {
              schema: z.strictObject({
                keyId: z.number().int(),
                publicKey: z.string(),
                queued: QueuedConfigs,
              }),
            },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const now = deps.now();
      // The new key and the staleness of every screen's config commit together; the config dispatcher
      // publishes the configs that pin it.
      const { key, queued } = await deps.db.transaction(async (tx) => ({
        key: await rotateIssuerKey(tx, deps.secrets.issuerKek, {
          now,
          credentialTtlS: deps.settings.credentialTtlS,
        }),
        queued: await markAllScreenConfigsStale(tx),
      }));
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'issuer_key.rotated',
        subject: `issuer_key:${key.keyId}`,
      });
      return c.json(
        { keyId: key.keyId, publicKey: Buffer.from(key.publicKeyRaw).toString('hex'), queued },
        200,
      );
    },
  );
  return app;
}
