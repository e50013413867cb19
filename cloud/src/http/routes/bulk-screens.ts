// Bulk provisioning for operators (services/bulk-screens.ts): a CSV import of screens with its dry run,
// enrolment codes for a page of pending screens at a time (the printed sheet), and bulk actions over the
// screen list's filter that write desired state and answer how many screens they queued.
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import { screenStatuses } from '../../db/schema/screens.ts';
import { DomainError } from '../../errors.ts';
import {
  applyBulkAction,
  BulkActionOutcomeSchema,
  bulkProgress,
  ENROLMENT_CODE_BATCH_MAX,
  EnrolmentSheetSchema,
  importScreens,
  issueEnrolmentCodeBatch,
  previewBulkAction,
  SCREEN_IMPORT_BYTES_MAX,
  SCREEN_IMPORT_ERRORS_PAGE_MAX,
  SCREEN_IMPORT_ROWS_MAX,
  screenImportColumns,
  ScreenImportOutcomeSchema,
} from '../../services/bulk-screens.ts';
import { screenConnections } from '../../services/screens.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { createRouter } from '../router.ts';
import { Id } from '../schemas.ts';
import { Place, Timezone } from './screens.ts';

/** The screen list's filter (GET /v1/screens), and the screens of one import. */
const BulkFilter = z
  .object({
    city: Place.optional(),
    building: Place.optional(),
    elevator: Place.optional(),
    status: z.enum(screenStatuses).optional(),
    groupId: Id.optional(),
    search: z.string().trim().max(100).optional(),
    connection: z.enum(screenConnections).optional(),
    importId: Id.optional().openapi({ description: 'the screens one CSV import created' }),
  })
  .openapi('BulkScreenFilter');

const BulkActionBody = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('move'),
      city: Place.optional(),
      building: Place.optional(),
      timezone: Timezone.optional(),
    }),
    z.object({ kind: z.literal('add-to-group'), groupId: Id }),
    z.object({ kind: z.literal('remove-from-group'), groupId: Id }),
    z.object({ kind: z.literal('revoke') }),
  ])
  .refine(
    (action) =>
      action.kind !== 'move' ||
      action.city !== undefined ||
      action.building !== undefined ||
      action.timezone !== undefined,
    { message: 'a move sets a city, a building or a time zone', path: ['kind'] },
  )
  .openapi('BulkScreenAction');

export function bulkScreenRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/import',
      tags: ['screens'],
      summary: `Import pending screens from a CSV file (the raw body, UTF-8): columns ${screenImportColumns.join(', ')} (groups by name, separated by ;). All or nothing: any refused row refuses the file (SCREEN_IMPORT_INVALID). dryRun judges every row and writes nothing. At most ${String(SCREEN_IMPORT_ROWS_MAX)} rows (SCREEN_IMPORT_TOO_LARGE)`,
      request: {
        query: z.object({
          dryRun: z
            .enum(['true', 'false'])
            .default('false')
            .transform((value) => value === 'true'),
          errorsOffset: z.coerce.number().int().min(0).max(10_000_000).default(0),
          errorsLimit: z.coerce.number().int().min(1).max(SCREEN_IMPORT_ERRORS_PAGE_MAX).default(100),
        }),
        body: {
          required: true,
          description: 'The CSV file’s bytes',
          content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } },
        },
      },
      responses: {
        200: {
          description: 'Dry run',
          content: { 'application/json': { schema: ScreenImportOutcomeSchema } },
        },
        201: {
          description: 'Imported',
          content: { 'application/json': { schema: ScreenImportOutcomeSchema } },
        },
        ...errorResponses(400, 401, 403, 409, 413, 422),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const length = Number(c.req.header('content-length') ?? '0');
      if (length > SCREEN_IMPORT_BYTES_MAX)
        throw new DomainError(ErrorCode.SCREEN_IMPORT_TOO_LARGE, 'the file is too large', {
          params: { rowsMax: SCREEN_IMPORT_ROWS_MAX, bytesMax: SCREEN_IMPORT_BYTES_MAX },
        });
      let csv: string;
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        // Excel's plain "CSV" in a Chinese locale is GBK: read as UTF-8 its names would be garbage.
        throw new DomainError(ErrorCode.SCREEN_IMPORT_NOT_UTF8, 'the file is not UTF-8 text', {
          fields: [{ path: 'csv', code: 'INVALID', message: 'not UTF-8' }],
        });
      }
      const outcome = await importScreens(
        deps.db,
        {
          csv,
          dryRun: query.dryRun,
          defaultTimezone: deps.settings.timezone,
          errorsOffset: query.errorsOffset,
          errorsLimit: query.errorsLimit,
        },
        principalOf(c),
        deps.now(),
      );
      return c.json(outcome, outcome.dryRun ? 200 : 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/enrolment-codes',
      tags: ['screens'],
      summary: `New enrolment codes for a page of the pending screens a filter selects (at most ${String(ENROLMENT_CODE_BATCH_MAX)}, in id order after \`after\`): for the printed sheet. Earlier unused codes of those screens stop working; the codes are shown once`,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                filter: BulkFilter,
                after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
                limit: z.number().int().min(1).max(ENROLMENT_CODE_BATCH_MAX).default(100),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'Codes, shown once',
          content: { 'application/json': { schema: EnrolmentSheetSchema } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const sheet = await issueEnrolmentCodeBatch(
        deps.db,
        body.filter,
        { after: body.after, limit: body.limit },
        principalOf(c),
        deps.now(),
      );
      return c.json(sheet, 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/bulk/preview',
      tags: ['screens'],
      summary: 'How many screens a filter selects, and how many of them an action would change (to confirm)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': { schema: z.object({ filter: BulkFilter, action: BulkActionBody }) },
          },
        },
      },
      responses: {
        200: {
          description: 'Counts',
          content: {
            'application/json': {
              schema: z.strictObject({ matching: z.number().int(), affected: z.number().int() }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await previewBulkAction(deps.db, body.filter, body.action, deps.now()), 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/screens/bulk',
      tags: ['screens'],
      summary:
        'Move, add to or remove from a group, or revoke every screen a filter selects, in one transaction. Answers how many screens it changed and queued: configs are republished and broker identities removed by dispatchers. With expectedScreens a selection that changed meanwhile is refused (SCREEN_SELECTION_CHANGED)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                filter: BulkFilter,
                action: BulkActionBody,
                expectedScreens: z.number().int().min(0).optional().openapi({
                  description: 'the count the operator confirmed (the preview’s `affected`)',
                }),
              }),
            },
          },
        },
      },
      responses: {
        202: { description: 'Queued', content: { 'application/json': { schema: BulkActionOutcomeSchema } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const outcome = await applyBulkAction(deps.db, body.filter, body.action, {
        expectedScreens: body.expectedScreens,
        actor: principalOf(c),
        now: deps.now(),
      });
      if (outcome.revocations > 0) deps.brokerIdentities?.poke();
      deps.dispatchers?.poke();
      return c.json(outcome, 202);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/bulk/progress',
      tags: ['screens'],
      summary:
        'How far bulk changes have got: active screens whose config of `generation` is still to publish, and broker identities of revoked screens still to remove',
      request: {
        query: z.object({
          generation: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
        }),
      },
      responses: {
        200: {
          description: 'Progress',
          content: {
            'application/json': {
              schema: z.strictObject({
                configsPending: z.number().int(),
                revocationsPending: z.number().int(),
                revocationsFailing: z
                  .number()
                  .int()
                  .openapi({ description: 'removals that failed and wait for a retry' }),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await bulkProgress(deps.db, c.req.valid('query').generation), 200),
  );
  return app;
}
