// SUN stickers (docs/protocol.md §9): importing a batch of tags with its batch key, binding a tag to the
// screen whose bezel carries it, listing, and accepting a read for the claim path.
//
// Which key opens a read: every sticker URL carries its batch id (`b`) in the static part written when
// the tag is programmed. The batch's one SDM meta-read key (diversified from the batch key with a fixed
// input) decrypts PICCData to the UID; the tag's own file-read key (diversified with the UID) checks the
// MAC. So a read costs one batch lookup and one tag update, however many batches there are, and a key
// pulled out of one tag opens no other tag's MAC. Decrypting with each batch key in turn until one fits
// would cost a decryption per batch per read and let one tag's reads be judged under another batch.
import { and, asc, count, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { ErrorCode, FIELD_ISSUES_MAX, type FieldIssue } from '@redtap/shared';
import { seal, unseal } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { screens } from '../db/schema/screens.ts';
import { tagBatches, tags } from '../db/schema/tags.ts';
import { DomainError } from '../errors.ts';
import {
  batchMetaReadKey,
  parseHexBytes,
  SUN_KEY_BYTES,
  SUN_MAC_BYTES,
  SUN_PICC_DATA_BYTES,
  tagFileReadKey,
  verifySunRead,
} from '../tags/sun.ts';

/** UIDs one import may carry: a print run's worth, and well inside the request body limit. */
export const TAG_IMPORT_ROWS_MAX = 2_000;
/** A CSV of TAG_IMPORT_ROWS_MAX UIDs with a few columns fits in this. */
export const TAG_IMPORT_CSV_BYTES_MAX = 60_000;
/** Row errors one reply lists; the count says how many there were. */
export const TAG_ROW_ERRORS_MAX = FIELD_ISSUES_MAX;

const UID_HEX = /^[0-9a-f]{14}$/;
/** Separators a UID is often printed with (`04:DE:5F:…`, `04 DE 5F …`). */
const UID_SEPARATORS = /[\s:-]/g;

export interface TagBatchView {
  id: number;
  name: string;
  tags: number;
  boundTags: number;
  createdAt: string;
}

export interface TagView {
  uid: string;
  batchId: number;
  screenId: number | null;
  lastCounter: number | null;
  lastReadAt: string | null;
  createdAt: string;
}

export type TagRowErrorCode = typeof ErrorCode.TAG_UID_INVALID | typeof ErrorCode.TAG_UID_DUPLICATE;

export interface TagRowError {
  /** 1-based: the index in `uids` plus one, or the CSV line. */
  row: number;
  uid: string;
  code: TagRowErrorCode;
  message: string;
}

export interface TagImportOutcome {
  dryRun: boolean;
  /** The batch created; null for a dry run. */
  batch: TagBatchView | null;
  /** Tags imported, or that a dry run would import. */
  tags: number;
  /** How many rows were refused; `errors` lists the first TAG_ROW_ERRORS_MAX of them. */
  errorCount: number;
  errors: TagRowError[];
}

export interface TagImportInput {
  name: string;
  /** The batch key, 16 bytes of hex. */
  masterKey: string;
  uids?: string[] | undefined;
  csv?: string | undefined;
  dryRun: boolean;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function tagView(row: typeof tags.$inferSelect): TagView {
  return {
    uid: row.uid,
    batchId: row.batchId,
    screenId: row.screenId,
    lastCounter: row.lastCounter,
    lastReadAt: iso(row.lastReadAt),
    createdAt: row.createdAt.toISOString(),
  };
}

/** A UID as operators type or print it, as the 14 lowercase hex characters stored; else null. */
export function normalizeTagUid(text: string): string | null {
  const uid = text.replace(UID_SEPARATORS, '').toLowerCase();
  return UID_HEX.test(uid) ? uid : null;
}

interface UidRow {
  row: number;
  text: string;
}

/**
 * The UID cells of a CSV: the `uid` column when a header names one (the header is skipped), else the
 * first cell of every line. Blank lines are skipped; rows keep their line numbers.
 */
function csvUidRows(text: string): UidRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: 4_096,
      to: TAG_IMPORT_ROWS_MAX + 2,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `csv: not CSV${typeof line === 'number' ? ` at line ${String(line)}` : ''}`,
      { fields: [{ path: 'csv', code: 'INVALID', message: 'not CSV' }] },
    );
  }
  const header = records[0]?.record.map((cell) => cell.toLowerCase());
  const column = header?.indexOf('uid') ?? -1;
  const body = column >= 0 ? records.slice(1) : records;
  const at = Math.max(column, 0);
  return body.map(({ record, info }) => ({ row: info.lines, text: record[at] ?? '' }));
}

