// Bulk provisioning for operators of large fleets (docs/operations.md, "Provisioning screens in bulk"):
//  - a CSV import of pending screens, judged row by row (a dry run answers every refused row and writes
//    nothing), then written all or nothing in one transaction by a few set-based statements;
//  - enrolment codes issued a page of pending screens at a time (those of an import, or any filter),
//    answered once for the printed sheet and stored hashed like every code;
//  - bulk actions (move, add to or remove from a group, revoke) over the screen list's own filter: one
//    transaction writes the desired state set-based and answers how many screens it queued. Configs are
//    marked stale for the config dispatcher; broker identities of revoked screens are wanted absent for
//    the broker-identity dispatcher (broker-identity-dispatcher.ts). No request loops over screens or talks to the broker.
import { z } from '@hono/zod-openapi';
import { parse } from 'csv-parse/sync';
import { and, asc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { ErrorCode, FIELD_ISSUES_MAX } from '@redtap/shared';
import type { Principal } from '../auth/sessions.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows, sqlState } from '../db/rows.ts';
import { screenImportScreens } from '../db/schema/screen-bulk.ts';
import { screenGroupMembers, screenGroups, screenHealth, screens } from '../db/schema/screens.ts';
import { DomainError } from '../errors.ts';
import { audit } from './audit.ts';
import { wantBrokerIdentitiesRemoved } from './broker-identity-dispatcher.ts';
import { refreshScreenCampaigns, screenIdsIn } from './campaign-screens.ts';
import { ENROLMENT_CODE_TTL_MS, generateEnrolmentCode, hashEnrolmentCode } from './enrolment.ts';
import {
  canonicalTimeZone,
  hasControlCharacter,
  SCREEN_GROUP_SIZE_MAX,
  SCREEN_NAME_LENGTH_MAX,
  SCREEN_PLACE_LENGTH_MAX,
  SCREEN_TIMEZONE_LENGTH_MAX,
  screenFilterConditions,
  type ScreenFilter,
} from './screens.ts';

/** Rows one import may hold: a large rollout is split into files of at most this many screens. */
export const SCREEN_IMPORT_ROWS_MAX = 100_000;
/** Bytes one import may hold: 100,000 rows of long Chinese names and a few groups fit. */
export const SCREEN_IMPORT_BYTES_MAX = 16 * 1024 * 1024;
/** Row errors one answer lists; the rest are paged with `errorsOffset`. */
export const SCREEN_IMPORT_ERRORS_PAGE_MAX = 500;
/** Groups one row may name. */
export const SCREEN_IMPORT_GROUPS_PER_ROW_MAX = 20;
/** Between group names in the groups cell (`Lobby;Tower A`); a full-width ； works too. */
export const SCREEN_IMPORT_GROUP_SEPARATOR = ';';
/** Codes one page issues (and one printed sheet shows). */
export const ENROLMENT_CODE_BATCH_MAX = 500;

/** The groups cell's length; each group name in it is looked up as written. */
const CELL_BYTES_MAX = 4_096;

export const screenImportColumns = ['name', 'city', 'building', 'elevator', 'timezone', 'groups'] as const;
export type ScreenImportColumn = (typeof screenImportColumns)[number];
const REQUIRED_COLUMNS: readonly ScreenImportColumn[] = ['name', 'city', 'building', 'elevator'];

/** Header names as operators write them (English or Chinese, any case, spaces or underscores). */
const COLUMN_ALIASES: Record<string, ScreenImportColumn> = {
  name: 'name',
  screen: 'name',
  screenname: 'name',
  名称: 'name',
  屏幕: 'name',
  city: 'city',
  城市: 'city',
  building: 'building',
  楼宇: 'building',
  大楼: 'building',
  elevator: 'elevator',
  电梯: 'elevator',
  timezone: 'timezone',
  tz: 'timezone',
  时区: 'timezone',
  groups: 'groups',
  group: 'groups',
  分组: 'groups',
};

/** Stable codes of a refused row. */
export const ScreenImportRowCode = {
  /** The row has another number of cells than the header. */
  COLUMN_COUNT: 'COLUMN_COUNT',
  REQUIRED: 'REQUIRED',
  TOO_LONG: 'TOO_LONG',
  /** A control character (a NUL, a tab, a line break inside a quoted cell…). */
  CONTROL_CHARACTER: 'CONTROL_CHARACTER',
  TIMEZONE_UNKNOWN: 'TIMEZONE_UNKNOWN',
  GROUP_UNKNOWN: 'GROUP_UNKNOWN',
  GROUPS_TOO_MANY: 'GROUPS_TOO_MANY',
  /** The group would hold more than SCREEN_GROUP_SIZE_MAX screens. */
  GROUP_FULL: 'GROUP_FULL',
  /** The same name at the same city, building and elevator as an earlier row. */
  DUPLICATE_ROW: 'DUPLICATE_ROW',
  /** A screen that is not revoked has this name at this place already (an import made twice). */
  SCREEN_EXISTS: 'SCREEN_EXISTS',
} as const;
export type ScreenImportRowCode = (typeof ScreenImportRowCode)[keyof typeof ScreenImportRowCode];

/**
 * The replies' shapes, declared once: the routes answer these schemas and the service's types are
 * inferred from them (routes/bulk-screens.ts).
 */
export const ScreenImportRowErrorSchema = z.strictObject({
  row: z.number().int().openapi({ description: 'the line of the file; the header is line 1' }),
  column: z
    .enum(screenImportColumns)
    .nullable()
    .openapi({ description: 'the column concerned; null for the row as a whole' }),
  code: z.enum(ScreenImportRowCode),
  message: z.string(),
});
export type ScreenImportRowError = z.infer<typeof ScreenImportRowErrorSchema>;

export const ScreenImportOutcomeSchema = z
  .strictObject({
    dryRun: z.boolean(),
    importId: z.number().int().nullable().openapi({ description: 'the import written; null for a dry run' }),
    rows: z.number().int().openapi({ description: 'data rows in the file (blank lines skipped)' }),
    valid: z
      .number()
      .int()
      .openapi({ description: 'rows that pass every check: the screens an import creates' }),
    invalidRows: z
      .number()
      .int()
      .openapi({ description: 'rows refused (a row with several problems counts once)' }),
    errorCount: z.number().int().openapi({ description: 'problems found, over every row' }),
    errorCodes: z.record(z.string(), z.number().int()).openapi({ description: 'problems counted by code' }),
    errors: z
      .array(ScreenImportRowErrorSchema)
      .openapi({ description: 'problems from errorsOffset, at most errorsLimit, in row order' }),
    nextErrorsOffset: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'errorsOffset of the next page of problems; null after the last' }),
    groups: z.number().int().openapi({ description: 'groups the rows name that exist' }),
  })
  .openapi('ScreenImport');
