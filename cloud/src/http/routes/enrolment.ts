// Kiosk enrolment (docs/protocol.md §3.7): a one-time code plus proof of the kiosk's key buys the
// screen id, MQTT credentials, topic root and the issuer keys to pin.
import { z } from '@hono/zod-openapi';
import { IssuerKey } from '@redtap/shared';
import { enrolScreen } from '../../services/enrolment.ts';
import { activeIssuerKey, pinnedIssuerKeys } from '../../services/issuer-keys.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { rateLimit } from '../rate-limits.ts';
import { createRouter } from '../router.ts';
import { PublicKeyHex, SignatureHex, strictReply } from '../schemas.ts';

const Enrolment = z
  .strictObject({
    screenId: z.number().int(),
    mqtt: z.strictObject({
      url: z.string(),
      username: z.string(),
      password: z.string().openapi({ description: 'Shown once' }),
      topicRoot: z.string(),
    }),
    issuerKeys: z.array(strictReply(IssuerKey)),
  })
  .openapi('Enrolment');

export function enrolmentRoutes(deps: AppDeps) {
  const app = createRouter();
  app.use(
    '/v1/enrol',
    rateLimit(deps.settings.enrolRateLimit, deps.settings.trustProxy, () => deps.now().getTime()),
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/enrol',
      tags: ['screens'],
      summary: 'Enrol a kiosk with a one-time code and its signed public key',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                code: z.string().max(16),
                publicKey: PublicKeyHex,
                signature: SignatureHex,
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Enrolled', content: { 'application/json': { schema: Enrolment } } },
        ...errorResponses(400, 403, 409, 410, 429),
      },
    }),
    async (c) => {
      const now = deps.now();
      // The broker identity, the screen's decks and its config are desired state committed with the
      // code's use; the dispatchers make them true (the kiosk's MQTT client retries until then).
      const grant = await enrolScreen(deps.db, {
        ...c.req.valid('json'),
        now,
        kek: deps.secrets.issuerKek,
        mintMqttPassword: deps.broker.mintScreenPassword?.bind(deps.broker),
      });
      // The config pins at least one issuer key; the first enrolment may come before any wallet exists.
      await activeIssuerKey(deps.db, deps.secrets.issuerKek);
      deps.screenAuth.forget(grant.screenId);
      deps.dispatchers?.poke();
      return c.json(
        {
          screenId: grant.screenId,
          mqtt: {
            url: deps.settings.mqttPublicUrl ?? deps.broker.url,
            username: grant.mqttUsername,
            password: grant.mqttPassword,
            topicRoot: deps.settings.topicRoot,
          },
          issuerKeys: await pinnedIssuerKeys(deps.db, now),
        },
        201,
      );
    },
  );
  return app;
}
