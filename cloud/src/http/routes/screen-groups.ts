// Named screen groups ("Shanghai towers", "pilot"), for targeting and for filtering the screen list.
import { z } from '@hono/zod-openapi';
import {
  changeScreenGroupMembers,
  createScreenGroup,
  GROUP_MEMBERS_CHANGE_MAX,
  deleteScreenGroup,
  listScreenGroups,
  renameScreenGroup,
  SCREEN_GROUP_SIZE_MAX,
  setScreenGroupMembers,
} from '../../services/screens.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { createRouter } from '../router.ts';
import { Id, IdParam, Name, nextAfter, PageQuery, pageOf } from '../schemas.ts';

const Group = z
  .strictObject({ id: z.number().int(), name: z.string(), screenIds: z.array(z.number().int()) })
  .openapi('ScreenGroup');

export function screenGroupRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screen-groups',
      tags: ['screens'],
      request: { body: { content: { 'application/json': { schema: z.object({ name: Name }) } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Group } } },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await createScreenGroup(deps.db, c.req.valid('json').name), 201),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screen-groups',
      tags: ['screens'],
      request: { query: PageQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: pageOf(
                z.strictObject({ id: z.number().int(), name: z.string(), screens: z.number().int() }),
              ),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listScreenGroups(deps.db, page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'patch',
      path: '/v1/screen-groups/{id}',
      tags: ['screens'],
      summary: 'Rename a group (campaigns target it by id, so none of them changes)',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: z.object({ name: Name }) } } },
      },
      responses: {
        200: { description: 'Group', content: { 'application/json': { schema: Group } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await renameScreenGroup(deps.db, c.req.valid('param').id, c.req.valid('json').name), 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'delete',
      path: '/v1/screen-groups/{id}',
      tags: ['screens'],
      summary:
        'Delete a group and its memberships; refused with SCREEN_GROUP_IN_USE (409) while a campaign that has not ended targets it',
      request: { params: IdParam },
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      await deleteScreenGroup(deps.db, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screen-groups/{id}/member-changes',
      tags: ['screens'],
      summary: 'Add screens to the group and remove others, without sending every member',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({
                add: z.array(Id).max(GROUP_MEMBERS_CHANGE_MAX).default([]),
                remove: z.array(Id).max(GROUP_MEMBERS_CHANGE_MAX).default([]),
              }),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The group and its member count',
          content: {
            'application/json': {
              schema: z.strictObject({ id: z.number().int(), name: z.string(), screens: z.number().int() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const group = await changeScreenGroupMembers(deps.db, c.req.valid('param').id, c.req.valid('json'));
      deps.dispatchers?.poke();
      return c.json(group, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'put',
      path: '/v1/screen-groups/{id}/screens',
      tags: ['screens'],
      summary: "Replace the group's members",
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': { schema: z.object({ screenIds: z.array(Id).max(SCREEN_GROUP_SIZE_MAX) }) },
          },
        },
      },
      responses: {
        200: { description: 'Group', content: { 'application/json': { schema: Group } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const group = await setScreenGroupMembers(
        deps.db,
        c.req.valid('param').id,
        c.req.valid('json').screenIds,
      );
      deps.dispatchers?.poke();
      return c.json(group, 200);
    },
  );
  return app;
}