export type ScreenImportOutcome = z.infer<typeof ScreenImportOutcomeSchema>;

interface ParsedRow {
  row: number;
  name: string;
  city: string;
  building: string;
  elevator: string;
  timezone: string;
  groups: string[];
}

/** Header cell → column, by its letters only (`Time Zone`, `time_zone` and `timezone` are one). */
function columnOf(cell: string): ScreenImportColumn | undefined {
  const key = cell
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');
  return COLUMN_ALIASES[key];
}

function refuseColumns(message: string): never {
  throw new DomainError(ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID, message, {
    fields: [{ path: 'csv', code: 'INVALID', message }],
  });
}

function tooLarge(message: string): never {
  throw new DomainError(ErrorCode.SCREEN_IMPORT_TOO_LARGE, message, {
    params: { rowsMax: SCREEN_IMPORT_ROWS_MAX, bytesMax: SCREEN_IMPORT_BYTES_MAX },
  });
}

/** Cells of a CSV with their line numbers; at most SCREEN_IMPORT_ROWS_MAX data rows or refused. */
function parseCsv(text: string): { header: string[]; body: { line: number; cells: string[] }[] } {
  if (Buffer.byteLength(text) > SCREEN_IMPORT_BYTES_MAX)
    tooLarge(`the file is larger than ${String(SCREEN_IMPORT_BYTES_MAX)} bytes`);
  let records: (string[] & { line?: number })[];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      max_record_size: CELL_BYTES_MAX * 8,
      // The header, the bound, and one more to tell a file over it.
      to: SCREEN_IMPORT_ROWS_MAX + 2,
      // Each record tagged with the line it ends on: cheaper than `info`, an object per record.
      on_record: (cells, context) => Object.assign(cells, { line: context.lines }),
    });
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `csv: not CSV${typeof line === 'number' ? ` at line ${String(line)}` : ''}`,
      { fields: [{ path: 'csv', code: 'INVALID', message: 'not CSV' }] },
    );
  }
  const [head, ...body] = records;
  if (head === undefined) refuseColumns('the file is empty: a header row and one row per screen');
  if (body.length > SCREEN_IMPORT_ROWS_MAX)
    tooLarge(`more than ${String(SCREEN_IMPORT_ROWS_MAX)} screens in one file`);
  return { header: head, body: body.map((cells) => ({ line: cells.line ?? 0, cells })) };
}

