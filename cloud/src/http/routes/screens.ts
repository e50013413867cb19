// Screens for operators: create, list and filter, the location tree, update, enrolment codes,
// revocation, replacing or reinstating a revoked screen, and a preview of the retained config.
import { z } from '@hono/zod-openapi';
import { ErrorCode, ScreenConfig } from '@redtap/shared';
import { screenStatuses } from '../../db/schema/screens.ts';
import { DomainError } from '../../errors.ts';
import { createEnrolmentCode } from '../../services/enrolment.ts';
import { buildScreenConfig, screenConfigOptionsOf } from '../../services/screen-config.ts';
import { claimRowPaths } from '../../db/schema/claims.ts';
import {
  canonicalTimeZone,
  createScreen,
  getScreen,
  listScreens,
  reinstateScreen,
  replaceScreen,
  revokeScreen,
  createScreenSummaryCache,
  hasControlCharacter,
  SCREEN_NAME_LENGTH_MAX,
  SCREEN_PLACE_LENGTH_MAX,
  SCREEN_TIMEZONE_LENGTH_MAX,
  screenConnections,
  screenLocations,
  updateScreen,
} from '../../services/screens.ts';
import {
  listScreenTaps,
  nextBefore,
  screenNowPlaying,
  screenPresenceHistory,
} from '../../services/screen-activity.ts';
import { redemptionStatuses } from '../../db/schema/redemptions.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import { Id, IdParam, nextAfter, PAGE_SIZE_MAX, PageQuery, pageOf, strictReply } from '../schemas.ts';