/** Judges every row: a UID of 7 bytes, not repeated in the file, not registered already. */
async function judgeRows(
  db: Database,
  rows: UidRow[],
): Promise<{ accepted: string[]; errors: TagRowError[] }> {
  const errors: TagRowError[] = [];
  const firstRow = new Map<string, number>();
  for (const { row, text } of rows) {
    const uid = normalizeTagUid(text);
    if (uid === null) {
      errors.push({
        row,
        uid: text.slice(0, 64),
        code: ErrorCode.TAG_UID_INVALID,
        message: 'a UID is 7 bytes: 14 hex characters',
      });
      continue;
    }
    const first = firstRow.get(uid);
    if (first !== undefined) {
      errors.push({
        row,
        uid,
        code: ErrorCode.TAG_UID_DUPLICATE,
        message: `repeats row ${String(first)}`,
      });
      continue;
    }
    firstRow.set(uid, row);
  }
  const unique = [...firstRow.keys()];
  const registered =
    unique.length === 0
      ? []
      : await db.select({ uid: tags.uid, batchId: tags.batchId }).from(tags).where(inArray(tags.uid, unique));
  const known = new Map(registered.map((tag) => [tag.uid, tag.batchId]));
  for (const [uid, row] of firstRow) {
    const batchId = known.get(uid);
    if (batchId !== undefined)
      errors.push({
        row,
        uid,
        code: ErrorCode.TAG_UID_DUPLICATE,
        message: `already registered in batch ${String(batchId)}`,
      });
  }
  errors.sort((a, b) => a.row - b.row);
  return { accepted: unique.filter((uid) => !known.has(uid)), errors };
}

function rowField(row: TagRowError, fromCsv: boolean): FieldIssue {
  return {
    path: fromCsv ? 'csv' : `uids.${String(row.row - 1)}`,
    code: row.code,
    message: `row ${String(row.row)}: ${row.message}`,
    params: { row: row.row },
  };
}

/**
 * Imports a batch: its name, its key and its UIDs, all or nothing. A dry run judges the rows and writes
 * nothing; an import with any row refused writes nothing and is refused with the rows as fields.
 */
export async function importTagBatch(
  db: Database,
  kek: Buffer,
  input: TagImportInput,
): Promise<TagImportOutcome> {
  const fromCsv = input.csv !== undefined;
  const rows =
    input.csv !== undefined
      ? csvUidRows(input.csv)
      : (input.uids ?? []).map((text, index) => ({ row: index + 1, text }));
  if (rows.length === 0)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'the import has no UIDs', {
      fields: [{ path: fromCsv ? 'csv' : 'uids', code: 'TOO_FEW', message: 'no UIDs' }],
    });
  if (rows.length > TAG_IMPORT_ROWS_MAX)
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `more than ${String(TAG_IMPORT_ROWS_MAX)} UIDs in one import`,
      {
        fields: [{ path: fromCsv ? 'csv' : 'uids', code: 'TOO_MANY', message: 'too many UIDs' }],
      },
    );
  const { accepted, errors } = await judgeRows(db, rows);
  const listed = errors.slice(0, TAG_ROW_ERRORS_MAX);
  if (input.dryRun)
    return { dryRun: true, batch: null, tags: accepted.length, errorCount: errors.length, errors: listed };
  const first = errors[0];
  if (first !== undefined)
    throw new DomainError(
      first.code,
      `${String(errors.length)} row(s) refused; nothing was imported (first: row ${String(first.row)}: ${first.message})`,
      { fields: listed.map((row) => rowField(row, fromCsv)) },
    );

  const masterKey = input.masterKey.toLowerCase();
  return db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(tagBatches)
      .values({ name: input.name, masterKeySealed: seal(masterKey, kek) })
      .returning();
    if (batch === undefined) throw new Error('insert returned no batch');
    // A concurrent import of the same UID wins the race: this one then refuses them all.
    const inserted = await tx
      .insert(tags)
      .values(accepted.map((uid) => ({ uid, batchId: batch.id })))
      .onConflictDoNothing({ target: tags.uid })
      .returning({ uid: tags.uid });
    if (inserted.length !== accepted.length)
      throw new DomainError(
        ErrorCode.TAG_UID_DUPLICATE,
        'another import registered some of these UIDs at the same time; nothing was imported',
      );
    return {
      dryRun: false,
      batch: {
        id: batch.id,
        name: batch.name,
        tags: accepted.length,
        boundTags: 0,
        createdAt: batch.createdAt.toISOString(),
      },
      tags: accepted.length,
      errorCount: 0,
      errors: [],
    };
  });
}

