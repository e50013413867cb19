// The `redtap-cloud` CLI as a user runs it, on a file-backed PGlite: migrate, create-operator,
// check-ledger (exit 1 when the invariant fails).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { createLedgerAccount } from '../src/ledger/accounts.ts';

const bin = fileURLToPath(new URL('../bin/redtap-cloud.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'redtap-cli-'));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    // DATABASE_URL is blanked so an outer setting cannot point the CLI at a real database.
    env: { ...process.env, REDTAP_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('redtap-cloud CLI', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, creates an operator once and checks the ledger', () => {
    const migrated = cli('migrate');
    expect(migrated.status).toBe(0);
    expect(migrated.out).toContain('migrations applied (pglite)');
    const created = cli(
      'create-operator',
      '--email',
      'Ops@Example.com',
      '--password',
      'long-enough-password',
    );
    expect(created.status).toBe(0);
    expect(created.out).toContain('operator Ops@Example.com created');
    expect(
      cli('create-operator', '--email', 'ops@example.com', '--password', 'long-enough-password').status,
    ).toBe(1);
    const check = cli('check-ledger');
    expect(check.status).toBe(0);
    expect(check.out).toContain('"ok": true');
  }, 120_000);

  it('exits 1 when the ledger invariant fails', async () => {
    const handle = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'pgdata') });
    try {
      await handle.migrate();
      const account = await createLedgerAccount(handle.db, 'wallet_cash', 1);
      await handle.db.execute(sql`update ledger_accounts set credits_posted_fen = 7 where id = ${account}`);
    } finally {
      await handle.close();
    }
    const check = cli('check-ledger');
    expect(check.status).toBe(1);
    expect(check.out).toContain('"totalFen": 7');
  }, 120_000);
});