/** Which cell holds which column; refused when a required one is missing, one repeats or is unknown. */
function headerColumns(header: string[]): Map<ScreenImportColumn, number> {
  const at = new Map<ScreenImportColumn, number>();
  header.forEach((cell, index) => {
    const column = columnOf(cell);
    if (column === undefined)
      refuseColumns(
        `unknown column "${cell.slice(0, 40)}": the columns are ${screenImportColumns.join(', ')}`,
      );
    if (at.has(column)) refuseColumns(`the column ${column} appears twice`);
    at.set(column, index);
  });
  const missing = REQUIRED_COLUMNS.filter((column) => !at.has(column));
  if (missing.length > 0) refuseColumns(`missing column(s): ${missing.join(', ')}`);
  return at;
}

/** Judges each row on its own (cells, lengths, time zone, duplicates); group names are looked up after. */
function judgeCells(
  header: string[],
  body: { line: number; cells: string[] }[],
  defaultTimezone: string,
): { rows: ParsedRow[]; errors: ScreenImportRowError[] } {
  const at = headerColumns(header);
  const errors: ScreenImportRowError[] = [];
  const rows: ParsedRow[] = [];
  const zones = new Map<string, string | null>();
  const firstRowOf = new Map<string, number>();
  for (const { line, cells } of body) {
    const refuse = (column: ScreenImportColumn | null, code: ScreenImportRowCode, message: string) =>
      errors.push({ row: line, column, code, message });
    if (cells.length !== header.length) {
      refuse(
        null,
        ScreenImportRowCode.COLUMN_COUNT,
        `${String(cells.length)} cells; the header has ${String(header.length)}`,
      );
      continue;
    }
    const cell = (column: ScreenImportColumn) => {
      const index = at.get(column);
      return index === undefined ? '' : (cells[index] ?? '');
    };
    const before = errors.length;
    // The screen API's rules for its fields (services/screens.ts), applied to the cells.
    const text = (column: ScreenImportColumn, lengthMax: number, required: boolean) => {
      const value = cell(column).trim();
      if (hasControlCharacter(value))
        refuse(
          column,
          ScreenImportRowCode.CONTROL_CHARACTER,
          'a control character (a NUL, tab or line break)',
        );
      else if (required && value === '') refuse(column, ScreenImportRowCode.REQUIRED, `${column} is empty`);
      else if (value.length > lengthMax)
        refuse(
          column,
          ScreenImportRowCode.TOO_LONG,
          `${column} is longer than ${String(lengthMax)} characters`,
        );
      return value;
    };
    const name = text('name', SCREEN_NAME_LENGTH_MAX, true);
    const city = text('city', SCREEN_PLACE_LENGTH_MAX, true);
    const building = text('building', SCREEN_PLACE_LENGTH_MAX, true);
    const elevator = text('elevator', SCREEN_PLACE_LENGTH_MAX, true);
    const zoneText = text('timezone', SCREEN_TIMEZONE_LENGTH_MAX, false);
    const groupsText = text('groups', CELL_BYTES_MAX, false);
    let timezone = defaultTimezone;
    if (zoneText !== '' && !hasControlCharacter(zoneText) && zoneText.length <= SCREEN_TIMEZONE_LENGTH_MAX) {
      let zone = zones.get(zoneText);
      if (zone === undefined) {
        zone = canonicalTimeZone(zoneText);
        zones.set(zoneText, zone);
      }
      if (zone === null)
        refuse(
          'timezone',
          ScreenImportRowCode.TIMEZONE_UNKNOWN,
          `"${zoneText.slice(0, 64)}" is no IANA time zone`,
        );
      else timezone = zone;
    }
    const groups = [
      ...new Set(
        groupsText
          .split(/[;；]/)
          .map((group) => group.trim())
          .filter((group) => group !== ''),
      ),
    ];
    if (groups.length > SCREEN_IMPORT_GROUPS_PER_ROW_MAX)
      refuse(
        'groups',
        ScreenImportRowCode.GROUPS_TOO_MANY,
        `more than ${String(SCREEN_IMPORT_GROUPS_PER_ROW_MAX)} groups`,
      );
    if (errors.length > before) continue;
    const key = JSON.stringify([name, city, building, elevator]);
    const first = firstRowOf.get(key);
    if (first !== undefined) {
      refuse(null, ScreenImportRowCode.DUPLICATE_ROW, `repeats row ${String(first)}`);
      continue;
    }
    firstRowOf.set(key, line);
    rows.push({ row: line, name, city, building, elevator, timezone, groups });
  }
  return { rows, errors };
}

