// SUN stickers for operators (docs/protocol.md §9): import a batch of tags with its key (or check an
// import first with dryRun), list batches, bind a tag to a screen or unbind it, and list a screen's tags.
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import { getScreen } from '../../services/screens.ts';
import { audit } from '../../services/audit.ts';
import {
  bindTag,
  importTagBatch,
  listScreenTags,
  listTagBatches,
  TAG_IMPORT_CSV_BYTES_MAX,
  TAG_IMPORT_ROWS_MAX,
  unbindTag,
} from '../../services/tags.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { createRouter } from '../router.ts';
import { Id, IdParam, Name, nextAfter, PageQuery, pageOf } from '../schemas.ts';

const UidHex = z
  .string()
  .regex(/^[0-9a-fA-F]{14}$/, 'must be 7 bytes of hex')
  .transform((value) => value.toLowerCase());

const UidParam = z.object({
  uid: UidHex.openapi({ param: { name: 'uid', in: 'path' }, example: '04de5f1eacc040' }),
});

const TagBatch = z
  .strictObject({
    id: z.number().int().openapi({ description: 'the `b` parameter of the batch’s sticker URLs' }),
    name: z.string(),
    tags: z.number().int(),
    boundTags: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('TagBatch');

const Tag = z
  .strictObject({
    uid: z.string().openapi({ description: '7-byte UID, lowercase hex' }),
    batchId: z.number().int(),
    screenId: z.number().int().nullable(),
    lastCounter: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'SDMReadCtr of the last read accepted; only a higher one is accepted' }),
    lastReadAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Tag');

const TagRowError = z.strictObject({
  row: z.number().int().openapi({ description: '1-based: index in uids + 1, or the CSV line' }),
  uid: z.string(),
  code: z.enum([ErrorCode.TAG_UID_INVALID, ErrorCode.TAG_UID_DUPLICATE]),
  message: z.string(),
});

const TagImport = z
  .strictObject({
    dryRun: z.boolean(),
    batch: z.union([TagBatch, z.null()]),
    tags: z.number().int().openapi({ description: 'tags imported, or that the dry run would import' }),
    errorCount: z.number().int(),
    errors: z.array(TagRowError),
  })
  .openapi('TagImport');

const TagImportInput = z
  .object({
    name: Name,
    masterKey: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, 'must be 16 bytes of hex')
      .refine((key) => !/^0+$/.test(key), 'the all-zero factory key is not a batch key')
      .openapi({ description: 'the batch key every tag key is diversified from (AES-128, hex)' }),
    uids: z
      .array(z.string().max(64))
      .max(TAG_IMPORT_ROWS_MAX)
      .optional()
      .openapi({ description: 'one UID per item (14 hex; `:`, `-` and spaces are ignored)' }),
    csv: z.string().max(TAG_IMPORT_CSV_BYTES_MAX).optional().openapi({
      description: 'CSV text: the `uid` column if a header names one, else the first cell of each line',
    }),
    dryRun: z.boolean().default(false).openapi({ description: 'judge the rows and write nothing' }),
  })
  .refine((input) => (input.uids === undefined) !== (input.csv === undefined), {
    message: 'send either uids or csv',
    path: ['uids'],
  });

export function tagRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/tag-batches',
      tags: ['tags'],
      summary:
        'Import a batch of SUN sticker tags with its key, all or nothing: a UID that is not 7 bytes of hex, repeats a row or is already registered refuses the import with its rows. dryRun judges the rows and writes nothing',
      request: { body: { content: { 'application/json': { schema: TagImportInput } }, required: true } },
      responses: {
        200: { description: 'Dry run', content: { 'application/json': { schema: TagImport } } },
        201: { description: 'Imported', content: { 'application/json': { schema: TagImport } } },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const outcome = await importTagBatch(deps.db, deps.secrets.issuerKek, input);
      if (outcome.dryRun) return c.json(outcome, 200);
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'tag_batch.imported',
        subject: `tag_batch:${String(outcome.batch?.id)}`,
        detail: { name: input.name, tags: outcome.tags },
      });
      return c.json(outcome, 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/tag-batches',
      tags: ['tags'],
      summary: 'Tag batches with how many tags each holds and how many are bound (never the key)',
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(TagBatch) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listTagBatches(deps.db, page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'put',
      path: '/v1/tags/{uid}/screen',
      tags: ['tags'],
      summary: 'Bind a tag to the screen whose bezel carries it (moving it from another screen)',
      request: {
        params: UidParam,
        body: {
          content: { 'application/json': { schema: z.object({ screenId: Id }) } },
          required: true,
        },
      },
      responses: {
        200: { description: 'Tag', content: { 'application/json': { schema: Tag } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { uid } = c.req.valid('param');
      const { screenId } = c.req.valid('json');
      const { tag, previousScreenId } = await bindTag(deps.db, uid, screenId);
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'tag.bound',
        subject: `tag:${uid}`,
        detail: { screenId, previousScreenId },
      });
      return c.json(tag, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'delete',
      path: '/v1/tags/{uid}/screen',
      tags: ['tags'],
      summary: 'Unbind a tag from its screen: its reads are refused until it is bound again',
      request: { params: UidParam },
      responses: {
        200: { description: 'Tag', content: { 'application/json': { schema: Tag } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { uid } = c.req.valid('param');
      const { tag, previousScreenId } = await unbindTag(deps.db, uid);
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'tag.unbound',
        subject: `tag:${uid}`,
        detail: { previousScreenId },
      });
      return c.json(tag, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/screens/{id}/tags',
      tags: ['tags'],
      summary: "The screen's tags in UID order (keyset pages on the UID)",
      request: {
        params: IdParam,
        query: z.object({
          limit: PageQuery.shape.limit,
          after: UidHex.optional().openapi({
            description: 'Keyset cursor: the last UID of the previous page',
          }),
        }),
      },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(Tag), nextAfter: z.string().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const { limit, after } = c.req.valid('query');
      await getScreen(deps.db, id);
      const items = await listScreenTags(deps.db, id, { limit, after: after ?? null });
      return c.json({ items, nextAfter: items.length < limit ? null : (items.at(-1)?.uid ?? null) }, 200);
    },
  );
  return app;
}
