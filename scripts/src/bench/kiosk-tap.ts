// Kiosk tap engine benchmark: a full engine tap (credential and phone-signature verify, envelope draw,
// token signing, durable commit with synchronous=FULL on a real file), and the RSS of a kiosk process
// holding a store of --taps stored taps while it runs its sync queries and keeps tapping.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import * as esbuild from 'esbuild';
import { Command } from 'commander';
import {
  encodeHello,
  generateKeyPair,
  sign,
  SignatureLabel,
  signCredential,
  signDeck,
  toHex,
  type KeyPair,
  type ScreenConfig,
} from '@redtap/shared';
import {
  backlogCount,
  lastCommittedCounter,
  MIGRATIONS_FOLDER,
  openStore,
  pendingTapsInCounterOrder,
  saveConfig,
  saveIdentity,
  TapEngine,
  type Store,
} from '@redtap/screen-app';
import { summarize } from '../lib/stats.ts';
import type { BenchReport } from './report.ts';

const SCREEN_ID = 1001;
const CAMPAIGN_ID = 12;
const WALLETS = 200;
const TAP_P99_TARGET_MS = 2;
const RSS_TARGET_MB = 100;
const INSERT_CHUNK = 50_000;
const RSS_CHILD_TIMEOUT_MS = 120_000;

interface Keys {
  issuer: KeyPair;
  phone: KeyPair;
  screen: KeyPair;
}

function enrol(store: Store, keys: Keys, now: number): void {
  saveIdentity(store, {
    screenId: SCREEN_ID,
    keyPath: 'bench',
    publicKey: keys.screen.publicKeyRaw,
    mqtt: {
      url: 'mqtt://127.0.0.1:1883',
      username: `screen-${SCREEN_ID}`,
      password: 'bench',
      topicRoot: 'bench',
    },
    issuerKeys: [{ keyId: 1, publicKey: keys.issuer.publicKeyRaw }],
    enrolledAt: now,
  });
  const config: ScreenConfig = {
    version: 1,
    issuedAt: now,
    timezone: 'Asia/Shanghai',
    issuerKeys: [{ keyId: 1, publicKey: toHex(keys.issuer.publicKeyRaw) }],
    campaigns: [
      {
        campaignId: CAMPAIGN_ID,
        name: 'bench',
        sponsor: 'bench',
        cashPerWalletPerDay: 100,
        fallbackCouponOfferId: 0,
        couponOffers: [],
      },
    ],
    playlist: [],
    creatives: [],
    revocation: { version: 1, credentials: ['1:1', '2:1', '3:1'] },
    deckRefillThreshold: 100,
  };
  saveConfig(store, config, now);
}

function hellos(keys: Keys, now: number): Uint8Array[] {
  return Array.from({ length: WALLETS }, (_, i) =>
    encodeHello({
      flags: 0,
      credential: signCredential(
        {
          walletId: 10_000 + i,
          credentialSerial: 1,
          phonePublicKey: keys.phone.publicKeyRaw,
          expiresAt: now + 86_400 * 365,
          issuerKeyId: 1,
        },
        keys.issuer.privateKey,
      ),
    }),
  );
}

function storeDecks(engine: TapEngine, keys: Keys, now: number, envelopesNeeded: number): void {
  for (let deckId = 1; envelopesNeeded > 0; deckId++) {
    const count = Math.min(0xffff, envelopesNeeded);
    envelopesNeeded -= count;
    const { bytes } = signDeck(
      {
        deckId,
        campaignId: CAMPAIGN_ID,
        screenId: SCREEN_ID,
        validFrom: now - 3600,
        validUntil: now + 86_400,
        envelopes: Array.from({ length: count }, (_, i) => ({ amountFen: 1 + (i % 200), couponOfferId: 0 })),
        issuerKeyId: 1,
      },
      keys.issuer.privateKey,
    );
    const receipt = engine.storeDeck(bytes);
    if (receipt.status !== 'stored') throw new Error(`deck rejected: ${String(receipt.code)}`);
  }
}

interface LatencyResult {
  totalMs: number[];
  beginMs: number[];
  completeMs: number[];
}