/**
 * Judges the rows against the database: group names known (and their groups not filled past their
 * bound), no screen of the same name at the same place already. Inside the import's transaction the
 * groups are locked first, so a concurrent import or bulk action cannot fill them meanwhile.
 */
async function judgeAgainstDatabase(
  db: Database,
  rows: ParsedRow[],
  lock: boolean,
): Promise<{ groupIdOf: Map<string, number>; errors: ScreenImportRowError[]; accepted: ParsedRow[] }> {
  const errors: ScreenImportRowError[] = [];
  const names = [...new Set(rows.flatMap((row) => row.groups))];
  const groupRows =
    names.length === 0
      ? []
      : await queryRows<{ id: unknown; name: string; members: unknown }>(
          db,
          sql`select g.id, g.name,
                (select count(*) from screen_group_members m where m.group_id = g.id) as members
              from screen_groups g
              where g.name in (select jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))
              order by g.id
              ${lock ? sql`for update` : sql``}`,
        );
  const groupIdOf = new Map(groupRows.map((group) => [group.name, int(group.id)]));
  const room = new Map(groupRows.map((group) => [group.name, SCREEN_GROUP_SIZE_MAX - int(group.members)]));
  const existing =
    rows.length === 0
      ? []
      : await queryRows<{ k: unknown }>(
          db,
          sql`select r.k from jsonb_to_recordset(${JSON.stringify(
            rows.map((row, k) => ({
              k,
              name: row.name,
              city: row.city,
              building: row.building,
              elevator: row.elevator,
            })),
          )}::jsonb) as r(k int, name text, city text, building text, elevator text)
              where exists (select 1 from screens s where s.city = r.city and s.building = r.building
                and s.elevator = r.elevator and s.name = r.name and s.status <> 'revoked')`,
        );
  const exists = new Set(existing.map((row) => int(row.k)));
  const accepted: ParsedRow[] = [];
  rows.forEach((row, k) => {
    const before = errors.length;
    if (exists.has(k))
      errors.push({
        row: row.row,
        column: 'name',
        code: ScreenImportRowCode.SCREEN_EXISTS,
        message: 'a screen of this name is at this place already',
      });
    for (const group of row.groups) {
      if (!groupIdOf.has(group))
        errors.push({
          row: row.row,
          column: 'groups',
          code: ScreenImportRowCode.GROUP_UNKNOWN,
          message: `no group "${group.slice(0, 100)}": create it first`,
        });
    }
    if (errors.length === before) accepted.push(row);
  });
  // Rows past a group's room are refused in file order, after the other checks.
  const full: ParsedRow[] = [];
  for (const row of accepted) {
    const over = row.groups.filter((group) => (room.get(group) ?? 0) <= 0);
    if (over.length > 0) {
      for (const group of over)
        errors.push({
          row: row.row,
          column: 'groups',
          code: ScreenImportRowCode.GROUP_FULL,
          message: `the group "${group.slice(0, 100)}" would hold more than ${String(SCREEN_GROUP_SIZE_MAX)} screens`,
        });
      full.push(row);
      continue;
    }
    for (const group of row.groups) room.set(group, (room.get(group) ?? 0) - 1);
  }
  const refused = new Set(full);
  return { groupIdOf, errors, accepted: accepted.filter((row) => !refused.has(row)) };
}

function outcomeOf(
  dryRun: boolean,
  importId: number | null,
  total: number,
  valid: number,
  groups: number,
  errors: ScreenImportRowError[],
  page: { offset: number; limit: number },
): ScreenImportOutcome {
  errors.sort((a, b) => a.row - b.row);
  const errorCodes: Record<string, number> = {};
  for (const error of errors) errorCodes[error.code] = (errorCodes[error.code] ?? 0) + 1;
  const listed = errors.slice(page.offset, page.offset + page.limit);
  const next = page.offset + listed.length;
  return {
    dryRun,
    importId,
    rows: total,
    valid,
    invalidRows: new Set(errors.map((error) => error.row)).size,
    errorCount: errors.length,
    errorCodes,
    errors: listed,
    nextErrorsOffset: next < errors.length ? next : null,
    groups,
  };
}

export interface ScreenImportInput {
  csv: string;
  dryRun: boolean;
  /** For rows with an empty time zone cell. */
  defaultTimezone: string;
  errorsOffset?: number | undefined;
  errorsLimit?: number | undefined;
}

/**
 * Imports a CSV of screens, all or nothing. A dry run judges every row and writes nothing; an import
 * with any row refused writes nothing and is refused (SCREEN_IMPORT_INVALID) with its first rows as
 * fields. A good file is written in one transaction: a block of screen ids from the identity, then the
 * screens, their group memberships and the import's list of screens, each one statement.
 */
