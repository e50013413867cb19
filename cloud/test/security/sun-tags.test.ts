// SUN stickers through the operator API and acceptSunRead, on PGlite and PostgreSQL: an import (and its
// dry run) refuses bad and repeated UIDs by row, a bound tag's rising reads are accepted once each, and a
// replayed or lower counter, an unknown tag, a forged MAC and a read of an unbound tag are refused.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/rows.ts';
import { acceptSunRead } from '../../src/services/tags.ts';
import { batchMetaReadKey, sunReadOf, tagFileReadKey } from '../../src/tags/sun.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { createTestCloud, json, operatorToken, type TestCloud } from '../harness.ts';

const engines = await testEngines();

const hex = (value: string) => new Uint8Array(Buffer.from(value, 'hex'));

interface TagImportReply {
  dryRun: boolean;
  batch: { id: number; name: string; tags: number; boundTags: number } | null;
  tags: number;
  errorCount: number;
  errors: { row: number; uid: string; code: string; message: string }[];
}

interface ErrorReply {
  error: { code: string; message: string; fields?: { path: string; code: string }[] };
}

interface TagReply {
  uid: string;
  batchId: number;
  screenId: number | null;
  lastCounter: number | null;
}

/** Flips the lowest bit of the last byte of a hex string. */
function flipLastBit(value: string): string {
  const bytes = hex(value);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return Buffer.from(bytes).toString('hex');
}

