// Backlog drain benchmark: a kiosk enrolled against an embedded cloud (PGlite + aedes) stores --taps
// signed taps while offline, then its agent connects and the clock runs until every tap is settled by an
// ack. Target (DESIGN targets): 100,000 taps settled within 30 s of reconnecting.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import pino from 'pino';
import {
  decodeTapBatch,
  encodeChallenge,
  ENVELOPE_INDEX_NONE,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTapToken,
  TAP_BATCH_SIZE_MAX,
  TapFlag,
  toHex,
  type AckResult,
  type KeyPair,
} from '@redtap/shared';
import { loadEnv, startCloud, type RunningCloud } from '@redtap/cloud';
import {
  backlogCount,
  defaultTapUplinkLimits,
  enrollKiosk,
  kioskPaths,
  loadIdentity,
  loadScreenKey,
  openStore,
  startKioskAgent,
  type KioskAgent,
  type TapUplinkStats,
} from '@redtap/screen-app';
import type { BenchReport } from './report.ts';

const TARGET_S = 30;
const INSERT_CHUNK = 10_000;
const CAMPAIGN_ID = 12;
const OPERATOR = { email: 'bench@example.com', password: 'bench-operator-password' };

async function call(cloud: RunningCloud, token: string | null, method: string, path: string, body?: unknown) {
  const response = await fetch(`${cloud.httpUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Enrols a fresh kiosk in `dataDir` with a screen and one-time code made over the operator API. */
async function enrolBenchKiosk(cloud: RunningCloud, dataDir: string): Promise<number> {
  const login = await call(cloud, null, 'POST', '/v1/auth/login', OPERATOR);
  const token = String(login.token);
  const screen = await call(cloud, token, 'POST', '/v1/screens', {
    name: 'Backlog bench',
    city: 'Shanghai',
    building: 'Bench',
    elevator: 'B1',
  });
  const screenId = Number(screen.id);
  const code = await call(cloud, token, 'POST', `/v1/screens/${screenId}/enrolment-codes`);
  const enrolled = await enrollKiosk({ dataDir, cloudUrl: cloud.httpUrl, code: String(code.code) });
  if (!enrolled.ok) throw new Error(`enrolment failed: ${enrolled.code} ${enrolled.message}`);
  return screenId;
}

interface BenchWallet {
  walletId: number;
  credentialSerial: number;
  phone: KeyPair;
}

/** Registers phones with the cloud, so the real ingest finds their credentials. */
async function registerWallets(cloud: RunningCloud, count: number): Promise<BenchWallet[]> {
  const wallets: BenchWallet[] = [];
  for (let i = 0; i < count; i++) {
    const phone = generateKeyPair();
    const issued = await call(cloud, null, 'POST', '/v1/wallets', { publicKey: toHex(phone.publicKeyRaw) });
    wallets.push({
      walletId: Number(issued.walletId),
      credentialSerial: Number(issued.credentialSerial),
      phone,
    });
  }
  return wallets;
}

/** Writes `taps` pending taps, screen- and phone-signed like the engine's, straight into the outbox. */
function fillOutbox(dataDir: string, taps: number, signed: boolean, wallets: readonly BenchWallet[]): void {
  const paths = kioskPaths(dataDir);
  const store = openStore({ path: paths.storePath });
  try {
    const identity = loadIdentity(store);
    if (identity === null) throw new Error('kiosk is not enrolled');
    const key = loadScreenKey(identity.keyPath);
    if (!key.ok) throw new Error(key.message);
    const insert = store.sqlite.prepare(
      `INSERT INTO taps (counter, token, wallet_id, campaign_id, amount_fen, coupon_offer_id, deck_id,
         envelope_index, flags, created_at, state) VALUES (?, ?, ?, ?, 0, 0, 0, NULL, ?, ?, 'pending')`,
    );
    // Stored while offline a minute ago: recent enough for the cloud's clock-sanity rule.
    const ts = Math.floor(Date.now() / 1000) - 60;
    const unsignedSignature = new Uint8Array(64);
    const bar = new cliProgress.SingleBar({
      format: `filling outbox (signed: ${signed}) [{bar}] {value}/{total}`,
    });
    bar.start(taps, 0);
    const chunk = store.sqlite.transaction((from: number, to: number) => {
      for (let counter = from; counter < to; counter++) {
        const nonce = randomBytes(16);
        const wallet = wallets[counter % wallets.length];
        if (wallet === undefined) throw new Error('no wallets');
        const walletId = wallet.walletId;
        const challenge = encodeChallenge({
          screenId: identity.screenId,
          counter,
          ts,
          nonce,
          campaignId: CAMPAIGN_ID,
        });
        const phoneSignature = signed
          ? sign(SignatureLabel.challenge, challenge, wallet.phone.privateKey)
          : unsignedSignature;
        const token = signTapToken(
          {
            screenId: identity.screenId,
            counter,
            ts,
            nonce,
            campaignId: CAMPAIGN_ID,
            walletId,
            credentialSerial: wallet.credentialSerial,
            phoneSignature,
            deckId: 0,
            envelopeIndex: ENVELOPE_INDEX_NONE,
            amountFen: 0,
            couponOfferId: 0,
            flags: TapFlag.noDeck,
          },
          key.value.privateKey,
        ).bytes;
        insert.run(counter, Buffer.from(token), walletId, CAMPAIGN_ID, TapFlag.noDeck, ts);
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

/** The cloud's tap ingest stand-in: acks every token by counter (bytes 9..12), after decoding the batch. */
function attachFakeResponder(cloud: RunningCloud): void {
  const broker = cloud.deps.broker;
  broker.onTapBatch(async ({ screenId, payload }) => {
    const tokens = decodeTapBatch(payload);
    if (!tokens.ok) return;
    const results: AckResult[] = tokens.value.map((token) => ({
      counter: Buffer.from(token.buffer, token.byteOffset, token.byteLength).readUInt32BE(9),
      status: 'credited',
      amountFen: 0,
    }));
    await broker.publishAck(screenId, { results });
  });
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = new Command()
    .option('--taps <n>', 'taps stored offline before the kiosk connects', '100000')
    .option('--unsigned-phone', 'skip the phone signature per token (faster setup; the screen still signs)')
    .option('--responder <kind>', 'auto (the real ingest when the cloud wires one) | fake | real', 'auto')
    .option('--window <n>', 'tap batches in flight (the agent default when unset)')
    .option('--in-process', 'run the kiosk agent inside the bench process instead of its own')
    .option(
      '--wallets <n>',
      'wallets registered with the cloud and used round-robin (the cloud rate-limits registration)',
      '5',
    )
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<{
      taps: string;
      unsignedPhone?: boolean;
      responder: string;
      wallets: string;
      window?: string;
      inProcess?: boolean;
    }>();
  const taps = Number(options.taps);
  if (!Number.isInteger(taps) || taps < 1 || taps > 10_000_000)
    throw new Error('--taps must be 1..10,000,000');

  const root = mkdtempSync(join(tmpdir(), 'redtap-bench-backlog-'));
  const cloud = await startCloud(
    loadEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_PORT: '0',
      REDTAP_DATA_DIR: join(root, 'cloud'),
      REDTAP_TOPIC_ROOT: `redtap-bench/${Date.now().toString(36)}`,
      LOG_LEVEL: 'warn',
      REDTAP_OPERATOR_EMAIL: OPERATOR.email,
      REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
    }),
  );
  try {
    // The real redemption ingest answers when startCloud wires one; the fake responder acks each token by
    // counter on the embedded broker, so only the kiosk side (outbox, pipeline, MQTT) is measured.
    const hasIngest = (cloud.deps as { redemption?: unknown }).redemption !== undefined;
    const useReal = options.responder === 'real' || (options.responder === 'auto' && hasIngest);
    if (useReal && !hasIngest) throw new Error('--responder real: this cloud wires no redemption ingest');
    const responder = useReal
      ? 'real cloud ingest (redemption on PGlite)'
      : hasIngest
        ? 'fake + real ingest both attached (first answer wins)'
        : 'fake (acks by counter on the embedded broker; no cloud ingest wired)';
    if (!useReal) attachFakeResponder(cloud);
    const dataDir = join(root, 'kiosk');
    const screenId = await enrolBenchKiosk(cloud, dataDir);
    const wallets = await registerWallets(cloud, Math.max(1, Number(options.wallets)));
    const fillStart = performance.now();
    fillOutbox(dataDir, taps, options.unsignedPhone !== true, wallets);
    const fillS = (performance.now() - fillStart) / 1000;

    const window = options.window === undefined ? undefined : Number(options.window);
    const drain =
      options.inProcess === true
        ? await drainInProcess(dataDir, taps, window)
        : await drainInChild(dataDir, taps, window);
    const store = openStore({ path: kioskPaths(dataDir).storePath });
    let backlog: number;
    let outcomes: { status: string; code: string; n: number }[];
    try {
      backlog = backlogCount(store);
      outcomes = store.sqlite
        .prepare(
          `SELECT coalesce(ack_status, 'pending') AS status, coalesce(ack_code, '') AS code, count(*) AS n
           FROM taps GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10`,
        )
        .all() as { status: string; code: string; n: number }[];
    } finally {
      store.close();
    }
    const { connectedAt, settledAt, stats } = drain;
    const drainS = connectedAt !== null && settledAt !== null ? (settledAt - connectedAt) / 1000 : Number.NaN;
    return {
      name: 'backlog',
      rows: [
        { metric: 'taps stored offline', result: taps.toLocaleString('en') },
        {
          metric: 'kiosk agent',
          result: options.inProcess === true ? 'in the cloud process' : 'own process (as on a real kiosk)',
        },
        { metric: 'ack responder', result: responder },
        { metric: 'outbox fill (signing + insert)', result: `${fillS.toFixed(1)} s` },
        {
          metric: 'connect → all settled',
          target: `≤ ${TARGET_S} s`,
          result: Number.isNaN(drainS) ? `not settled (backlog ${backlog})` : `${drainS.toFixed(2)} s`,
          pass: !Number.isNaN(drainS) && drainS <= TARGET_S && backlog === 0,
        },
        {
          metric: 'ack outcomes',
          result: outcomes.map((o) => `${o.status}${o.code === '' ? '' : ` ${o.code}`}: ${o.n}`).join(', '),
        },
        {
          metric: 'drain rate',
          result: Number.isNaN(drainS) ? 'n/a' : `${Math.round(taps / drainS)} taps/s`,
        },
        {
          metric: 'batches / window / ack timeouts',
          result: `${stats.batchesSent} × ≤${TAP_BATCH_SIZE_MAX} / ${window ?? defaultTapUplinkLimits.inFlightBatchesMax} in flight / ${stats.ackTimeouts}`,
        },
      ],
      data: { taps, screenId, fillS, drainS, backlog, stats, responder, outcomes },
    };
  } finally {
    await cloud.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

interface DrainTiming {
  connectedAt: number | null;
  settledAt: number | null;
  stats: Pick<TapUplinkStats, 'batchesSent' | 'ackTimeouts' | 'settled'>;
}

const NO_STATS = { batchesSent: 0, ackTimeouts: 0, settled: 0 };
const DRAIN_WAIT_MS = 10 * TARGET_S * 1000;

function syncLimitsFor(window: number | undefined) {
  return { heartbeatIntervalMs: 5_000, ...(window === undefined ? {} : { inFlightBatchesMax: window }) };
}

/** The agent in this process: simplest, but it competes with the cloud for the same event loop. */
async function drainInProcess(
  dataDir: string,
  taps: number,
  window: number | undefined,
): Promise<DrainTiming> {
  const bar = new cliProgress.SingleBar({ format: 'settling [{bar}] {value}/{total} taps {duration}s' });
  const timing: DrainTiming = { connectedAt: null, settledAt: null, stats: NO_STATS };
  const holder: { agent?: KioskAgent } = {};
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const started = await startKioskAgent({
    dataDir,
    logger: pino({ level: 'warn' }),
    syncLimits: syncLimitsFor(window),
    onSyncEvent: (event) => {
      if (event.type === 'connected' && timing.connectedAt === null) {
        timing.connectedAt = performance.now();
        bar.start(taps, 0);
      }
      const agent = holder.agent;
      if (event.type !== 'ack' || agent === undefined) return;
      timing.stats = agent.sync.stats();
      bar.update(timing.stats.settled);
      if (timing.stats.settled >= taps && timing.settledAt === null) {
        timing.settledAt = performance.now();
        resolveDone();
      }
    },
  });
  if (!started.ok) throw new Error(`agent: ${started.code} ${started.message}`);
  holder.agent = started.agent;
  try {
    await Promise.race([done, new Promise<void>((resolve) => setTimeout(resolve, DRAIN_WAIT_MS).unref())]);
  } finally {
    bar.stop();
    await started.agent.stop();
  }
  return timing;
}

/** The agent in a child process, as on a real kiosk: it reports progress as JSON lines on stdout. */
async function drainInChild(dataDir: string, taps: number, window: number | undefined): Promise<DrainTiming> {
  const bar = new cliProgress.SingleBar({ format: 'settling [{bar}] {value}/{total} taps {duration}s' });
  const timing: DrainTiming = { connectedAt: null, settledAt: null, stats: NO_STATS };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), KIOSK_CHILD_FLAG, dataDir, String(window ?? 0)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as { type: string; stats?: DrainTiming['stats']; error?: string };
      if (message.type === 'connected' && timing.connectedAt === null) {
        timing.connectedAt = performance.now();
        bar.start(taps, 0);
      } else if (message.type === 'ack' && message.stats !== undefined) {
        timing.stats = message.stats;
        bar.update(message.stats.settled);
        if (message.stats.settled >= taps && timing.settledAt === null) {
          timing.settledAt = performance.now();
          resolveDone();
        }
      } else if (message.type === 'error') {
        console.error(`kiosk agent: ${message.error ?? 'failed'}`);
        resolveDone();
      }
    }
  });
  try {
    await Promise.race([
      done,
      exited,
      new Promise<void>((resolve) => setTimeout(resolve, DRAIN_WAIT_MS).unref()),
    ]);
  } finally {
    bar.stop();
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
  }
  return timing;
}

const KIOSK_CHILD_FLAG = '--backlog-kiosk-child';

/** Child mode: `node --import tsx backlog.ts --backlog-kiosk-child <dataDir> <window>`. */
async function runKioskChild(dataDir: string, window: number): Promise<void> {
  const say = (message: Record<string, unknown>) => writeSync(1, `${JSON.stringify(message)}\n`);
  const holder: { agent?: KioskAgent } = {};
  const started = await startKioskAgent({
    dataDir,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    syncLimits: syncLimitsFor(window > 0 ? window : undefined),
    onSyncEvent: (event) => {
      if (event.type === 'connected') say({ type: 'connected' });
      const agent = holder.agent;
      if (event.type === 'ack' && agent !== undefined) {
        const { batchesSent, ackTimeouts, settled } = agent.sync.stats();
        say({ type: 'ack', stats: { batchesSent, ackTimeouts, settled } });
      }
    },
  });
  if (!started.ok) {
    say({ type: 'error', error: `${started.code}: ${started.message}` });
    process.exit(1);
  }
  holder.agent = started.agent;
  process.on('SIGTERM', () => {
    started.agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

if (process.argv[2] === KIOSK_CHILD_FLAG && process.argv[1] === fileURLToPath(import.meta.url)) {
  await runKioskChild(process.argv[3] ?? '', Number(process.argv[4] ?? 0));
}