export async function importScreens(
  db: Database,
  input: ScreenImportInput,
  actor: Principal | null,
  now: Date,
): Promise<ScreenImportOutcome> {
  const page = {
    offset: input.errorsOffset ?? 0,
    limit: Math.min(input.errorsLimit ?? SCREEN_IMPORT_ERRORS_PAGE_MAX, SCREEN_IMPORT_ERRORS_PAGE_MAX),
  };
  const { header, body } = parseCsv(input.csv);
  const judged = judgeCells(header, body, input.defaultTimezone);
  if (input.dryRun) {
    const checked = await judgeAgainstDatabase(db, judged.rows, false);
    const errors = [...judged.errors, ...checked.errors];
    return outcomeOf(true, null, body.length, checked.accepted.length, checked.groupIdOf.size, errors, page);
  }
  if (body.length === 0)
    throw new DomainError(ErrorCode.SCREEN_IMPORT_INVALID, 'the file has no screens', {
      params: { errors: 0 },
    });
  try {
    const outcome = await db.transaction(async (tx) => {
      const checked = await judgeAgainstDatabase(tx, judged.rows, true);
      const errors = [...judged.errors, ...checked.errors].sort((a, b) => a.row - b.row);
      if (errors.length > 0)
        throw new DomainError(
          ErrorCode.SCREEN_IMPORT_INVALID,
          `${String(errors.length)} problem(s) in ${String(new Set(errors.map((error) => error.row)).size)} row(s); nothing was imported`,
          {
            params: { errors: errors.length },
            fields: errors.slice(0, FIELD_ISSUES_MAX).map((error) => ({
              path: 'csv',
              code: error.code,
              message: `row ${String(error.row)}: ${error.message}`,
              params: { row: error.row, column: error.column ?? '' },
            })),
          },
        );
      const rows = checked.accepted;
      const userId = actor?.role === 'operator' ? actor.userId : null;
      const [made] = await queryRows<{ id: unknown }>(
        tx,
        sql`insert into screen_imports (screens, user_id, created_at)
            values (${rows.length}, ${userId}, ${now.toISOString()}::timestamptz) returning id`,
      );
      const importId = int(made?.id);
      // One statement: the screens, their groups and the import's list. A row's groups find its new id
      // by its name and place, which no other row of the file or screen of the fleet has (judged above).
      const at = now.toISOString();
      const written = await queryRows<{ screens: unknown }>(
        tx,
        sql`with r as (
              select * from jsonb_to_recordset(${JSON.stringify(
                rows.map((row) => ({
                  name: row.name,
                  city: row.city,
                  building: row.building,
                  elevator: row.elevator,
                  timezone: row.timezone,
                  groups: row.groups.map((group) => checked.groupIdOf.get(group)),
                })),
              )}::jsonb) as r(name text, city text, building text, elevator text, timezone text, groups jsonb)),
            ins as (
              insert into screens (name, city, building, elevator, timezone, created_at, updated_at)
              select name, city, building, elevator, timezone, ${at}::timestamptz, ${at}::timestamptz from r
              returning id, name, city, building, elevator),
            members as (
              insert into screen_group_members (group_id, screen_id)
              select g.value::bigint, ins.id
              from r join ins using (name, city, building, elevator)
              cross join lateral jsonb_array_elements_text(r.groups) g
              where jsonb_array_length(r.groups) > 0
              returning 1),
            listed as (
              insert into screen_import_screens (import_id, screen_id)
              select ${importId}, id from ins returning 1)
            select (select count(*) from ins) as screens, (select count(*) from members) as members,
                   (select count(*) from listed) as listed`,
      );
      if (int(written[0]?.screens) !== rows.length)
        throw new Error('the import wrote another number of screens');
      await audit(tx, {
        actor,
        action: 'screens.imported',
        subject: `screen_import:${String(importId)}`,
        detail: { screens: rows.length, groups: checked.groupIdOf.size },
      });
      return outcomeOf(false, importId, body.length, rows.length, checked.groupIdOf.size, [], page);
    });
    // The planner learns of the new rows now rather than at autovacuum's next pass, so the import's
    // enrolment-code pages walk its key from their first page. Best effort: the import is committed.
    await db
      .execute(sql`analyze screens, screen_import_screens, screen_group_members`)
      .catch(() => undefined);
    return outcome;
  } catch (error) {
    // A group deleted between the check and the write.
    if (sqlState(error) === '23503')
      throw new DomainError(ErrorCode.CONFLICT, 'a group of the file was deleted meanwhile; try again');
    throw error;
  }
}

