// Bulk provisioning through the HTTP app and the services, on PGlite and on PostgreSQL: a CSV import
// judged row by row (a dry run writes nothing; a file with any bad row is refused whole), 20,000 rows
// imported in one transaction, enrolment codes issued page by page for an import's screens, and bulk
// move, group and revoke over the list's filter that queue configs and broker removals for dispatchers
// instead of doing them in the request. Only operators may call any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ErrorCode, generateKeyPair, isEnrolmentCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { hashEnrolmentCode } from '../src/services/enrolment.ts';
import {
  applyBulkAction,
  importScreens,
  SCREEN_IMPORT_ROWS_MAX,
  ScreenImportRowCode,
} from '../src/services/bulk-screens.ts';
import { dispatchBrokerIdentities } from '../src/services/broker-identity-dispatcher.ts';
import { SCREEN_GROUP_SIZE_MAX } from '../src/services/screens.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import {
  advertiserSession,
  createTestCloud,
  enrolBody,
  json,
  operatorToken,
  type TestCloud,
} from './harness.ts';

const engines = await testEngines();

interface ErrorReply {
  error: { code: string; message: string; params?: Record<string, unknown>; fields?: unknown[] };
}
interface ImportReply {
  dryRun: boolean;
  importId: number | null;
  rows: number;
  valid: number;
  invalidRows: number;
  errorCount: number;
  errorCodes: Record<string, number>;
  errors: { row: number; column: string | null; code: string; message: string }[];
  nextErrorsOffset: number | null;
  groups: number;
}
interface SheetReply {
  items: { screenId: number; name: string; city: string; code: string; expiresAt: string }[];
  nextAfter: number | null;
}
interface BulkReply {
  screens: number;
  configs: number;
  generation: number;
  revocations: number;
}

const csvBlob = (text: string) => new Blob([text], { type: 'text/csv' });