/** Batches in id order (keyset pages), with how many tags each holds and how many are bound. */
export async function listTagBatches(
  db: Database,
  page: { limit: number; after: number },
): Promise<TagBatchView[]> {
  const batches = await db
    .select({ id: tagBatches.id, name: tagBatches.name, createdAt: tagBatches.createdAt })
    .from(tagBatches)
    .where(gt(tagBatches.id, page.after))
    .orderBy(asc(tagBatches.id))
    .limit(page.limit);
  if (batches.length === 0) return [];
  const counts = await db
    .select({
      batchId: tags.batchId,
      tags: count(),
      boundTags: count(tags.screenId),
    })
    .from(tags)
    .where(
      inArray(
        tags.batchId,
        batches.map((batch) => batch.id),
      ),
    )
    .groupBy(tags.batchId);
  const byBatch = new Map(counts.map((row) => [row.batchId, row]));
  return batches.map((batch) => ({
    id: batch.id,
    name: batch.name,
    tags: byBatch.get(batch.id)?.tags ?? 0,
    boundTags: byBatch.get(batch.id)?.boundTags ?? 0,
    createdAt: batch.createdAt.toISOString(),
  }));
}

async function tagOrNotFound(db: Database, uid: string, lock: boolean): Promise<typeof tags.$inferSelect> {
  const query = db.select().from(tags).where(eq(tags.uid, uid));
  const [tag] = lock ? await query.for('update') : await query;
  if (tag === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `no tag ${uid}`);
  return tag;
}

/** Binds a tag to the screen whose bezel carries it (moving it from another screen, if any). */
export async function bindTag(
  db: Database,
  uid: string,
  screenId: number,
): Promise<{ tag: TagView; previousScreenId: number | null }> {
  return db.transaction(async (tx) => {
    const [screen] = await tx
      .select({ status: screens.status })
      .from(screens)
      .where(eq(screens.id, screenId));
    if (screen === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `no screen ${String(screenId)}`);
    if (screen.status === 'revoked')
      throw new DomainError(ErrorCode.CONFLICT, `screen ${String(screenId)} is revoked`);
    const before = await tagOrNotFound(tx, uid, true);
    const [tag] = await tx.update(tags).set({ screenId }).where(eq(tags.uid, uid)).returning();
    if (tag === undefined) throw new Error('locked tag vanished');
    return { tag: tagView(tag), previousScreenId: before.screenId };
  });
}

/** Unbinds a tag: its reads are refused until it is bound again. Unbinding an unbound tag is a no-op. */
export async function unbindTag(
  db: Database,
  uid: string,
): Promise<{ tag: TagView; previousScreenId: number | null }> {
  return db.transaction(async (tx) => {
    const before = await tagOrNotFound(tx, uid, true);
    const [tag] = await tx.update(tags).set({ screenId: null }).where(eq(tags.uid, uid)).returning();
    if (tag === undefined) throw new Error('locked tag vanished');
    return { tag: tagView(tag), previousScreenId: before.screenId };
  });
}