/** A screen's text field by the rules of services/screens.ts, which the CSV import applies too. */
const screenText = (lengthMax: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(lengthMax)
    .refine((text) => !hasControlCharacter(text), 'a control character (a NUL, tab or line break)');
const ScreenName = screenText(SCREEN_NAME_LENGTH_MAX);
export const Place = screenText(SCREEN_PLACE_LENGTH_MAX);
export const Timezone = z
  .string()
  .max(SCREEN_TIMEZONE_LENGTH_MAX)
  .refine((zone) => canonicalTimeZone(zone) !== null, 'unknown IANA time zone');

const DeckLevel = z.strictObject({
  deckId: z.number().int(),
  campaignId: z.number().int(),
  remaining: z.number().int(),
  count: z.number().int(),
  validUntil: z.number().int(),
});

const Screen = z
  .strictObject({
    id: z.number().int(),
    name: z.string(),
    city: z.string(),
    building: z.string(),
    elevator: z.string(),
    timezone: z.string(),
    status: z.enum(screenStatuses),
    publicKey: z.string().nullable(),
    configVersion: z.number().int(),
    enrolledAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    replacedById: z.number().int().nullable().openapi({ description: 'the screen that replaced this one' }),
    createdAt: z.string(),
    health: z
      .strictObject({
        lastSeenAt: z.string().openapi({ description: 'cloud time of the last heartbeat' }),
        connected: z.boolean().nullable().openapi({
          description:
            'what the broker last reported of the MQTT connection (online presence, or its will): null when no presence was recorded',
        }),
        connectionChangedAt: z.string().nullable().openapi({
          description: 'cloud time `connected` was last recorded; with connected=false, offline since',
        }),
        appVersion: z.string(),
        tapCounter: z.number().int(),
        backlog: z.number().int(),
        clockSkewS: z.number().int().openapi({ description: 'cloud time − screen time, seconds' }),
        decks: z.array(DeckLevel),
      })
      .nullable(),
    lastClaimAt: z.string().nullable().openapi({
      description:
        'cloud time of the last online claim from the screen (QR code, reader tag or sticker); null if none',
    }),
    lastClaimPath: z.enum(claimRowPaths).nullable().openapi({ description: 'the path of that claim' }),
    stickers: z.number().int().openapi({ description: 'SUN stickers bound to the screen' }),
  })
  .openapi('Screen');

const ScreenSummary = z
  .strictObject({
    total: z.number().int(),
    byStatus: z.strictObject({
      pending: z.number().int(),
      active: z.number().int(),
      revoked: z.number().int(),
    }),
    online: z.number().int(),
    offline: z.number().int(),
    longOffline: z
      .number()
      .int()
      .openapi({ description: 'active screens offline longer than the alert threshold, or never seen' }),
    cities: z.array(
      z.strictObject({
        city: z.string(),
        total: z.number().int(),
        active: z.number().int(),
        online: z.number().int(),
        offline: z.number().int(),
      }),
    ),
    citiesTruncated: z.boolean().openapi({ description: 'true when more cities exist than are listed' }),
  })
  .openapi('ScreenSummary');

const ScreenTap = z.strictObject({
  counter: z.number().int(),
  walletId: z.number().int(),
  campaignId: z.number().int(),
  amountFen: z.number().int(),
  couponOfferId: z.number().int().nullable(),
  status: z.enum(redemptionStatuses),
  code: z.string().nullable(),
  tapTs: z.number().int(),
  receivedAt: z.string(),
});

const ScreenActivity = z
  .strictObject({
    nowPlaying: z.strictObject({
      configVersion: z.number().int().nullable(),
      campaigns: z.array(
        z.strictObject({
          campaignId: z.number().int(),
          name: z.string(),
          sponsor: z.string(),
          scheduledNow: z.boolean(),
          creatives: z.number().int(),
        }),
      ),
      recentPlays: z.array(
        z.strictObject({
          campaignId: z.number().int(),
          day: z.string(),
          creativeSha256: z.string(),
          plays: z.number().int(),
        }),
      ),
    }),
    presence: z.strictObject({
      changes: z.array(z.strictObject({ connected: z.boolean(), at: z.string() })),
      changesTruncated: z.boolean().openapi({
        description: 'The week had more changes than are listed: `changes` holds the latest only',
      }),
      uptime: z.strictObject({ last24h: z.number().nullable(), last7d: z.number().nullable() }),
    }),
  })
  .openapi('ScreenActivity');

const ReProvisioned = z
  .strictObject({ screen: Screen, code: z.string(), expiresAt: z.string() })
  .openapi('ScreenWithEnrolmentCode');

const ScreenInput = z.object({
  name: ScreenName,
  city: Place,
  building: Place,
  elevator: Place,
  timezone: Timezone.optional(),
});

export function screenRoutes(deps: AppDeps) {
  const app = createRouter();
  // One summary computation serves every screens page open within a few seconds (docs/scaling.md).
  const summaries = createScreenSummaryCache(deps.now);

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens',
      tags: ['screens'],
      summary: 'Create a screen (status pending until it enrols)',
      request: { body: { content: { 'application/json': { schema: ScreenInput } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Screen } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const screen = await createScreen(deps.db, {
        ...input,
        timezone: input.timezone ?? deps.settings.timezone,
      });
      summaries.invalidate();
      return c.json(screen, 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens',
      tags: ['screens'],
      summary: 'List screens with their health, filtered by location, status or group',
      request: {
        query: PageQuery.extend({
          city: Place.optional(),
          building: Place.optional(),
          elevator: Place.optional(),
          status: z.enum(screenStatuses).optional(),
          groupId: Id.optional(),
          search: z.string().trim().max(100).optional().openapi({
            description: 'a screen id, or part of its name (case-insensitive)',
          }),
          connection: z.enum(screenConnections).optional().openapi({
            description: 'active screens online, offline, or offline longer than the alert threshold',
          }),
        }),
      },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(Screen) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, after, ...filter } = c.req.valid('query');
      const items = await listScreens(deps.db, filter, { limit, after }, deps.now());
      return c.json({ items, nextAfter: nextAfter(items, limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/summary',
      tags: ['screens'],
      summary: 'Fleet counts over every screen: by status, online, offline, long offline, and by city',
      responses: {
        200: { description: 'Summary', content: { 'application/json': { schema: ScreenSummary } } },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await summaries.get(deps.db), 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/locations',
      tags: ['screens'],
      summary:
        'Screen counts per city, building and elevator, the first `limit` in order; `truncated` says there are more (narrow by city or building)',
      request: {
        query: z.object({
          city: Place.optional(),
          building: Place.optional(),
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(PAGE_SIZE_MAX * 10)
            .default(PAGE_SIZE_MAX),
        }),
      },
      responses: {
        200: {
          description: 'Locations',
          content: {
            'application/json': {
              schema: z.strictObject({
                items: z.array(
                  z.strictObject({
                    city: z.string(),
                    building: z.string(),
                    elevator: z.string(),
                    screens: z.number().int(),
                    active: z.number().int(),
                  }),
                ),
                truncated: z.boolean().openapi({
                  description: 'More places match than `limit`: the list holds the first of them only',
                }),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, ...filter } = c.req.valid('query');
      return c.json(await screenLocations(deps.db, filter, limit), 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/{id}',
      tags: ['screens'],
      request: { params: IdParam },
      responses: {
        200: { description: 'Screen', content: { 'application/json': { schema: Screen } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await getScreen(deps.db, c.req.valid('param').id), 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/{id}/taps',
      tags: ['screens'],
      summary: "The screen's taps as settled, newest first (keyset pages on its tap counter)",
      request: {
        params: IdParam,
        query: z.object({
          limit: PageQuery.shape.limit,
          before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().openapi({
            description: 'Keyset cursor: the last counter of the previous page',
          }),
        }),
      },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(ScreenTap), nextBefore: z.number().int().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const { limit, before } = c.req.valid('query');
      await getScreen(deps.db, id);
      const items = await listScreenTaps(deps.db, id, { limit, before: before ?? null });
      return c.json({ items, nextBefore: nextBefore(items, limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/{id}/activity',
      tags: ['screens'],
      summary: 'What the screen is set to play now, its latest proof of play, presence history and uptime',
      request: { params: IdParam },
      responses: {
        200: { description: 'Activity', content: { 'application/json': { schema: ScreenActivity } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const now = deps.now();
      await getScreen(deps.db, id);
      return c.json(
        {
          nowPlaying: await screenNowPlaying(deps.db, id, now, screenConfigOptionsOf(deps.settings)),
          presence: await screenPresenceHistory(deps.db, id, now),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'patch',
      path: '/v1/screens/{id}',
      tags: ['screens'],
      summary:
        'Rename or move a screen; a new city, building or time zone republishes its config (campaigns target by place)',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': { schema: ScreenInput.partial().extend({ timezone: Timezone.optional() }) },
          },
        },
      },
      responses: {
        200: { description: 'Screen', content: { 'application/json': { schema: Screen } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const patch = Object.fromEntries(
        Object.entries(c.req.valid('json')).filter(([, value]) => value !== undefined),
      );
      // Its config and campaigns are desired state written with the change; the dispatchers publish.
      const screen = await updateScreen(deps, id, patch);
      if ('city' in patch || 'building' in patch || 'timezone' in patch) deps.dispatchers?.poke();
      summaries.invalidate();
      return c.json(screen, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/{id}/enrolment-codes',
      tags: ['screens'],
      summary: 'A one-time enrolment code (8 characters, 24 h); earlier unused codes stop working',
      request: { params: IdParam },
      responses: {
        201: {
          description: 'Code, shown once',
          content: {
            'application/json': { schema: z.strictObject({ code: z.string(), expiresAt: z.string() }) },
          },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await createEnrolmentCode(deps.db, c.req.valid('param').id, deps.now()), 201),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/{id}/revoke',
      tags: ['screens'],
      summary:
        'Revoke a screen: its later tokens are rejected at once and its broker identity is queued for removal',
      request: { params: IdParam },
      responses: {
        200: { description: 'Screen', content: { 'application/json': { schema: Screen } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const screen = await revokeScreen(deps.db, id, deps.now());
      summaries.invalidate();
      await audit(deps.db, { actor: principalOf(c), action: 'screen.revoked', subject: `screen:${id}` });
      deps.screenAuth.forget(id);
      // The broker identity was wanted absent with the revocation; the dispatcher removes it.
      deps.brokerIdentities?.poke();
      return c.json(screen, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/{id}/replace',
      tags: ['screens'],
      summary:
        'Replace a revoked screen: a new screen at the same place (name, location, time zone, groups) with a one-time enrolment code; the old one stays revoked',
      request: { params: IdParam },
      responses: {
        201: {
          description: 'The new screen and its code, shown once',
          content: { 'application/json': { schema: ReProvisioned } },
        },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      const now = deps.now();
      const screen = await replaceScreen(deps.db, c.req.valid('param').id, now);
      summaries.invalidate();
      const { code, expiresAt } = await createEnrolmentCode(deps.db, screen.id, now);
      return c.json({ screen, code, expiresAt }, 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/{id}/reinstate',
      tags: ['screens'],
      summary:
        'Undo a revocation: the screen goes back to pending under its id and must enrol again with the returned code (its old key is dropped)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'The screen and its code, shown once',
          content: { 'application/json': { schema: ReProvisioned } },
        },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      const now = deps.now();
      const screen = await reinstateScreen(deps.db, c.req.valid('param').id, now);
      summaries.invalidate();
      const { code, expiresAt } = await createEnrolmentCode(deps.db, screen.id, now);
      return c.json({ screen, code, expiresAt }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/{id}/config',
      tags: ['screens'],
      summary: 'The retained config the screen currently receives',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Config',
          content: { 'application/json': { schema: strictReply(ScreenConfig) } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await getScreen(deps.db, id);
      const config = await buildScreenConfig(deps.db, id, deps.now(), screenConfigOptionsOf(deps.settings));
      if (config === null) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} is not active`);
      return c.json(config, 200);
    },
  );
  return app;
}
