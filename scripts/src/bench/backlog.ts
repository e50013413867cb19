// Backlog drain benchmark: a kiosk enrolled against an embedded cloud (PGlite + aedes) holds --taps
// signed taps in its outbox, made while it was offline, then its agent connects and the clock runs until
// every tap is settled by an ack. Target (DESIGN targets): 100,000 taps settled within 30 s of reconnecting.
//
// The taps are real ones the cloud credits: each draws the next envelope of a real deck of a funded,
// active campaign (the decks issued by the cloud's own issueDeck, escrow and all), by a phone registered
// as a wallet, and the wallets take turns so no per-wallet daily cap is reached. One screen may take a
// tap only every `tapIntervalMinS` seconds (the cloud's tap-rate rule), so 100,000 taps span 56 hours of
// kiosk time: the decks are issued before the first tap with a validity covering that span (the cloud's
// own decks last at most a day), the one setting changed from the cloud's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import {
  decodeTapBatch,
  encodeChallenge,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTapToken,
  TAP_BATCH_SIZE_MAX,
  type AckResult,
  type KeyPair,
} from '@redtap/shared';
import {
  checkLedger,
  createAdvertiser,
  fundAdvertiser,
  issueDeck,
  loadEnv,
  registerWallet,
  SECRET_SCRYPT,
  startCloud,
  type MoneySettings,
  type RedemptionService,
  type RunningCloud,
} from '@redtap/cloud';
import { createActiveCampaign } from '../lib/bench-campaign.ts';
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
const OPERATOR = { email: 'bench@example.com', password: 'bench-operator-password' };
const SCREEN = { city: 'Shanghai', building: 'Bench' };
/** The cloud's largest deck. */
const DECK_SIZE = 2_000;
/** Two tiers, as an advertiser would plan a pool: 20,000 × ¥0.88 and 40,000 × ¥0.08 (mean 34.7 fen). */
const CAMPAIGN_TIERS = [
  { amountFen: 88, count: 20_000 },
  { amountFen: 8, count: 40_000 },
];
const ENVELOPES_PER_CAMPAIGN = CAMPAIGN_TIERS.reduce((sum, tier) => sum + tier.count, 0);
const CAMPAIGN_BUDGET_FEN = CAMPAIGN_TIERS.reduce((sum, tier) => sum + tier.amountFen * tier.count, 0);
/** A brand's usual rule; the wallets' turns keep each one below it. */
const CASH_PER_WALLET_PER_DAY = 10;
const REGISTRATION_CONCURRENCY = 16;
/** The last tap was made this long before the benchmark, the decks issued this long before the first. */
const LEAD_S = 60;

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
    ...SCREEN,
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

interface BenchDeck {
  deckId: number;
  campaignId: number;
  envelopes: [number, number][];
}

/** When the kiosk made its taps: one every `spacingS`, the last LEAD_S before now. */
interface Timeline {
  firstTs: number;
  spacingS: number;
  /** When the wallets were registered and the decks issued, before the first tap. */
  issuedS: number;
  nowS: number;
}

function timelineFor(taps: number, money: MoneySettings): Timeline {
  const nowS = Math.floor(Date.now() / 1000);
  // The tap-rate rule holds `tapRateWindow` taps made in less than window × tapIntervalMinS seconds.
  const spacingS = money.tapIntervalMinS;
  const firstTs = nowS - LEAD_S - (taps - 1) * spacingS;
  return { firstTs, spacingS, issuedS: firstTs - LEAD_S, nowS };
}

/** Registers phones with the cloud's own service (the HTTP route limits registrations per address). */
async function registerWallets(cloud: RunningCloud, count: number, at: Date): Promise<BenchWallet[]> {
  const wallets: BenchWallet[] = [];
  for (let start = 0; start < count; start += REGISTRATION_CONCURRENCY) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(REGISTRATION_CONCURRENCY, count - start) }, async () => {
        const phone = generateKeyPair();
        const issued = await registerWallet(cloud.database.db, {
          publicKeyRaw: phone.publicKeyRaw,
          kek: cloud.deps.secrets.issuerKek,
          now: at,
          credentialTtlS: cloud.deps.settings.credentialTtlS,
        });
        return { walletId: issued.walletId, credentialSerial: issued.credentialSerial, phone };
      }),
    );
    wallets.push(...batch);
  }
  return wallets;
}