/** Engine time only: the phone's signing happens between the two calls and is not counted. */
async function measureTaps(
  dir: string,
  taps: number,
  warmup: number,
  synchronous: 'FULL' | 'NORMAL',
): Promise<LatencyResult> {
  const keys: Keys = { issuer: generateKeyPair(), phone: generateKeyPair(), screen: generateKeyPair() };
  const now = Math.floor(Date.now() / 1000);
  const store = openStore({ path: join(dir, `latency-${synchronous}.db`) });
  // NORMAL only to separate our code's share from the disk's fsync; the kiosk always runs FULL.
  store.sqlite.pragma(`synchronous = ${synchronous}`);
  try {
    enrol(store, keys, now);
    const engine = new TapEngine({
      store,
      screenKey: keys.screen.privateKey,
      screenPublicKeyRaw: keys.screen.publicKeyRaw,
    });
    storeDecks(engine, keys, now, taps + warmup);
    const helloBytes = hellos(keys, now);
    const result: LatencyResult = { totalMs: [], beginMs: [], completeMs: [] };
    const bar = new cliProgress.SingleBar({
      format: `engine taps, synchronous=${synchronous} [{bar}] {value}/{total} {eta}s left`,
    });
    bar.start(taps + warmup, 0);
    for (let i = 0; i < taps + warmup; i++) {
      const hello = helloBytes[i % WALLETS] ?? new Uint8Array(0);
      const t0 = process.hrtime.bigint();
      const begun = await engine.beginTap(hello);
      const t1 = process.hrtime.bigint();
      if (!begun.ok) throw new Error(`beginTap: ${begun.code}`);
      const signature = sign(SignatureLabel.challenge, begun.session.challenge, keys.phone.privateKey);
      const t2 = process.hrtime.bigint();
      const done = engine.completeTap(begun.session, signature);
      const t3 = process.hrtime.bigint();
      if (!done.ok || done.prize.envelopeIndex === null) throw new Error('tap did not draw an envelope');
      if (i >= warmup) {
        const beginMs = Number(t1 - t0) / 1e6;
        const completeMs = Number(t3 - t2) / 1e6;
        result.beginMs.push(beginMs);
        result.completeMs.push(completeMs);
        result.totalMs.push(beginMs + completeMs);
      }
      if (i % 250 === 0) bar.update(i);
      // Taps arrive as reader events, never back to back: yield to the event loop as a driver does, so
      // the engine's deferred WAL checkpoint runs between taps as it would on a kiosk.
      await new Promise((resolve) => setImmediate(resolve));
    }
    bar.update(taps + warmup);
    bar.stop();
    if (lastCommittedCounter(store) !== taps + warmup) throw new Error('counter does not match the taps run');
    return result;
  } finally {
    store.close();
  }
}

/** The disk's floor: one 196-byte insert per durable commit, same file system, same pragmas. */
function measureCommitFloor(dir: string, commits: number): number[] {
  const store = openStore({ path: join(dir, 'floor.db') });
  try {
    store.sqlite.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, token BLOB NOT NULL)');
    const insert = store.sqlite.prepare('INSERT INTO floor (token) VALUES (?)');
    const token = randomBytes(196);
    const samples: number[] = [];
    for (let i = 0; i < commits; i++) {
      const t0 = process.hrtime.bigint();
      insert.run(token);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (i % 100 === 99) store.sqlite.pragma('wal_checkpoint(PASSIVE)');
    }
    return samples;
  } finally {
    store.close();
  }
}