describe.each(engines)('bulk screens on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let lobbyId: number;
  let towerId: number;
  // Each test's screens live in a city of their own, so counts stay exact whatever ran before.
  let citySequence = 0;
  const city = (label: string) => `${label}-${String((citySequence += 1))}`;

  const count = async (where = sql`true`) =>
    int(
      (await queryRows<{ n: unknown }>(handle.db, sql`select count(*) as n from screens where ${where}`))[0]
        ?.n,
    );

  const importCsv = (text: string, query = '') =>
    cloud.request('POST', `/v1/screens/import${query}`, { token: operator, body: csvBlob(text) });

  const bulk = (body: unknown) => cloud.request('POST', '/v1/screens/bulk', { token: operator, body });

  /** Imports `n` screens in a new city and answers the import id. */
  async function seedCity(
    label: string,
    n: number,
    groups = '',
  ): Promise<{ city: string; importId: number }> {
    const place = city(label);
    const lines = ['name,city,building,elevator,timezone,groups'];
    for (let i = 1; i <= n; i++)
      lines.push(`Screen ${String(i)},${place},Tower ${String(i % 3)},E${String(i)},,${groups}`);
    const response = await importCsv(lines.join('\n'));
    expect(response.status).toBe(201);
    return { city: place, importId: (await json<ImportReply>(response)).importId ?? 0 };
  }

  /** Enrols one of an import's screens with a kiosk key: it becomes active. */
  async function enrolOne(importId: number, after = 0): Promise<number> {
    const sheet = await json<SheetReply>(
      await cloud.request('POST', '/v1/screens/enrolment-codes', {
        token: operator,
        body: { filter: { importId }, after, limit: 1 },
      }),
    );
    const item = sheet.items[0];
    if (item === undefined) throw new Error('no pending screen');
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(item.code, generateKeyPair()),
    });
    expect(enrolled.status).toBe(201);
    return item.screenId;
  }

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
    const lobby = await cloud.request('POST', '/v1/screen-groups', {
      token: operator,
      body: { name: 'Lobby' },
    });
    lobbyId = (await json<{ id: number }>(lobby)).id;
    const tower = await cloud.request('POST', '/v1/screen-groups', {
      token: operator,
      body: { name: 'Tower A' },
    });
    towerId = (await json<{ id: number }>(tower)).id;
  });

  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'judges every row in a dry run, writes nothing, and refuses the whole file',
    async () => {
      const place = city('Hangzhou');
      const csv = [
        'Name,City,Building,Elevator,Time Zone,Groups',
        `Good one,${place},B1,E1,Asia/Shanghai,Lobby;Tower A`,
        `No city,,B1,E2,,`,
        `Bad zone,${place},B1,E3,Mars/Olympus,`,
        `Unknown group,${place},B1,E4,,Lobby;Nowhere`,
        `Good one,${place},B1,E1,UTC,`,
        `Too few cells,${place}`,
        `"Tab\tname",${place},B1,E5,,`,
        `${'x'.repeat(201)},${place},B1,E6,,`,
        `Lower zone,${place},B1,E7,asia/shanghai,`,
      ].join('\n');
      const before = await count();
      const response = await importCsv(csv, '?dryRun=true');
      expect(response.status).toBe(200);
      const outcome = await json<ImportReply>(response);
      expect(outcome).toMatchObject({ dryRun: true, importId: null, rows: 9, valid: 2, invalidRows: 7 });
      expect(outcome.errors.map((error) => [error.row, error.column, error.code])).toEqual([
        [3, 'city', ScreenImportRowCode.REQUIRED],
        [4, 'timezone', ScreenImportRowCode.TIMEZONE_UNKNOWN],
        [5, 'groups', ScreenImportRowCode.GROUP_UNKNOWN],
        [6, null, ScreenImportRowCode.DUPLICATE_ROW],
        [7, null, ScreenImportRowCode.COLUMN_COUNT],
        [8, 'name', ScreenImportRowCode.CONTROL_CHARACTER],
        [9, 'name', ScreenImportRowCode.TOO_LONG],
      ]);
      expect(outcome.errorCodes[ScreenImportRowCode.REQUIRED]).toBe(1);
      expect(outcome.nextErrorsOffset).toBeNull();
      // The screen API applies the same rules to the same fields (services/screens.ts).
      for (const body of [
        { name: 'Tab\tname', city: place, building: 'B1', elevator: 'E5' },
        { name: 'x'.repeat(201), city: place, building: 'B1', elevator: 'E6' },
        { name: 'No city', city: ' ', building: 'B1', elevator: 'E2' },
        { name: 'Bad zone', city: place, building: 'B1', elevator: 'E3', timezone: 'Mars/Olympus' },
      ]) {
        const single = await cloud.request('POST', '/v1/screens', { token: operator, body });
        expect(single.status, body.name).toBe(400);
      }
      // Paged: two problems a page, the cursor walks them all.
      const paged = await json<ImportReply>(
        await importCsv(csv, '?dryRun=true&errorsLimit=2&errorsOffset=2'),
      );
      expect(paged.errors.map((error) => error.row)).toEqual([5, 6]);
      expect(paged.nextErrorsOffset).toBe(4);
      expect(await count()).toBe(before);

      const refused = await importCsv(csv);
      expect(refused.status).toBe(422);
      const body = await json<ErrorReply>(refused);
      expect(body.error.code).toBe(ErrorCode.SCREEN_IMPORT_INVALID);
      expect(body.error.fields).toHaveLength(7);
      expect(await count()).toBe(before);
    },
  );

  it.skipIf(!available)(
    'imports a good file with groups, canonical time zones and hostile text kept as text',
    async () => {
      const place = city('Suzhou');
      const hostile = `'); drop table screens; --`;
      const csv = [
        '\uFEFFname,city,building,elevator,timezone,groups',
        `"=HYPERLINK(""http://evil"")",${place},B1,E1,asia/shanghai,Lobby`,
        `"${hostile}",${place},B1,E2,,Lobby；Tower A`,
        `<script>alert(1)</script>,${place},B1,E3,Europe/Berlin,`,
        '',
      ].join('\r\n');
      const response = await importCsv(csv);
      expect(response.status).toBe(201);
      const outcome = await json<ImportReply>(response);
      expect(outcome).toMatchObject({ dryRun: false, rows: 3, valid: 3, errorCount: 0, groups: 2 });
      const rows = await queryRows<{ name: string; timezone: string; status: string }>(
        handle.db,
        sql`select name, timezone, status from screens where city = ${place} order by id`,
      );
      expect(rows).toEqual([
        { name: '=HYPERLINK("http://evil")', timezone: 'Asia/Shanghai', status: 'pending' },
        { name: hostile, timezone: 'Asia/Shanghai', status: 'pending' },
        { name: '<script>alert(1)</script>', timezone: 'Europe/Berlin', status: 'pending' },
      ]);
      const members = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from screen_group_members m join screens s on s.id = m.screen_id
          where s.city = ${place}`,
      );
      expect(int(members[0]?.n)).toBe(3);
      // The same file again: every row is a screen that exists.
      const again = await json<ImportReply>(await importCsv(csv, '?dryRun=true'));
      expect(again.errorCodes[ScreenImportRowCode.SCREEN_EXISTS]).toBe(3);
      // The import's screens are listed by its id.
      const imported = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from screen_import_screens where import_id = ${outcome.importId}`,
      );
      expect(int(imported[0]?.n)).toBe(3);
    },
  );

  it.skipIf(!available)(
    'refuses wrong columns, empty files and files over the bound with their codes',
    async () => {
      const wrong = await importCsv('name,city,building,floor\nA,B,C,D\n');
      expect(wrong.status).toBe(400);
      expect((await json<ErrorReply>(wrong)).error.code).toBe(ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID);
      const missing = await importCsv('name,city\nA,B\n');
      expect((await json<ErrorReply>(missing)).error.code).toBe(ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID);
      const twice = await importCsv('name,city,building,elevator,name\nA,B,C,D,E\n');
      expect((await json<ErrorReply>(twice)).error.code).toBe(ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID);
      const empty = await importCsv('');
      expect((await json<ErrorReply>(empty)).error.code).toBe(ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID);
      // 屏幕 in GBK, as Excel saves a plain CSV in a Chinese locale.
      const gbk = new Blob(
        [
          Buffer.from('name,city,building,elevator\n'),
          Buffer.from([0xc6, 0xc1, 0xc4, 0xbb]),
          Buffer.from(',B,C,D\n'),
        ],
        {
          type: 'text/csv',
        },
      );
      const notUtf8 = await cloud.request('POST', '/v1/screens/import?dryRun=true', {
        token: operator,
        body: gbk,
      });
      expect(notUtf8.status).toBe(400);
      expect((await json<ErrorReply>(notUtf8)).error.code).toBe(ErrorCode.SCREEN_IMPORT_NOT_UTF8);
      const notCsv = await importCsv('name,city,building,elevator\n"unclosed,B,C,D\n');
      expect((await json<ErrorReply>(notCsv)).error.code).toBe(ErrorCode.VALIDATION_FAILED);

      const before = await count();
      const lines = ['name,city,building,elevator'];
      for (let i = 0; i <= SCREEN_IMPORT_ROWS_MAX; i++) lines.push(`S${String(i)},C,B,E`);
      const huge = await importCsv(lines.join('\n'), '?dryRun=true');
      expect(huge.status).toBe(413);
      expect((await json<ErrorReply>(huge)).error.code).toBe(ErrorCode.SCREEN_IMPORT_TOO_LARGE);
      // More bytes than any import may hold never reaches the parser.
      const bytes = await importCsv(`name,city,building,elevator\n${'a'.repeat(17 * 1024 * 1024)}`);
      expect(bytes.status).toBe(413);
      expect(await count()).toBe(before);
    },
  );

  it.skipIf(!available)(
    'imports 20,000 rows in one transaction and issues their enrolment codes page by page',
    async () => {
      const place = city('Shenzhen');
      const lines = ['name,city,building,elevator,timezone,groups'];
      for (let i = 1; i <= 20_000; i++)
        lines.push(`屏幕 ${String(i)},${place},Tower ${String(i % 50)},E${String(i)},Asia/Shanghai,`);
      const started = performance.now();
      const direct = await importScreens(
        handle.db,
        { csv: lines.join('\n'), dryRun: false, defaultTimezone: 'Asia/Shanghai' },
        null,
        new Date(cloud.clock.nowMs),
      );
      const elapsedMs = performance.now() - started;
      console.info(`[bulk-screens] ${engine}: 20,000 rows imported in ${String(Math.round(elapsedMs))} ms`);
      expect(direct).toMatchObject({ valid: 20_000, errorCount: 0 });
      expect(await count(sql`city = ${place} and status = 'pending'`)).toBe(20_000);
      const states = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from screen_config_state st join screens s on s.id = st.screen_id
            where s.city = ${place}`,
      );
      expect(int(states[0]?.n)).toBe(20_000);

      // Codes for the import, 500 a page, walked with the cursor to the end.
      const codes = new Set<string>();
      let after = 0;
      for (let pages = 0; pages < 100; pages++) {
        const response = await cloud.request('POST', '/v1/screens/enrolment-codes', {
          token: operator,
          body: { filter: { importId: direct.importId }, after, limit: 500 },
        });
        expect(response.status).toBe(201);
        const sheet = await json<SheetReply>(response);
        for (const item of sheet.items) {
          expect(isEnrolmentCode(item.code)).toBe(true);
          codes.add(item.code);
        }
        if (sheet.nextAfter === null) break;
        after = sheet.nextAfter;
      }
      expect(codes.size).toBe(20_000);
      // Stored hashed, never as they are.
      const [sample] = [...codes];
      const stored = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from enrolment_codes where code_hash = ${hashEnrolmentCode(sample ?? '')}`,
      );
      expect(int(stored[0]?.n)).toBe(1);
      const plain = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from enrolment_codes where code_hash = ${sample ?? ''}`,
      );
      expect(int(plain[0]?.n)).toBe(0);

      // A group holds at most SCREEN_GROUP_SIZE_MAX screens: adding all 20,000 is refused, nothing changes.
      expect(SCREEN_GROUP_SIZE_MAX).toBeLessThan(20_000);
      const full = await bulk({
        filter: { city: place },
        action: { kind: 'add-to-group', groupId: towerId },
      });
      expect(full.status).toBe(409);
      expect((await json<ErrorReply>(full)).error.code).toBe(ErrorCode.SCREEN_GROUP_FULL);
      const members = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from screen_group_members m join screens s on s.id = m.screen_id
            where s.city = ${place}`,
      );
      expect(int(members[0]?.n)).toBe(0);
    },
    300_000,
  );

  it.skipIf(!available)(
    'a new page of codes replaces the screens’ earlier unused codes, and a code enrols',
    async () => {
      const { importId } = await seedCity('Ningbo', 3);
      const first = await json<SheetReply>(
        await cloud.request('POST', '/v1/screens/enrolment-codes', {
          token: operator,
          body: { filter: { importId } },
        }),
      );
      expect(first.items).toHaveLength(3);
      expect(first.nextAfter).toBeNull();
      const second = await json<SheetReply>(
        await cloud.request('POST', '/v1/screens/enrolment-codes', {
          token: operator,
          body: { filter: { importId } },
        }),
      );
      const oldCode = first.items[0]?.code ?? '';
      const stale = await cloud.request('POST', '/v1/enrol', { body: enrolBody(oldCode, generateKeyPair()) });
      expect((await json<ErrorReply>(stale)).error.code).toBe(ErrorCode.ENROLMENT_CODE_EXPIRED);
      const fresh = await cloud.request('POST', '/v1/enrol', {
        body: enrolBody(second.items[0]?.code ?? '', generateKeyPair()),
      });
      expect(fresh.status).toBe(201);
      // An active screen is no longer pending: the next sheet leaves it out.
      const third = await json<SheetReply>(
        await cloud.request('POST', '/v1/screens/enrolment-codes', {
          token: operator,
          body: { filter: { importId } },
        }),
      );
      expect(third.items.map((item) => item.screenId)).not.toContain(second.items[0]?.screenId);
      expect(third.items).toHaveLength(2);
    },
  );

  it.skipIf(!available)('moves the filtered screens and queues the active ones’ configs', async () => {
    const { city: from, importId } = await seedCity('Wuxi', 12);
    const active = await enrolOne(importId);
    const preview = await json<{ matching: number; affected: number }>(
      await cloud.request('POST', '/v1/screens/bulk/preview', {
        token: operator,
        body: { filter: { city: from, building: 'Tower 1' }, action: { kind: 'move', city: 'Moved' } },
      }),
    );
    expect(preview).toEqual({ matching: 4, affected: 4 });
    // The service alone, as the request runs it: desired state written, nothing published.
    const outcome = await applyBulkAction(
      handle.db,
      { city: from },
      { kind: 'move', building: 'Tower Z', timezone: 'Asia/Tokyo' },
      { expectedScreens: 12, actor: null, now: new Date(cloud.clock.nowMs) },
    );
    expect(outcome).toMatchObject({ screens: 12, configs: 1, revocations: 0 });
    expect(outcome.generation).toBeGreaterThan(0);
    expect(await count(sql`city = ${from} and building = 'Tower Z' and timezone = 'Asia/Tokyo'`)).toBe(12);
    expect(cloud.broker.configs.get(active)?.timezone).not.toBe('Asia/Tokyo');
    const progressOf = async () =>
      json<{ configsPending: number }>(
        await cloud.request('GET', `/v1/screens/bulk/progress?generation=${String(outcome.generation)}`, {
          token: operator,
        }),
      );
    expect((await progressOf()).configsPending).toBe(1);
    // The dispatchers make it true.
    await cloud.settle();
    expect(cloud.broker.configs.get(active)?.timezone).toBe('Asia/Tokyo');
    expect((await progressOf()).configsPending).toBe(0);

    // A count that changed since the operator confirmed it is refused, and nothing moves.
    const stale = await bulk({
      filter: { city: from },
      action: { kind: 'move', city: 'Elsewhere' },
      expectedScreens: 11,
    });
    expect(stale.status).toBe(409);
    expect((await json<ErrorReply>(stale)).error.code).toBe(ErrorCode.SCREEN_SELECTION_CHANGED);
    expect(await count(sql`city = ${from}`)).toBe(12);
    const bad = await bulk({ filter: { city: from }, action: { kind: 'move', timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    const nothing = await bulk({ filter: { city: from }, action: { kind: 'move' } });
    expect(nothing.status).toBe(400);
  });

  it.skipIf(!available)(
    'adds the filtered screens to a group and removes them, counting only changes',
    async () => {
      const { city: place } = await seedCity('Xiamen', 10, 'Lobby');
      const added = await json<BulkReply>(
        await bulk({
          filter: { city: place, building: 'Tower 0' },
          action: { kind: 'add-to-group', groupId: towerId },
        }),
      );
      expect(added.screens).toBe(3);
      const again = await json<BulkReply>(
        await bulk({ filter: { city: place }, action: { kind: 'add-to-group', groupId: towerId } }),
      );
      expect(again.screens).toBe(7);
      const removed = await json<BulkReply>(
        await bulk({
          filter: { city: place, groupId: lobbyId, search: 'Screen 1' },
          action: { kind: 'remove-from-group', groupId: lobbyId },
        }),
      );
      // Screen 1 and Screen 10.
      expect(removed.screens).toBe(2);
      const lobby = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from screen_group_members m join screens s on s.id = m.screen_id
          where s.city = ${place} and m.group_id = ${lobbyId}`,
      );
      expect(int(lobby[0]?.n)).toBe(8);
      const unknown = await bulk({
        filter: { city: place },
        action: { kind: 'add-to-group', groupId: 999_999 },
      });
      expect(unknown.status).toBe(404);
    },
  );

  it.skipIf(!available)(
    'revokes the filtered screens and leaves their broker identities to the dispatcher',
    async () => {
      const { city: place, importId } = await seedCity('Dalian', 5);
      const active = await enrolOne(importId);
      const revokedBefore = cloud.broker.revoked.length;
      const response = await bulk({ filter: { importId }, action: { kind: 'revoke' } });
      expect(response.status).toBe(202);
      expect(await json<BulkReply>(response)).toMatchObject({ screens: 5, revocations: 5, configs: 0 });
      expect(await count(sql`city = ${place} and status = 'revoked' and mqtt_password_hash is null`)).toBe(5);
      // The request did not talk to the broker.
      expect(cloud.broker.revoked.length).toBe(revokedBefore);
      const progress = await json<{ revocationsPending: number }>(
        await cloud.request('GET', '/v1/screens/bulk/progress', { token: operator }),
      );
      expect(progress.revocationsPending).toBeGreaterThanOrEqual(5);
      // Revoked screens are left alone by a second revocation.
      expect(
        (await json<BulkReply>(await bulk({ filter: { importId }, action: { kind: 'revoke' } }))).screens,
      ).toBe(0);

      // The dispatcher removes them; a failing broker backs off and is tried again.
      let failing = true;
      const failed = await dispatchBrokerIdentities({
        db: handle.db,
        kek: cloud.deps.secrets.issuerKek,
        now: () => new Date(cloud.clock.nowMs),
        provision: (screenId, username, password) =>
          cloud.broker.provisionScreen(screenId, username, password),
        remove: () => (failing ? Promise.reject(new Error('broker away')) : Promise.resolve()),
        only: 'absent',
      });
      expect(failed.failed).toBeGreaterThanOrEqual(5);
      failing = false;
      const later = new Date(cloud.clock.nowMs + 3_600_000);
      for (let pass = 0; pass < 20; pass++) {
        const outcome = await dispatchBrokerIdentities({
          db: handle.db,
          kek: cloud.deps.secrets.issuerKek,
          now: () => later,
          provision: (screenId, username, password) =>
            cloud.broker.provisionScreen(screenId, username, password),
          remove: (screenId) => cloud.broker.revokeScreen(screenId),
        });
        if (outcome.claimed === 0) break;
      }
      expect(cloud.broker.revoked).toContain(active);
      const left = await json<{ revocationsPending: number }>(
        await cloud.request('GET', '/v1/screens/bulk/progress', { token: operator }),
      );
      expect(left.revocationsPending).toBe(0);
    },
  );

  it.skipIf(!available)('is for operators only', async () => {
    const advertiser = await advertiserSession(cloud, operator);
    const calls: [string, string, unknown][] = [
      ['POST', '/v1/screens/import?dryRun=true', csvBlob('name,city,building,elevator\nA,B,C,D\n')],
      ['POST', '/v1/screens/enrolment-codes', { filter: {} }],
      ['POST', '/v1/screens/bulk/preview', { filter: {}, action: { kind: 'revoke' } }],
      ['POST', '/v1/screens/bulk', { filter: {}, action: { kind: 'revoke' } }],
      ['GET', '/v1/screens/bulk/progress', undefined],
    ];
    for (const [method, path, body] of calls) {
      const anonymous = await cloud.request(method, path, { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const refused = await cloud.request(method, path, { token: advertiser.token, body });
      expect(refused.status, `${method} ${path}`).toBe(403);
    }
  });
});