/**
 * An advertiser funds enough campaigns for the taps, an operator approves them, and the cloud issues
 * the screen's decks from their pools, each deck's cash moved into escrow, all before the first tap.
 */
async function issueBenchDecks(
  cloud: RunningCloud,
  screenId: number,
  taps: number,
  timeline: Timeline,
): Promise<BenchDeck[]> {
  const db = cloud.database.db;
  const issuedAt = new Date(timeline.issuedS * 1000);
  const campaignCount = Math.ceil(taps / ENVELOPES_PER_CAMPAIGN);
  const deckCount = Math.ceil(taps / DECK_SIZE);
  const { advertiser } = await createAdvertiser(
    db,
    {
      name: 'Backlog Brand',
      email: `backlog-${randomBytes(4).toString('hex')}@example.com`,
      password: randomBytes(12).toString('base64url'),
    },
    SECRET_SCRYPT,
  );
  await fundAdvertiser(db, {
    advertiserId: advertiser.id,
    amountFen: CAMPAIGN_BUDGET_FEN * campaignCount,
    transferId: 1,
  });
  const settings: MoneySettings = {
    ...cloud.deps.settings.money,
    deckSizeMin: DECK_SIZE,
    deckSizeMax: DECK_SIZE,
    // The screen takes every deck before the first tap, and each lasts until after the drain.
    openDecksPerScreenMax: deckCount,
    deckValiditySMax: timeline.nowS + 3_600 - timeline.issuedS,
  };
  const decks: BenchDeck[] = [];
  for (let index = 0; index < campaignCount; index++) {
    const campaignId = await createActiveCampaign(db, {
      advertiserId: advertiser.id,
      name: `Backlog ${index + 1}`,
      sponsor: 'Backlog Brand',
      startsAt: timeline.issuedS - 3_600,
      endsAt: timeline.nowS + 7 * 86_400,
      targeting: { cities: [SCREEN.city], buildings: [SCREEN.building], screenGroupIds: [] },
      budgetFen: CAMPAIGN_BUDGET_FEN,
      prizePlan: { kind: 'tiers', tiers: CAMPAIGN_TIERS },
      perWalletPerDay: CASH_PER_WALLET_PER_DAY,
      transferId: 2 + index,
      now: issuedAt,
    });
    const decksOfCampaign = Math.min(
      ENVELOPES_PER_CAMPAIGN / DECK_SIZE,
      deckCount - index * (ENVELOPES_PER_CAMPAIGN / DECK_SIZE),
    );
    for (let d = 0; d < decksOfCampaign; d++) {
      const deck = await issueDeck(
        { db, kek: cloud.deps.secrets.issuerKek, settings },
        { campaignId, screenId, now: issuedAt },
      );
      if (deck === null) throw new Error(`campaign ${campaignId} issued no deck`);
      decks.push({ deckId: deck.deckId, campaignId, envelopes: deck.envelopes });
    }
  }
  return decks;
}

/**
 * Writes `taps` pending taps into the outbox, signed by the screen's and the phones' keys exactly as the
 * engine signs them: tap n draws envelope n of the decks in order, at the timeline's pace.
 */