/** A screen's tags in UID order; `after` is the last UID of the previous page. */
export async function listScreenTags(
  db: Database,
  screenId: number,
  page: { limit: number; after: string | null },
): Promise<TagView[]> {
  const rows = await db
    .select()
    .from(tags)
    .where(and(eq(tags.screenId, screenId), page.after === null ? undefined : gt(tags.uid, page.after)))
    .orderBy(asc(tags.uid))
    .limit(page.limit);
  return rows.map(tagView);
}

/** A sticker URL's parameters as the phone's browser delivers them: untrusted text. */
export interface SunReadParams {
  /** `b`: the batch id written into the URL when the tag was programmed. */
  batch: unknown;
  /** `p` (PICCData, 16 bytes hex). */
  picc: unknown;
  /** `c` (SDMMAC, 8 bytes hex). */
  cmac: unknown;
}

export type SunAcceptResult =
  | { ok: true; uid: string; counter: number; screenId: number }
  | { ok: false; code: ErrorCode; message: string };

function refuse(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message };
}

function batchIdOf(value: unknown): number | null {
  const id =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}

/**
 * Accepts one sticker read for the claim path: the MAC must verify under the tag's key and the counter
 * must be above the last one accepted from the tag (one conditional UPDATE, so two copies of one URL
 * racing each other cannot both pass). Answers the bound screen. Never throws on what the read carries.
 *
 * An authentic read of an unbound tag still uses up its counter: a URL read before the tag was bound
 * cannot be spent after. Pass a transaction as `db` to make the counter's advance part of the claim.
 */
export async function acceptSunRead(
  db: Database,
  read: SunReadParams,
  options: { kek: Buffer; now: Date },
): Promise<SunAcceptResult> {
  const batchId = batchIdOf(read.batch);
  if (batchId === null) return refuse(ErrorCode.SUN_MALFORMED, 'b must be a batch id');
  if (
    parseHexBytes(read.picc, SUN_PICC_DATA_BYTES) === null ||
    parseHexBytes(read.cmac, SUN_MAC_BYTES) === null
  )
    return refuse(ErrorCode.SUN_MALFORMED, 'p must be 16 bytes and c 8 bytes, hex');

  const [batch] = await db
    .select({ masterKeySealed: tagBatches.masterKeySealed })
    .from(tagBatches)
    .where(eq(tagBatches.id, batchId));
  if (batch === undefined) return refuse(ErrorCode.SUN_UNKNOWN_TAG, `no batch ${String(batchId)}`);
  const batchKey = new Uint8Array(Buffer.from(unseal(batch.masterKeySealed, options.kek), 'hex'));
  if (batchKey.length !== SUN_KEY_BYTES) throw new Error(`batch ${String(batchId)} key is not 16 bytes`);

  const verified = verifySunRead(
    { metaReadKey: batchMetaReadKey(batchKey), fileReadKeyFor: (uid) => tagFileReadKey(batchKey, uid) },
    { picc: read.picc, cmac: read.cmac },
  );
  if (!verified.ok) return verified;
  const { uid, counter } = verified;

  const advanced = await db
    .update(tags)
    .set({ lastCounter: counter, lastReadAt: options.now })
    .where(
      and(
        eq(tags.uid, uid),
        eq(tags.batchId, batchId),
        or(isNull(tags.lastCounter), lt(tags.lastCounter, counter)),
      ),
    )
    .returning({ screenId: tags.screenId });
  const row = advanced[0];
  if (row !== undefined) {
    if (row.screenId === null) return refuse(ErrorCode.SUN_TAG_UNBOUND, `tag ${uid} is bound to no screen`);
    return { ok: true, uid, counter, screenId: row.screenId };
  }
  const [known] = await db
    .select({ lastCounter: tags.lastCounter })
    .from(tags)
    .where(and(eq(tags.uid, uid), eq(tags.batchId, batchId)));
  if (known === undefined)
    return refuse(ErrorCode.SUN_UNKNOWN_TAG, `tag ${uid} is not registered in batch ${String(batchId)}`);
  return refuse(
    ErrorCode.SUN_COUNTER_REPLAYED,
    `counter ${String(counter)} is not above ${String(known.lastCounter)} for tag ${uid}`,
  );
}