/** The screen list's filter, and the screens one import created. */
export interface BulkScreenFilter extends ScreenFilter {
  importId?: number | undefined;
}

function bulkConditions(db: Database, filter: BulkScreenFilter, now: Date): (SQL | undefined)[] {
  return [
    ...screenFilterConditions(db, filter, now),
    filter.importId === undefined
      ? undefined
      : inArray(
          screens.id,
          db
            .select({ id: screenImportScreens.screenId })
            .from(screenImportScreens)
            .where(eq(screenImportScreens.importId, filter.importId)),
        ),
  ];
}

export const EnrolmentSheetSchema = z
  .strictObject({
    items: z.array(
      z.strictObject({
        screenId: z.number().int(),
        name: z.string(),
        city: z.string(),
        building: z.string(),
        elevator: z.string(),
        code: z.string().openapi({ description: 'shown once; stored hashed' }),
        expiresAt: z.string(),
      }),
    ),
    nextAfter: z.number().int().nullable(),
  })
  .openapi('EnrolmentSheet');
export type EnrolmentSheet = z.infer<typeof EnrolmentSheetSchema>;

/**
 * New enrolment codes for one page of the pending screens the filter selects, in id order from `after`:
 * earlier unused codes of those screens stop working, as with a single code. The codes are answered once
 * (for the printed sheet) and stored as their hashes, in two statements whatever the page's size.
 */
export async function issueEnrolmentCodeBatch(
  db: Database,
  filter: BulkScreenFilter,
  page: { after: number; limit: number },
  actor: Principal | null,
  now: Date,
): Promise<EnrolmentSheet> {
  const limit = Math.min(page.limit, ENROLMENT_CODE_BATCH_MAX);
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      const items = await db.transaction(async (tx) => {
        const columns = {
          id: screens.id,
          name: screens.name,
          city: screens.city,
          building: screens.building,
          elevator: screens.elevator,
        };
        const pending = and(eq(screens.status, 'pending'), ...screenFilterConditions(tx, filter, now));
        // An import's screens are walked along its own key (import, screen) from the cursor, so a page
        // deep in 10^5 screens reads its page only; any other filter walks the screens in id order.
        const rows =
          filter.importId === undefined
            ? await tx
                .select(columns)
                .from(screens)
                .leftJoin(screenHealth, eq(screenHealth.screenId, screens.id))
                .where(and(gt(screens.id, page.after), pending))
                .orderBy(asc(screens.id))
                .limit(limit)
                .for('update', { of: screens })
            : await tx
                .select(columns)
                .from(screenImportScreens)
                .innerJoin(screens, eq(screens.id, screenImportScreens.screenId))
                .leftJoin(screenHealth, eq(screenHealth.screenId, screens.id))
                .where(
                  and(
                    eq(screenImportScreens.importId, filter.importId),
                    gt(screenImportScreens.screenId, page.after),
                    pending,
                  ),
                )
                .orderBy(asc(screenImportScreens.screenId))
                .limit(limit)
                .for('update', { of: screens });
        if (rows.length === 0) return [];
        const issued = rows.map((row) => ({ ...row, code: generateEnrolmentCode() }));
        const ids = JSON.stringify(rows.map((row) => row.id));
        await tx.execute(
          sql`update enrolment_codes set expires_at = ${now.toISOString()}::timestamptz
              where used_at is null and expires_at > ${now.toISOString()}::timestamptz
                and screen_id in (select value::bigint from jsonb_array_elements_text(${ids}::jsonb))`,
        );
        await tx.execute(
          sql`insert into enrolment_codes (screen_id, code_hash, expires_at)
              select r.screen_id, r.code_hash, ${expiresAt.toISOString()}::timestamptz
              from jsonb_to_recordset(${JSON.stringify(
                issued.map((row) => ({ screen_id: row.id, code_hash: hashEnrolmentCode(row.code) })),
              )}::jsonb) as r(screen_id bigint, code_hash text)`,
        );
        await audit(tx, {
          actor,
          action: 'screens.enrolment_codes_issued',
          subject: null,
          detail: { screens: rows.length, firstId: rows[0]?.id, lastId: rows.at(-1)?.id },
        });
        return issued;
      });
      return {
        items: items.map((row) => ({
          screenId: row.id,
          name: row.name,
          city: row.city,
          building: row.building,
          elevator: row.elevator,
          code: row.code,
          expiresAt: expiresAt.toISOString(),
        })),
        nextAfter: items.length < limit ? null : (items.at(-1)?.id ?? null),
      };
    } catch (error) {
      // Two codes alike (one in 32^8 per pair): the page is issued again with new codes.
      if (sqlState(error) === '23505' && attempt < 3) continue;
      throw error;
    }
  }
}

