// PGlite on a worker thread: the embedded database's single-threaded engine runs beside the cloud's
// main thread instead of on it, so decoding, judging and acknowledging taps, and answering HTTP, go on
// while a statement executes. It offers the part of PGlite's interface that drizzle's PGlite driver uses
// (`query` and `transaction`), with PGlite's own rule: one statement at a time, and nothing else runs
// while a transaction is open.
import { Worker } from 'node:worker_threads';
import { assert } from '@redtap/shared';

export interface ThreadedQueryOptions {
  rowMode?: 'array' | 'object';
  /** Drizzle passes identity parsers (keep dates and timestamps as text): only their type ids cross. */
  parsers?: Record<number, unknown>;
}

export interface ThreadedResults<T = unknown> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

export interface ThreadedTransaction {
  query<T>(sql: string, params?: unknown[], options?: ThreadedQueryOptions): Promise<ThreadedResults<T>>;
}

interface Request {
  id: number;
  op: 'query' | 'close';
  sql?: string;
  params?: unknown[];
  rowMode?: 'array' | 'object';
  rawTypes?: number[];
}

type Reply =
  | { id: number; ok: true; result: ThreadedResults }
  | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

// CommonJS, evaluated: it loads PGlite's ES module by the URL the main thread resolved, so it runs the
// same under tsx and plain node. Requests are handled strictly in arrival order.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const identity = (value) => value;
const ERROR_FIELDS = ['name', 'code', 'severity', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery',
  'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'];
const ready = import(workerData.pgliteUrl).then(async ({ PGlite }) => {
  const db = workerData.dataDir === null ? new PGlite() : new PGlite(workerData.dataDir);
  await db.waitReady;
  return db;
});
let queue = Promise.resolve();
parentPort.on('message', (request) => {
  queue = queue.then(async () => {
    try {
      const db = await ready;
      if (request.op === 'close') {
        await db.close();
        parentPort.postMessage({ id: request.id, ok: true, result: { rows: [], fields: [] } });
        return;
      }
      const parsers = {};
      for (const type of request.rawTypes) parsers[type] = identity;
      const result = await db.query(request.sql, request.params, { rowMode: request.rowMode, parsers });
      parentPort.postMessage({
        id: request.id,
        ok: true,
        result: { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows },
      });
    } catch (error) {
      const copy = { message: error instanceof Error ? error.message : String(error) };
      for (const field of ERROR_FIELDS) if (error != null && error[field] !== undefined) copy[field] = error[field];
      parentPort.postMessage({ id: request.id, ok: false, error: copy });
    }
  });
});
`;

/** An error from the worker, carrying PostgreSQL's fields (`code` is the SQLSTATE) like PGlite's own. */
export class ThreadedDatabaseError extends Error {
  constructor(fields: Record<string, unknown> & { message: string }) {
    super(fields.message);
    Object.assign(this, fields);
    this.name = typeof fields.name === 'string' ? fields.name : 'DatabaseError';
  }
}

export class ThreadedPglite {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (result: ThreadedResults) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  /** The tail of the exclusive section: a standalone query or a whole transaction. */
  private exclusive: Promise<void> = Promise.resolve();
  private closed = false;
  private closing = false;

  private constructor(dataDir: string | undefined) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { dataDir: dataDir ?? null, pgliteUrl: import.meta.resolve('@electric-sql/pglite') },
    });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      if (entry === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) entry.resolve(reply.result);
      else entry.reject(new ThreadedDatabaseError(reply.error));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (this.closing) return;
      const error = new Error(`the database thread exited unexpectedly (code ${code})`);
      this.failAll(error);
      // As a crash of the engine in process would: the process ends, and PGlite recovers from its
      // write-ahead log at the next start. Serving on without a database would only fail every request.
      setImmediate(() => {
        throw error;
      });
    });
  }

  /** Starts the thread and waits until PGlite is ready (in memory when `dataDir` is undefined). */
  static async open(dataDir: string | undefined): Promise<ThreadedPglite> {
    const db = new ThreadedPglite(dataDir);
    await db.query('select 1');
    return db;
  }

  query<T>(
    sql: string,
    params: unknown[] = [],
    options: ThreadedQueryOptions = {},
  ): Promise<ThreadedResults<T>> {
    return this.runExclusive(() => this.send<T>(sql, params, options));
  }

  /** BEGIN, `work`, COMMIT (ROLLBACK when it throws); every other query waits until it ends. */
  transaction<T>(work: (tx: ThreadedTransaction) => Promise<T>): Promise<T> {
    return this.runExclusive(async () => {
      let open = true;
      const tx: ThreadedTransaction = {
        query: <R>(sql: string, params: unknown[] = [], options: ThreadedQueryOptions = {}) => {
          assert(open, 'query on a finished transaction');
          return this.send<R>(sql, params, options);
        },
      };
      await this.send('begin');
      try {
        const result = await work(tx);
        await this.send('commit');
        return result;
      } catch (error) {
        await this.send('rollback').catch(() => undefined);
        throw error;
      } finally {
        open = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    await this.runExclusive(() => this.request({ id: 0, op: 'close' }));
    this.closed = true;
    await this.worker.terminate();
  }

  private runExclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(work);
    this.exclusive = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private send<T>(
    sql: string,
    params: unknown[] = [],
    options: ThreadedQueryOptions = {},
  ): Promise<ThreadedResults<T>> {
    return this.request({
      id: 0,
      op: 'query',
      sql,
      params,
      rowMode: options.rowMode ?? 'object',
      rawTypes: Object.keys(options.parsers ?? {}).map(Number),
    }) as Promise<ThreadedResults<T>>;
  }

  private request(request: Request): Promise<ThreadedResults> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  private failAll(error: Error): void {
    this.closed = true;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}