/** Fills a store with `taps` pending taps through one prepared insert in large transactions. */
function fillStore(path: string, taps: number): void {
  const store = openStore({ path });
  try {
    const insert = store.sqlite.prepare(
      `INSERT INTO taps (counter, token, wallet_id, campaign_id, amount_fen, coupon_offer_id, deck_id,
        envelope_index, flags, created_at, state) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 0, ?, 'pending')`,
    );
    const token = randomBytes(196);
    const now = Math.floor(Date.now() / 1000);
    const bar = new cliProgress.SingleBar({ format: 'filling store [{bar}] {value}/{total} taps' });
    bar.start(taps, 0);
    const chunk = store.sqlite.transaction((from: number, to: number) => {
      for (let counter = from; counter < to; counter++) {
        token.writeUInt32BE(counter, 9);
        insert.run(
          counter,
          token,
          10_000 + (counter % 5000),
          CAMPAIGN_ID,
          1 + (counter % 200),
          1 + Math.floor(counter / 0xffff),
          counter % 0xffff,
          now,
        );
      }
    });
    for (let from = 1; from <= taps; from += INSERT_CHUNK) {
      const to = Math.min(taps + 1, from + INSERT_CHUNK);
      chunk(from, to);
      bar.update(to - 1);
    }
    bar.stop();
    store.sqlite.prepare('UPDATE tap_counter SET last_committed = ? WHERE id = 1').run(taps);
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
}

interface RssReport {
  rssMb: number;
  rssAfterOpenMb: number;
  heapUsedMb: number;
  backlog: number;
  backlogMs: number;
  batchMs: number;
  tapsAfter: number;
}

/** Child mode: a fresh kiosk process opens the big store and does what the agent does all day. */
async function rssChild(path: string, migrationsFolder: string): Promise<void> {
  const store = openStore({ path, migrationsFolder });
  const rssAfterOpenMb = process.memoryUsage().rss / 2 ** 20;
  const keys: Keys = { issuer: generateKeyPair(), phone: generateKeyPair(), screen: generateKeyPair() };
  const now = Math.floor(Date.now() / 1000);
  enrol(store, keys, now);
  const engine = new TapEngine({
    store,
    screenKey: keys.screen.privateKey,
    screenPublicKeyRaw: keys.screen.publicKeyRaw,
  });
  const helloBytes = hellos(keys, now).slice(0, 20);
  let backlog = 0;
  let backlogMs = 0;
  let batchMs = 0;
  let tapsAfter = 0;
  for (let round = 0; round < 20; round++) {
    const t0 = performance.now();
    backlog = backlogCount(store);
    const t1 = performance.now();
    const batch = pendingTapsInCounterOrder(store, 500);
    const t2 = performance.now();
    if (batch.length !== 500) throw new Error('expected a full batch');
    backlogMs = Math.max(backlogMs, t1 - t0);
    batchMs = Math.max(batchMs, t2 - t1);
    for (const hello of helloBytes) {
      const begun = await engine.beginTap(hello);
      if (!begun.ok) throw new Error(begun.code);
      const done = engine.completeTap(
        begun.session,
        sign(SignatureLabel.challenge, begun.session.challenge, keys.phone.privateKey),
      );
      if (!done.ok) throw new Error(done.code);
      tapsAfter++;
    }
  }
  const memory = process.memoryUsage();
  const report: RssReport = {
    rssMb: memory.rss / 2 ** 20,
    rssAfterOpenMb,
    heapUsedMb: memory.heapUsed / 2 ** 20,
    backlog,
    backlogMs,
    batchMs,
    tapsAfter,
  };
  store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Runs this file under tsx, or its bundle under plain node (how a packaged kiosk runs). */
/**
 * The kiosk's memory settings (docs/kiosk.md): glibc keeps at most two malloc arenas, and V8's young
 * generation stays small, since the kiosk's heap is a few tens of MB.
 */
const KIOSK_RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' };
const KIOSK_RUNTIME_NODE_ARGS = ['--max-semi-space-size=1'];

function runRssChild(nodeArgs: string[], path: string, env: Record<string, string> = {}): Promise<RssReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--rss-child', path, MIGRATIONS_FOLDER], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RSS_CHILD_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`RSS child exited with ${String(code)}`));
      else resolve(JSON.parse(line) as RssReport);
    });
  });
}

/**
 * Bundles this file with esbuild so the RSS child runs on plain node, as a packaged kiosk does: tsx's
 * loader runs in its own thread and adds ~40 MB that a packaged kiosk does not carry.
 */