function fillOutbox(
  dataDir: string,
  taps: number,
  timeline: Timeline,
  wallets: readonly BenchWallet[],
  decks: readonly BenchDeck[],
): void {
  const paths = kioskPaths(dataDir);
  const store = openStore({ path: paths.storePath });
  try {
    const identity = loadIdentity(store);
    if (identity === null) throw new Error('kiosk is not enrolled');
    const key = loadScreenKey(identity.keyPath);
    if (!key.ok) throw new Error(key.message);
    const insert = store.sqlite.prepare(
      `INSERT INTO taps (counter, token, wallet_id, campaign_id, amount_fen, coupon_offer_id, deck_id,
         envelope_index, flags, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'pending')`,
    );
    const bar = new cliProgress.SingleBar({ format: 'filling outbox [{bar}] {value}/{total}' });
    bar.start(taps, 0);
    const chunk = store.sqlite.transaction((from: number, to: number) => {
      for (let counter = from; counter < to; counter++) {
        const deck = decks[Math.floor((counter - 1) / DECK_SIZE)];
        const envelopeIndex = (counter - 1) % DECK_SIZE;
        const envelope = deck?.envelopes[envelopeIndex];
        // Consecutive taps are different phones; a phone comes back after every other wallet tapped.
        const wallet = wallets[(counter - 1) % wallets.length];
        if (deck === undefined || envelope === undefined || wallet === undefined)
          throw new Error(`no envelope or wallet for tap ${counter}`);
        const [amountFen, couponOfferId] = envelope;
        const ts = timeline.firstTs + (counter - 1) * timeline.spacingS;
        const challenge = {
          screenId: identity.screenId,
          counter,
          ts,
          nonce: randomBytes(16),
          campaignId: deck.campaignId,
        };
        const token = signTapToken(
          {
            ...challenge,
            walletId: wallet.walletId,
            credentialSerial: wallet.credentialSerial,
            phoneSignature: sign(
              SignatureLabel.challenge,
              encodeChallenge(challenge),
              wallet.phone.privateKey,
            ),
            deckId: deck.deckId,
            envelopeIndex,
            amountFen,
            couponOfferId,
            flags: 0,
          },
          key.value.privateKey,
        ).bytes;
        insert.run(
          counter,
          Buffer.from(token),
          wallet.walletId,
          deck.campaignId,
          amountFen,
          couponOfferId,
          deck.deckId,
          envelopeIndex,
          ts,
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

/** The most cash taps one wallet makes in one local day, when wallets take turns one tap each. */
function walletTapsPerDayMax(taps: number, wallets: number, spacingS: number): number {
  return Math.ceil(Math.min(taps, Math.ceil(86_400 / spacingS)) / wallets);
}

const count = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
const fen = (amount: number) => `¥${(amount / 100).toLocaleString('en', { minimumFractionDigits: 2 })}`;

export async function run(args: string[]): Promise<BenchReport> {
  const options = new Command()
    .option('--taps <n>', 'taps stored offline before the kiosk connects', '100000')
    .option('--responder <kind>', 'auto (the real ingest when the cloud wires one) | fake | real', 'auto')
    .option('--window <n>', 'tap batches in flight (the agent default when unset)')
    .option('--in-process', 'run the kiosk agent inside the bench process instead of its own')
    .option('--wallets <n>', 'phones registered as wallets, taking turns', '5000')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<{
      taps: string;
      responder: string;
      wallets: string;
      window?: string;
      inProcess?: boolean;
    }>();
  const taps = Number(options.taps);
  if (!Number.isInteger(taps) || taps < 1 || taps > 10_000_000)
    throw new Error('--taps must be 1..10,000,000');
  const walletCount = Number(options.wallets);
  if (!Number.isInteger(walletCount) || walletCount < 1) throw new Error('--wallets must be at least 1');

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
    const money = cloud.deps.settings.money;
    const perWalletDay = walletTapsPerDayMax(taps, walletCount, money.tapIntervalMinS);
    const capPerWalletDay = Math.min(
      CASH_PER_WALLET_PER_DAY,
      money.advertiserWalletDailyCashMax,
      money.walletDailyCashCountMax,
    );
    if (perWalletDay > capPerWalletDay)
      console.warn(
        `backlog: ${perWalletDay} taps per wallet and day exceed the cap of ${capPerWalletDay}; some taps will be rejected (raise --wallets)`,
      );

    const setupStart = performance.now();
    const dataDir = join(root, 'kiosk');
    const screenId = await enrolBenchKiosk(cloud, dataDir);
    const timeline = timelineFor(taps, money);
    const wallets = await registerWallets(cloud, walletCount, new Date(timeline.issuedS * 1000));
    const decks = await issueBenchDecks(cloud, screenId, taps, timeline);
    const campaigns = new Set(decks.map((deck) => deck.campaignId)).size;
    const setupS = (performance.now() - setupStart) / 1000;
    const fillStart = performance.now();
    fillOutbox(dataDir, taps, timeline, wallets, decks);
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
    // Both database drivers answer raw SQL with `{ rows }`.
    const credited: unknown = await cloud.database.db.execute(
      sql`select count(*)::int as taps, coalesce(sum(amount_fen), 0)::bigint as fen,
                 count(distinct wallet_id)::int as wallets
          from redemptions where status = 'credited'`,
    );
    const creditedRow = (credited as { rows: { taps: unknown; fen: unknown; wallets: unknown }[] }).rows[0];
    const ledger = await checkLedger(cloud.database.db);
    const ingest = (cloud.deps as { redemption?: RedemptionService }).redemption?.profile() ?? null;
    const { connectedAt, settledAt, stats } = drain;
    const drainS = connectedAt !== null && settledAt !== null ? (settledAt - connectedAt) / 1000 : Number.NaN;
    const spanH = ((taps - 1) * timeline.spacingS) / 3_600;
    return {
      name: 'backlog',
      rows: [
        { metric: 'taps stored offline', result: taps.toLocaleString('en') },
        {
          metric: 'what they are',
          result: `one envelope each from ${count(decks.length, 'deck')} of ${DECK_SIZE.toLocaleString('en')} of ${count(campaigns, 'funded campaign')}; ${count(walletCount, 'wallet')} taking turns (at most ${count(perWalletDay, 'tap')} each a day); one tap every ${timeline.spacingS} s over ${spanH.toFixed(1)} h`,
        },
        {
          metric: 'kiosk agent',
          result: options.inProcess === true ? 'in the cloud process' : 'own process (as on a real kiosk)',
        },
        { metric: 'ack responder', result: responder },
        { metric: 'setup (enrol, wallets, campaigns, decks)', result: `${setupS.toFixed(1)} s` },
        { metric: 'outbox fill (signing + insert)', result: `${fillS.toFixed(1)} s` },
        {
          metric: 'connect → all settled',
          target: `≤ ${TARGET_S} s`,
          result: Number.isNaN(drainS) ? `not settled (backlog ${backlog})` : `${drainS.toFixed(2)} s`,
          pass: !Number.isNaN(drainS) && drainS <= TARGET_S && backlog === 0,
        },
        {
          metric: 'drain rate',
          result: Number.isNaN(drainS) ? 'n/a' : `${Math.round(taps / drainS)} taps/s`,
        },
        {
          metric: 'CPU while draining (cloud + kiosk)',
          result:
            drain.cpuS === null
              ? 'n/a'
              : `${drain.cpuS.cloud.toFixed(1)} + ${drain.cpuS.kiosk.toFixed(1)} s (${Math.round(taps / (drain.cpuS.cloud + drain.cpuS.kiosk))} taps per CPU-second)`,
        },
        {
          metric: 'ingest: groups / database ms by statement',
          result:
            ingest === null
              ? 'n/a'
              : `${ingest.groups} / ${Math.round(ingest.databaseMs)} ms: ${JSON.stringify(ingest.databaseSteps)}`,
        },
        {
          metric: 'ack outcomes',
          result: outcomes.map((o) => `${o.status}${o.code === '' ? '' : ` ${o.code}`}: ${o.n}`).join(', '),
        },
        {
          metric: 'credited in the cloud',
          result: `${Number(creditedRow?.taps ?? 0).toLocaleString('en')} taps, ${fen(Number(creditedRow?.fen ?? 0))} to ${Number(creditedRow?.wallets ?? 0).toLocaleString('en')} wallets`,
        },
        {
          metric: 'ledger check',
          result: `${ledger.ok ? 'OK' : 'FAILED'}: ${ledger.accounts} accounts, ${ledger.transfers} transfers, sum ${ledger.totalFen} fen`,
        },
        {
          metric: 'batches / window / ack timeouts',
          result: `${stats.batchesSent} × ≤${TAP_BATCH_SIZE_MAX} / ${window ?? defaultTapUplinkLimits.inFlightBatchesMax} in flight / ${stats.ackTimeouts}`,
        },
      ],
      data: {
        taps,
        screenId,
        wallets: walletCount,
        decks: decks.length,
        campaigns,
        setupS,
        fillS,
        drainS,
        drainCpuS: drain.cpuS,
        ingest,
        backlog,
        stats,
        responder,
        outcomes,
        credited: creditedRow,
        ledgerOk: ledger.ok,
      },
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
  /** CPU seconds (user + system, all threads) from connect to settled: the cloud's and the kiosk's. */
  cpuS: { cloud: number; kiosk: number } | null;
}

/** User + system CPU seconds of this process so far, all its threads. */
function cpuSecondsNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
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
  const timing: DrainTiming = { connectedAt: null, settledAt: null, stats: NO_STATS, cpuS: null };
  const holder: { agent?: KioskAgent } = {};
  let cpuAtConnect = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const started = await startKioskAgent({
    dataDir,
    logger: pino({ level: 'warn' }),
    syncLimits: syncLimitsFor(window),
    onSyncEvent: (event) => {
      if (event.type === 'connected' && timing.connectedAt === null) {
        timing.connectedAt = performance.now();
        cpuAtConnect = cpuSecondsNow();
        bar.start(taps, 0);
      }
      const agent = holder.agent;
      if (event.type !== 'ack' || agent === undefined) return;
      timing.stats = agent.sync.stats();
      bar.update(timing.stats.settled);
      if (timing.stats.settled >= taps && timing.settledAt === null) {
        timing.settledAt = performance.now();
        // One process: the kiosk's share is not separable, so it is counted with the cloud's.
        timing.cpuS = { cloud: cpuSecondsNow() - cpuAtConnect, kiosk: 0 };
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
  const timing: DrainTiming = { connectedAt: null, settledAt: null, stats: NO_STATS, cpuS: null };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), KIOSK_CHILD_FLAG, dataDir, String(window ?? 0)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let cloudCpuAtConnect = 0;
  let kioskCpuAtConnect = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as {
        type: string;
        stats?: DrainTiming['stats'];
        cpuS?: number;
        error?: string;
      };
      if (message.type === 'connected' && timing.connectedAt === null) {
        timing.connectedAt = performance.now();
        cloudCpuAtConnect = cpuSecondsNow();
        kioskCpuAtConnect = message.cpuS ?? 0;
        bar.start(taps, 0);
      } else if (message.type === 'ack' && message.stats !== undefined) {
        timing.stats = message.stats;
        bar.update(message.stats.settled);
        if (message.stats.settled >= taps && timing.settledAt === null) {
          timing.settledAt = performance.now();
          timing.cpuS = {
            cloud: cpuSecondsNow() - cloudCpuAtConnect,
            kiosk: (message.cpuS ?? 0) - kioskCpuAtConnect,
          };
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
      if (event.type === 'connected') say({ type: 'connected', cpuS: cpuSecondsNow() });
      const agent = holder.agent;
      if (event.type === 'ack' && agent !== undefined) {
        const { batchesSent, ackTimeouts, settled } = agent.sync.stats();
        say({ type: 'ack', stats: { batchesSent, ackTimeouts, settled }, cpuS: cpuSecondsNow() });
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