export type BulkAction =
  | { kind: 'move'; city?: string | undefined; building?: string | undefined; timezone?: string | undefined }
  | { kind: 'add-to-group'; groupId: number }
  | { kind: 'remove-from-group'; groupId: number }
  | { kind: 'revoke' };

/** The screens an action changes: those the filter selects, less the ones it would leave as they are. */
function actionTarget(db: Database, filter: BulkScreenFilter, action: BulkAction, now: Date): SQL {
  const conditions = [...bulkConditions(db, filter, now)];
  switch (action.kind) {
    case 'move':
    case 'revoke':
      conditions.push(ne(screens.status, 'revoked'));
      break;
    case 'add-to-group':
      conditions.push(
        ne(screens.status, 'revoked'),
        sql`not exists (select 1 from ${screenGroupMembers} m
              where m.group_id = ${action.groupId} and m.screen_id = ${screens.id})`,
      );
      break;
    case 'remove-from-group':
      conditions.push(
        sql`exists (select 1 from ${screenGroupMembers} m
              where m.group_id = ${action.groupId} and m.screen_id = ${screens.id})`,
      );
      break;
  }
  return sql`select ${screens.id} as id, ${screens.status} as status from ${screens}
    left join ${screenHealth} on ${screenHealth.screenId} = ${screens.id}
    where ${and(...conditions)}`;
}

/** How many screens the filter selects, and how many of them the action would change. */
export async function previewBulkAction(
  db: Database,
  filter: BulkScreenFilter,
  action: BulkAction,
  now: Date,
): Promise<{ matching: number; affected: number }> {
  const [row] = await queryRows<{ matching: unknown; affected: unknown }>(
    db,
    sql`select
          (select count(*) from ${screens} left join ${screenHealth} on ${screenHealth.screenId} = ${screens.id}
            where ${and(...bulkConditions(db, filter, now), sql`true`)}) as matching,
          (select count(*) from (${actionTarget(db, filter, action, now)}) target) as affected`,
  );
  return { matching: int(row?.matching ?? 0), affected: int(row?.affected ?? 0) };
}

export const BulkActionOutcomeSchema = z
  .strictObject({
    screens: z.number().int().openapi({ description: 'screens the action changed' }),
    configs: z.number().int().openapi({ description: 'active screens whose config is republished' }),
    generation: z.number().int().openapi({ description: 'for GET /v1/screens/bulk/progress; 0 when none' }),
    revocations: z.number().int().openapi({ description: 'broker identities queued for removal' }),
    decks: z
      .number()
      .int()
      .openapi({ description: 'decks wanted by screens that joined an active campaign' }),
  })
  .openapi('BulkScreenOutcome');
export type BulkActionOutcome = z.infer<typeof BulkActionOutcomeSchema>;

/**
 * The one place a bulk change of what targeting reads (a screen's status, city, building or groups) is
 * announced, in its transaction, for the screens it changed: their rows of the stored campaign targeting
 * are resolved again (campaign-screens.ts: a screen that joins an active campaign wants a deck from it,
 * one that leaves wants none), and the active ones get their configs republished (a move changes the
 * city or time zone in them even when no campaign changes), under one generation, in one statement.
 */
export async function screensRetargeted(
  tx: Database,
  screenIds: number[],
): Promise<{ configs: number; generation: number; decks: number }> {
  if (screenIds.length === 0) return { configs: 0, generation: 0, decks: 0 };
  const ids = screenIdsIn(screenIds);
  const queued = await refreshScreenCampaigns(tx, ids, { alsoStale: ids });
  return { configs: queued.configs, generation: queued.generation, decks: queued.decks };
}

/**
 * Applies an action to every screen the filter selects, in one transaction, set-based. With
 * `expectedScreens` (the count the operator confirmed) a selection that changed meanwhile is refused
 * (SCREEN_SELECTION_CHANGED) and nothing is written.
 */
