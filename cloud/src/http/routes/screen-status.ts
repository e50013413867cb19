// A screen's own standing (docs/protocol.md §5.9): asked with its broker login when the broker refuses
// that login, so a kiosk enrolled before its broker identity exists does not take itself for revoked.
// Screens only; a revoked screen's login is refused here too (401 UNAUTHENTICATED).
import { z } from '@hono/zod-openapi';
import { ScreenStatus } from '@redtap/shared';
import { screenBrokerState } from '../../services/screen-status.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, screenIdOf } from '../policy.ts';
import { createRouter } from '../router.ts';

export const ScreenStatusReply = z
  .strictObject({
    screenId: z.number().int().min(1),
    status: z.literal('active').openapi({
      description: 'only an active screen’s login is accepted: a revoked screen is answered 401',
    }),
    broker: z.enum(['pending', 'ready']).openapi({
      description:
        '`pending`: the screen’s broker identity is wanted and not made yet, so the broker refuses its login for now; `ready`: nothing is owed to the broker',
    }),
  })
  .openapi('ScreenStatus');

export function screenStatusRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute('screen', {
      method: 'get',
      path: '/v1/screens/me/status',
      tags: ['screens'],
      summary:
        'The calling screen’s standing: active, and whether its broker identity is still being made (ask when the broker refuses the login)',
      responses: {
        200: {
          description: 'The screen is active',
          content: { 'application/json': { schema: ScreenStatusReply } },
        },
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const screenId = screenIdOf(c);
      const broker = await screenBrokerState(deps.db, screenId);
      return c.json(ScreenStatus.parse({ screenId, status: 'active', broker }), 200);
    },
  );
  return app;
}