describe.each(engines)('SUN stickers on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let screenId: number;
  let batchId: number;
  // A batch key of this run: UIDs are unique per database, and each engine has its own database.
  const batchKey = hex('6f1c2a3b4d5e6f708192a3b4c5d6e7f8');
  const bound = '04a1b2c3d4e501';
  const unbound = '04a1b2c3d4e502';
  const notImported = '04a1b2c3d4e5ff';

  /** What the sticker with `uid` of the batch mirrors on read `counter`. */
  const readOf = (uid: string, counter: number, key = batchKey) => ({
    batch: String(batchId),
    ...sunReadOf({
      metaReadKey: batchMetaReadKey(key),
      fileReadKey: tagFileReadKey(key, hex(uid)),
      uid: hex(uid),
      counter,
    }),
  });
  const accept = (read: { batch: unknown; picc: unknown; cmac: unknown }) =>
    acceptSunRead(cloud.deps.db, read, { kek: cloud.deps.secrets.issuerKek, now: cloud.deps.now() });

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Hangzhou', building: 'West Tower', elevator: 'L2' },
    });
    screenId = (await json<{ id: number }>(created)).id;
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'judges an import by row in a dry run and refuses it whole with row errors',
    async () => {
      const body = {
        name: 'Run 1',
        masterKey: Buffer.from(batchKey).toString('hex'),
        uids: [bound, 'not-a-uid', '04:A1:B2:C3:D4:E5:02', '04a1b2c3d4e5', bound.toUpperCase()],
      };
      const dry = await cloud.request('POST', '/v1/tag-batches', {
        token: operator,
        body: { ...body, dryRun: true },
      });
      expect(dry.status).toBe(200);
      const judged = await json<TagImportReply>(dry);
      expect(judged).toMatchObject({ dryRun: true, batch: null, tags: 2, errorCount: 3 });
      expect(judged.errors.map((row) => [row.row, row.code])).toEqual([
        [2, ErrorCode.TAG_UID_INVALID],
        [4, ErrorCode.TAG_UID_INVALID],
        [5, ErrorCode.TAG_UID_DUPLICATE],
      ]);

      const refused = await cloud.request('POST', '/v1/tag-batches', { token: operator, body });
      expect(refused.status).toBe(400);
      const error = await json<ErrorReply>(refused);
      expect(error.error.code).toBe(ErrorCode.TAG_UID_INVALID);
      expect(error.error.fields?.map((field) => field.path)).toEqual(['uids.1', 'uids.3', 'uids.4']);
      const batches = await json<{ items: unknown[] }>(
        await cloud.request('GET', '/v1/tag-batches', { token: operator }),
      );
      expect(batches.items).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'imports a CSV batch, lists it without its key, and refuses its UIDs again',
    async () => {
      const csv = `uid,label\n${bound},bezel A\n04:A1:B2:C3:D4:E5:02,bezel B\n`;
      const masterKey = Buffer.from(batchKey).toString('hex');
      const imported = await cloud.request('POST', '/v1/tag-batches', {
        token: operator,
        body: { name: 'Run 1', masterKey, csv },
      });
      expect(imported.status).toBe(201);
      const reply = await json<TagImportReply>(imported);
      expect(reply).toMatchObject({
        dryRun: false,
        tags: 2,
        errorCount: 0,
        batch: { name: 'Run 1', tags: 2 },
      });
      batchId = reply.batch?.id ?? 0;

      const listed = await cloud.request('GET', '/v1/tag-batches', { token: operator });
      const page = await json<{ items: Record<string, unknown>[] }>(listed);
      expect(page.items).toEqual([expect.objectContaining({ id: batchId, tags: 2, boundTags: 0 })]);
      expect(JSON.stringify(page)).not.toContain(masterKey);
      const [stored] = await queryRows<{ sealed: string }>(
        cloud.deps.db,
        sql`select master_key_sealed as sealed from tag_batches where id = ${batchId}`,
      );
      expect(stored?.sealed).not.toContain(masterKey);

      const again = await cloud.request('POST', '/v1/tag-batches', {
        token: operator,
        body: { name: 'Run 1 again', masterKey, csv, dryRun: true },
      });
      const judged = await json<TagImportReply>(again);
      expect(judged.errors.map((row) => [row.row, row.code])).toEqual([
        [2, ErrorCode.TAG_UID_DUPLICATE],
        [3, ErrorCode.TAG_UID_DUPLICATE],
      ]);
      const refused = await cloud.request('POST', '/v1/tag-batches', {
        token: operator,
        body: { name: 'Run 1 again', masterKey, csv },
      });
      expect([refused.status, (await json<ErrorReply>(refused)).error.code]).toEqual([
        409,
        ErrorCode.TAG_UID_DUPLICATE,
      ]);
    },
  );

  it.skipIf(!available)('binds a tag to a screen and lists the screen’s tags; audits both', async () => {
    const put = await cloud.request('PUT', `/v1/tags/${bound.toUpperCase()}/screen`, {
      token: operator,
      body: { screenId },
    });
    expect(put.status).toBe(200);
    expect(await json<TagReply>(put)).toMatchObject({ uid: bound, batchId, screenId, lastCounter: null });
    const missingScreen = await cloud.request('PUT', `/v1/tags/${unbound}/screen`, {
      token: operator,
      body: { screenId: 999_999 },
    });
    expect(missingScreen.status).toBe(404);
    const missingTag = await cloud.request('PUT', `/v1/tags/${notImported}/screen`, {
      token: operator,
      body: { screenId },
    });
    expect(missingTag.status).toBe(404);

    const tags = await json<{ items: TagReply[]; nextAfter: string | null }>(
      await cloud.request('GET', `/v1/screens/${String(screenId)}/tags`, { token: operator }),
    );
    expect(tags.items.map((tag) => tag.uid)).toEqual([bound]);
    expect(tags.nextAfter).toBeNull();

    // Bound and unbound again, to see the unbind route; the tag ends bound.
    const deleted = await cloud.request('DELETE', `/v1/tags/${bound}/screen`, { token: operator });
    expect(await json<TagReply>(deleted)).toMatchObject({ uid: bound, screenId: null });
    await cloud.request('PUT', `/v1/tags/${bound}/screen`, { token: operator, body: { screenId } });

    const audit = await queryRows<{ action: string; subject: string }>(
      cloud.deps.db,
      sql`select action, subject from audit_log where action like 'tag%' order by id`,
    );
    expect(audit.map((row) => row.action)).toEqual([
      'tag_batch.imported',
      'tag.bound',
      'tag.unbound',
      'tag.bound',
    ]);
    expect(audit[1]?.subject).toBe(`tag:${bound}`);
  });

  it.skipIf(!available)('accepts a bound tag’s read once, refusing the same and lower counters', async () => {
    expect(await accept(readOf(bound, 5))).toEqual({ ok: true, uid: bound, counter: 5, screenId });
    expect(await accept(readOf(bound, 5))).toMatchObject({ ok: false, code: ErrorCode.SUN_COUNTER_REPLAYED });
    expect(await accept(readOf(bound, 4))).toMatchObject({ ok: false, code: ErrorCode.SUN_COUNTER_REPLAYED });
    expect(await accept(readOf(bound, 6))).toEqual({ ok: true, uid: bound, counter: 6, screenId });
    const tags = await json<{ items: TagReply[] }>(
      await cloud.request('GET', `/v1/screens/${String(screenId)}/tags`, { token: operator }),
    );
    expect(tags.items[0]?.lastCounter).toBe(6);
  });

  it.skipIf(!available)('accepts one of three copies of a read racing each other', async () => {
    const read = readOf(bound, 9);
    const results = await Promise.all([accept(read), accept(read), accept(read)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.flatMap((result) => (result.ok ? [] : [result.code]))).toEqual([
      ErrorCode.SUN_COUNTER_REPLAYED,
      ErrorCode.SUN_COUNTER_REPLAYED,
    ]);
  });

  it.skipIf(!available)('refuses an unknown tag, a forged MAC, another key and an unbound tag', async () => {
    expect(await accept(readOf(notImported, 1))).toMatchObject({
      ok: false,
      code: ErrorCode.SUN_UNKNOWN_TAG,
    });
    expect(await accept({ ...readOf(bound, 1), batch: '999999' })).toMatchObject({
      ok: false,
      code: ErrorCode.SUN_UNKNOWN_TAG,
    });

    const genuine = readOf(bound, 20);
    expect(await accept({ ...genuine, cmac: flipLastBit(genuine.cmac) })).toMatchObject({
      ok: false,
      code: ErrorCode.SUN_MAC_INVALID,
    });
    expect(await accept({ ...genuine, picc: flipLastBit(genuine.picc) })).toMatchObject({
      ok: false,
      code: ErrorCode.SUN_MAC_INVALID,
    });
    const otherKey = readOf(bound, 21, hex('00112233445566778899aabbccddeeff'));
    expect(await accept(otherKey)).toMatchObject({ ok: false, code: ErrorCode.SUN_MAC_INVALID });
    // Refused reads leave the counter where it was: the genuine read is still good.
    expect(await accept(genuine)).toMatchObject({ ok: true, counter: 20 });

    expect(await accept(readOf(unbound, 1))).toMatchObject({ ok: false, code: ErrorCode.SUN_TAG_UNBOUND });
    // The unbound read used up its counter: binding the tag later does not make that URL good.
    await cloud.request('PUT', `/v1/tags/${unbound}/screen`, { token: operator, body: { screenId } });
    expect(await accept(readOf(unbound, 1))).toMatchObject({
      ok: false,
      code: ErrorCode.SUN_COUNTER_REPLAYED,
    });
    expect(await accept(readOf(unbound, 2))).toMatchObject({ ok: true, screenId });
  });

  it.skipIf(!available)('refuses hostile import bodies with a code, never a 500', async () => {
    const masterKey = '0123456789abcdef0123456789abcdef';
    const tooMany = Array.from({ length: 2_001 }, (_, index) => `04${index.toString(16).padStart(12, '0')}`);
    for (const body of [
      { name: 'x', masterKey, csv: '"unclosed,quote\n04a1b2c3d4e5ff' },
      { name: 'x', masterKey, csv: '' },
      { name: 'x', masterKey, csv: 'uid\n' },
      { name: 'x', masterKey, csv: `${tooMany.join('\n')}\n` },
      { name: 'x', masterKey, uids: [] },
      { name: 'x', masterKey, uids: ['04a1b2c3d4e5ff'], csv: '04a1b2c3d4e5ff' },
      { name: 'x', masterKey: '00'.repeat(16), uids: ['04a1b2c3d4e5ff'] },
      { name: 'x', masterKey: 'zz'.repeat(16), uids: ['04a1b2c3d4e5ff'] },
      { name: 'x', masterKey, uids: [42] },
    ]) {
      const response = await cloud.request('POST', '/v1/tag-batches', { token: operator, body });
      expect(
        [response.status, (await json<ErrorReply>(response)).error.code],
        JSON.stringify(body).slice(0, 80),
      ).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    }
    const odd = await cloud.request('POST', '/v1/tag-batches', {
      token: operator,
      body: { name: 'x', masterKey, csv: '\u0000\u0001,\u00ff\n=cmd|x!A1,1\n', dryRun: true },
    });
    expect(odd.status).toBe(200);
    expect((await json<TagImportReply>(odd)).errors.map((row) => row.code)).toEqual([
      ErrorCode.TAG_UID_INVALID,
      ErrorCode.TAG_UID_INVALID,
    ]);
  });

  it.skipIf(!available)('refuses malformed parameters', async () => {
    const genuine = readOf(bound, 30);
    for (const read of [
      { ...genuine, batch: 'x' },
      { ...genuine, batch: '0' },
      { ...genuine, batch: undefined },
      { ...genuine, picc: genuine.picc.slice(2) },
      { ...genuine, cmac: `${genuine.cmac}00` },
      { ...genuine, cmac: 'zz'.repeat(8) },
      { ...genuine, picc: 42 },
    ])
      expect(await accept(read)).toMatchObject({ ok: false, code: ErrorCode.SUN_MALFORMED });
  });
});
