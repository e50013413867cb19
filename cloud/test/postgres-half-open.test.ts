// A half-open link to PostgreSQL (the path goes silent, neither end is told): a query on it must fail
// in bounded time, a transaction on it must not keep its row locks, and the pool must carry on over
// fresh connections once the path is back, instead of reusing the dead one.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { queryRows } from '../src/db/rows.ts';
import { createPostgresDatabase, testEngines } from './databases.ts';

const postgres = (await testEngines()).find((engine) => engine.engine === 'postgres');
const ci = process.env.CI === 'true';

/** A TCP proxy to PostgreSQL that can swallow every byte of the connections open at that moment. */
async function silencingProxy(
  target: URL,
): Promise<{ port: number; silence(): void; close(): Promise<void> }> {
  const open = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    const pair = { client, upstream, silent: false };
    open.add(pair);
    client.on('data', (chunk: Buffer) => pair.silent || upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => pair.silent || client.write(chunk));
    const close = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    port,
    silence: () => {
      for (const pair of open) pair.silent = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of open) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(postgres?.available !== true && !ci)('PostgreSQL pool over a half-open link', () => {
  let drop: (() => Promise<void>) | undefined;
  let direct: DatabaseHandle | undefined;
  let proxied: DatabaseHandle | undefined;
  let proxy: Awaited<ReturnType<typeof silencingProxy>> | undefined;

  beforeAll(async () => {
    expect(postgres?.reason ?? 'no engine list').toBe('');
    const database = await createPostgresDatabase();
    drop = database.drop;
    direct = await openDatabase({ engine: 'postgres', url: database.url, poolSizeMax: 2 });
    await direct.db.execute(sql`create table locks_probe (id int primary key, n int not null)`);
    await direct.db.execute(sql`insert into locks_probe values (1, 0)`);
    const url = new URL(database.url);
    proxy = await silencingProxy(new URL(database.url));
    url.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({
      engine: 'postgres',
      url: url.toString(),
      poolSizeMax: 1,
      timeouts: { queryMs: 1_000, statementMs: 800, idleInTransactionMs: 1_000, socketSilenceMs: 1_500 },
    });
  });

  afterAll(async () => {
    await proxied?.close().catch(() => undefined);
    await proxy?.close();
    await direct?.close();
    await drop?.();
  });

  it('fails the stuck query, frees its locks and serves the next query on a fresh connection', async () => {
    if (proxied === undefined || direct === undefined || proxy === undefined) throw new Error('no setup');
    const db = proxied.db;
    const stuck = db.transaction(async (tx) => {
      await tx.execute(sql`update locks_probe set n = n + 1 where id = 1`);
      proxy?.silence();
      await tx.execute(sql`select 1`);
    });
    await expect(stuck).rejects.toThrow();
    // The server ended the idle transaction: another session can take the row lock (bounded wait).
    await direct.db.execute(sql`set lock_timeout = '5s'`);
    await direct.db.execute(sql`update locks_probe set n = n + 10 where id = 1`);
    // The dead connection is discarded, so the one-connection pool works again.
    const deadline = Date.now() + 10_000;
    let value: unknown;
    for (;;) {
      try {
        value = (await queryRows<{ n: number }>(db, sql`select n from locks_probe where id = 1`))[0];
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(value).toEqual({ n: 10 });
  });
});
