// How far the screens' configs have caught up with what was asked of them (docs/operations.md,
// "Watching config rollouts"). Changes that concern every screen answer with what they queued; this
// route tells how many active screens have a config built after that change, and, for a phone's
// revocation, how many kiosks confirmed holding it.
import { z } from '@hono/zod-openapi';
import { screenConfigProgress } from '../../services/config-dispatcher.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { createRouter } from '../router.ts';

/** What a change queued for the config dispatcher (docs/architecture.md, desired state). */
export const QueuedConfigs = z
  .strictObject({
    screens: z.number().int().openapi({ description: 'active screens whose config is republished' }),
    generation: z.number().int().openapi({
      description: 'the change’s config generation: ask GET /v1/screen-configs/progress?generation= for it',
    }),
  })
  .openapi('QueuedConfigs');

const ScreenConfigProgress = z
  .strictObject({
    generation: z.number().int(),
    screens: z.number().int().openapi({ description: 'active screens' }),
    applied: z.number().int().openapi({
      description: 'active screens whose published config was built at or after the generation',
    }),
    retrying: z.number().int().openapi({
      description: 'active screens whose last publish failed and that wait for a retry',
    }),
    confirmed: z.number().int().nullable().openapi({
      description:
        'asked with `revocation`: active screens whose kiosk reported in a heartbeat that it holds every revocation up to that number; null otherwise',
    }),
  })
  .openapi('ScreenConfigProgress');

export function screenConfigRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screen-configs/progress',
      tags: ['screens'],
      summary: 'How many active screens have a config built after a change (the current one by default)',
      request: {
        query: z.object({
          generation: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
          revocation: z.coerce
            .number()
            .int()
            .min(1)
            .max(Number.MAX_SAFE_INTEGER)
            .optional()
            .openapi({
              description: 'a revocation number (a phone revocation’s reply): count who confirmed it',
            }),
        }),
      },
      responses: {
        200: { description: 'Progress', content: { 'application/json': { schema: ScreenConfigProgress } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { generation, revocation } = c.req.valid('query');
      return c.json(await screenConfigProgress(deps.db, generation, revocation), 200);
    },
  );
  return app;
}