async function bundleSelf(): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  // Inside node_modules so the external native module (better-sqlite3) resolves from the bundle.
  const outfile = join(
    here,
    '..',
    '..',
    '..',
    '..',
    'node_modules',
    '.cache',
    'redtap-bench',
    'kiosk-tap.mjs',
  );
  await esbuild.build({
    entryPoints: [here],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // vite is only imported (dynamically) to build a missing screen renderer, never in this child.
    external: ['better-sqlite3', 'vite'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = new Command()
    .option('--latency-taps <n>', 'measured engine taps', '5000')
    .option('--warmup <n>', 'unmeasured taps first', '500')
    .option('--taps <n>', 'stored taps for the RSS measurement (0 skips it)', '1000000')
    .option('--dir <path>', 'where the SQLite files go (a real disk, not tmpfs)')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<{ latencyTaps: string; warmup: string; taps: string; dir?: string }>();
  const latencyTaps = Number(options.latencyTaps);
  const storedTaps = Number(options.taps);
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'redtap-bench-kiosk-'));
  try {
    const latency = await measureTaps(dir, latencyTaps, Number(options.warmup), 'FULL');
    const noFsync = summarize(
      (await measureTaps(dir, latencyTaps, Number(options.warmup), 'NORMAL')).totalMs,
    );
    const floor = summarize(measureCommitFloor(dir, latencyTaps));
    const total = summarize(latency.totalMs);
    const begin = summarize(latency.beginMs);
    const complete = summarize(latency.completeMs);
    const rows: BenchReport['rows'] = [
      {
        metric: `engine tap p99 (${total.count} taps, synchronous=FULL)`,
        target: `≤ ${TAP_P99_TARGET_MS} ms`,
        result: `${total.p99.toFixed(3)} ms`,
        pass: total.p99 <= TAP_P99_TARGET_MS,
      },
      { metric: 'engine tap p50', result: `${total.p50.toFixed(3)} ms` },
      { metric: 'engine tap max', result: `${total.max.toFixed(3)} ms` },
      { metric: 'beginTap p50 / p99', result: `${begin.p50.toFixed(3)} / ${begin.p99.toFixed(3)} ms` },
      {
        metric: 'completeTap p50 / p99',
        result: `${complete.p50.toFixed(3)} / ${complete.p99.toFixed(3)} ms`,
      },
      {
        metric: 'disk floor: bare 196 B insert, synchronous=FULL, p50 / p99',
        result: `${floor.p50.toFixed(3)} / ${floor.p99.toFixed(3)} ms`,
      },
      {
        metric: 'our code share: engine tap with synchronous=NORMAL, p50 / p99',
        result: `${noFsync.p50.toFixed(3)} / ${noFsync.p99.toFixed(3)} ms`,
      },
    ];
    const data: Record<string, unknown> = { total, begin, complete, floor, noFsync };
    if (storedTaps > 0) {
      const path = join(dir, 'rss.db');
      fillStore(path, storedTaps);
      const fileMb = statSync(path).size / 2 ** 20;
      const bundle = await bundleSelf();
      const rss = await runRssChild([...KIOSK_RUNTIME_NODE_ARGS, bundle], path, KIOSK_RUNTIME_ENV);
      const nodeDefaults = await runRssChild([bundle], path);
      const underTsx = await runRssChild(['--import', 'tsx', fileURLToPath(import.meta.url)], path);
      rows.push(
        {
          metric: `kiosk RSS with ${storedTaps.toLocaleString('en')} stored taps (bundled, kiosk memory settings)`,
          target: `≤ ${RSS_TARGET_MB} MB`,
          result: `${rss.rssMb.toFixed(1)} MB`,
          pass: rss.rssMb <= RSS_TARGET_MB,
        },
        { metric: 'same, with Node and glibc defaults', result: `${nodeDefaults.rssMb.toFixed(1)} MB` },
        { metric: 'RSS right after opening the store', result: `${rss.rssAfterOpenMb.toFixed(1)} MB` },
        { metric: 'same process under tsx (dev loader)', result: `${underTsx.rssMb.toFixed(1)} MB` },
        { metric: 'store file size', result: `${fileMb.toFixed(0)} MB` },
        { metric: 'backlogCount max', result: `${rss.backlogMs.toFixed(1)} ms (${rss.backlog} pending)` },
        { metric: 'pending batch of 500 max', result: `${rss.batchMs.toFixed(2)} ms` },
      );
      data.rss = { ...rss, fileMb, storedTaps, nodeDefaults, underTsx };
    }
    return { name: 'kiosk-tap', rows, data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedPath = process.argv[1];
if (
  invokedPath !== undefined &&
  import.meta.url === pathToFileURL(invokedPath).href &&
  process.argv[2] === '--rss-child'
) {
  const [path, migrationsFolder] = process.argv.slice(3);
  if (path === undefined || migrationsFolder === undefined)
    throw new Error('--rss-child <store> <migrations>');
  await rssChild(path, migrationsFolder);
}
