// What a campaign may target (cities, buildings, screen groups), for operators and advertisers alike:
// aggregates over non-revoked screens, never a screen's id, name or health.
import { z } from '@hono/zod-openapi';
import { TARGETING_OPTIONS_MAX, targetingOptions } from '../../services/screens.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { createRouter } from '../router.ts';

const TargetingOptions = z
  .strictObject({
    cities: z.array(z.string()).max(TARGETING_OPTIONS_MAX),
    buildings: z.array(z.strictObject({ city: z.string(), building: z.string() })).max(TARGETING_OPTIONS_MAX),
    screenGroups: z
      .array(z.strictObject({ id: z.number().int(), name: z.string() }))
      .max(TARGETING_OPTIONS_MAX),
    citiesTruncated: z.boolean().openapi({ description: 'There are more cities than the list holds' }),
    buildingsTruncated: z.boolean().openapi({ description: 'There are more buildings than the list holds' }),
    screenGroupsTruncated: z
      .boolean()
      .openapi({ description: 'There are more screen groups than the list holds' }),
  })
  .openapi('TargetingOptions');

export function targetingOptionRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/targeting-options',
      tags: ['campaigns'],
      summary:
        'Distinct cities, buildings and screen groups a campaign may target: the first of each in order, with a flag when there are more',
      responses: {
        200: { description: 'Options', content: { 'application/json': { schema: TargetingOptions } } },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await targetingOptions(deps.db), 200),
  );
  return app;
}