export async function applyBulkAction(
  db: Database,
  filter: BulkScreenFilter,
  action: BulkAction,
  options: { expectedScreens?: number | undefined; actor: Principal | null; now: Date },
): Promise<BulkActionOutcome> {
  const { now } = options;
  return db.transaction(async (tx) => {
    if (action.kind === 'add-to-group' || action.kind === 'remove-from-group') {
      const [group] = await tx
        .select({ id: screenGroups.id })
        .from(screenGroups)
        .where(eq(screenGroups.id, action.groupId))
        .for('update');
      if (group === undefined)
        throw new DomainError(ErrorCode.NOT_FOUND, `screen group ${String(action.groupId)} not found`);
    }
    const target = actionTarget(tx, filter, action, now);
    const at = now.toISOString();
    let changed: { id: unknown }[];
    switch (action.kind) {
      case 'move': {
        const set = [
          action.city === undefined ? undefined : sql`city = ${action.city}`,
          action.building === undefined ? undefined : sql`building = ${action.building}`,
          action.timezone === undefined ? undefined : sql`timezone = ${action.timezone}`,
          sql`updated_at = ${at}::timestamptz`,
        ].filter((part) => part !== undefined);
        changed = await queryRows(
          tx,
          sql`with target as (${target})
              update screens set ${sql.join(set, sql`, `)}
              where id in (select id from target) returning id`,
        );
        break;
      }
      case 'add-to-group':
        changed = await queryRows(
          tx,
          sql`with target as (${target})
              insert into screen_group_members (group_id, screen_id)
              select ${action.groupId}, id from target
              on conflict do nothing returning screen_id as id`,
        );
        break;
      case 'remove-from-group':
        changed = await queryRows(
          tx,
          sql`with target as (${target})
              delete from screen_group_members
              where group_id = ${action.groupId} and screen_id in (select id from target)
              returning screen_id as id`,
        );
        break;
      case 'revoke':
        // As revokeScreen: refused from now on, presence closed, broker password gone; the identity is
        // wanted absent, for the broker-identity dispatcher to remove.
        changed = await queryRows(
          tx,
          sql`with target as (${target})
              update screens set status = 'revoked', revoked_at = ${at}::timestamptz,
                updated_at = ${at}::timestamptz, mqtt_password_hash = null, connected = false,
                presence_changed_at = ${at}::timestamptz
              where id in (select id from target) returning id`,
        );
        await wantBrokerIdentitiesRemoved(
          tx,
          changed.map((row) => int(row.id)),
          now,
        );
        break;
    }
    const ids = changed.map((row) => int(row.id));
    if (options.expectedScreens !== undefined && options.expectedScreens !== ids.length)
      throw new DomainError(
        ErrorCode.SCREEN_SELECTION_CHANGED,
        `the filter now selects ${String(ids.length)} screens, not the ${String(options.expectedScreens)} confirmed; nothing was changed`,
        { params: { screens: ids.length, expected: options.expectedScreens } },
      );
    if (action.kind === 'add-to-group') {
      const [size] = await queryRows<{ members: unknown }>(
        tx,
        sql`select count(*) as members from screen_group_members where group_id = ${action.groupId}`,
      );
      if (int(size?.members ?? 0) > SCREEN_GROUP_SIZE_MAX)
        throw new DomainError(
          ErrorCode.SCREEN_GROUP_FULL,
          `a group holds at most ${String(SCREEN_GROUP_SIZE_MAX)} screens; nothing was changed`,
          { params: { max: SCREEN_GROUP_SIZE_MAX } },
        );
    }
    const queued = await screensRetargeted(tx, ids);
    await audit(tx, {
      actor: options.actor,
      action: `screens.bulk_${action.kind.replaceAll('-', '_')}`,
      subject:
        action.kind === 'add-to-group' || action.kind === 'remove-from-group'
          ? `screen_group:${String(action.groupId)}`
          : null,
      detail: { filter, action, screens: ids.length },
    });
    return {
      screens: ids.length,
      configs: queued.configs,
      generation: queued.generation,
      revocations: action.kind === 'revoke' ? ids.length : 0,
      decks: queued.decks,
    };
  });
}

/** How far bulk changes have got: configs of a generation still to publish, identities still to remove. */
export async function bulkProgress(
  db: Database,
  generation: number | undefined,
): Promise<{ configsPending: number; revocationsPending: number; revocationsFailing: number }> {
  const [row] = await queryRows<{ configs: unknown; revocations: unknown; failing: unknown }>(
    db,
    sql`select
          ${
            generation === undefined
              ? sql`0`
              : sql`(select count(*) from screen_config_state st join screens s on s.id = st.screen_id
                  where s.status = 'active' and st.wanted_generation > st.published_generation
                    and st.wanted_generation >= ${generation} and st.published_generation < ${generation})`
          } as configs,
          (select count(*) from screen_broker_identities where not present) as revocations,
          (select count(*) from screen_broker_identities where not present and attempts > 0) as failing`,
  );
  return {
    configsPending: int(row?.configs ?? 0),
    revocationsPending: int(row?.revocations ?? 0),
    revocationsFailing: int(row?.failing ?? 0),
  };
}
