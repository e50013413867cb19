// Settlement through a PostgreSQL failover: the cloud's real redemption service, over the cluster's
// HAProxy, settles signed tap batches from a few simulated kiosks (each resends what was not answered,
// and what was answered `retry`, as the kiosk app does), and a real cloud process (`startCloud`, on the
// same database) takes phone receipts over `POST /v1/redeem`, while the leader node is SIGKILLed. Afterwards
// the money is checked: every tap settled exactly once, the ledger sums to zero, no balance is negative,
// no budget overspent. Measures the failover (kill → a writable leader behind HAProxy) and the longest
// pause between settlements.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import {
  encodeChallenge,
  encodeTapBatch,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTapToken,
  toHex,
  type Ack,
  type KeyPair,
} from '@redtap/shared';
import {
  checkLedger,
  createAdvertiser,
  createRedemptionService,
  createScreen,
  defaultMoneySettings,
  ephemeralSecrets,
  fundAdvertiser,
  issueDeck,
  loadEnv,
  openDatabase,
  startCloud,
  registerWallet,
  SECRET_SCRYPT,
  type CloudBroker,
  type DatabaseHandle,
  type LedgerCheck,
  type MoneySettings,
  type RunningCloud,
} from '@redtap/cloud';
import { freePort } from '@redtap/cloud/testing/mosquitto';
import { createActiveCampaign } from '../lib/bench-campaign.ts';
import type { PostgresCluster } from './postgres-cluster.ts';

export interface FailoverRunOptions {
  kiosks: number;
  tapsPerKiosk: number;
  /** Receipts redeemed one by one over the cloud's HTTP phone path (at most tapsPerKiosk). */
  httpTaps: number;
  /** Tokens per batch. */
  batch: number;
  /** Pause between a kiosk's batches, so settlement is still running when the leader dies. */
  batchSpacingMs: number;
  /** The leader is killed once this share of the taps has settled. */
  killAtShare: number;
  /** Bound on the whole run after the world is built. */
  runTimeoutMs: number;
  /** Bound on the failover (kill → a writable new leader through HAProxy). */
  failoverTimeoutMs: number;
  log: (line: string) => void;
}

export interface FailoverReport {
  taps: number;
  /** Acks per status the kiosks saw, resends included. */
  acks: Record<string, number>;
  /** Batches resent because no ack came in time. */
  batchesResent: number;
  killedLeader: string;
  newLeader: string;
  failoverMs: number;
  /** The longest gap between two settlements (credited or duplicate acks) during the run. */
  longestSettlementPauseMs: number;
  /** Probe reads through the pool (as the HTTP API does) that failed, and whether reads came back. */
  probeReads: { ok: number; failed: number; okAfterFailover: number };
  /** The phone path over HTTP: answers per HTTP status (and `network`), `retry` answers, settled after the failover. */
  http: { statuses: Record<string, number>; retryAnswers: number; settledAfterFailover: number };
  transactionRetries: number;
  retryAcks: number;
  /** Every tap has exactly one redemption row, credited, for its envelope's amount. */
  rows: { total: number; credited: number; distinctIdentities: number; amountFen: number };
  expectedAmountFen: number;
  /** What each kiosk was told it settled, summed (first answer per token). */
  ackedAmountFen: number;
  campaignBudgetFen: number;
  ledger: LedgerCheck;
  unsettledTaps: number;
  wallMs: number;
}

interface KioskPlan {
  screenId: number;
  tokens: { counter: number; bytes: Uint8Array; amountFen: number }[];
}

const WALLETS = 30;
const TAP_SPACING_S = 3;
const ACK_TIMEOUT_MS = 45_000;
const RETRY_RESEND_MS = 500;
const PROBE_INTERVAL_MS = 200;

function settingsFor(options: FailoverRunOptions): MoneySettings {
  const big = 1_000_000_000;
  return {
    ...defaultMoneySettings,
    deckSizeMin: options.tapsPerKiosk,
    deckSizeMax: options.tapsPerKiosk,
    openDecksPerScreenMax: 1_000,
    walletDailyCashCountMax: big,
    walletDailyCashFenMax: big,
    advertiserWalletDailyCashMax: big,
    screensPerWalletPerDayMax: big,
    ingestQueueBatchesMax: Math.max(64, options.kiosks * 4),
  };
}

async function buildWorld(
  handle: DatabaseHandle,
  options: FailoverRunOptions,
  settings: MoneySettings,
  secrets: ReturnType<typeof ephemeralSecrets>,
): Promise<{ kiosks: KioskPlan[]; phoneTokens: KioskPlan['tokens']; budgetFen: number; campaignId: number }> {
  const db = handle.db;
  const nowMs = Date.now();
  const issuedAt = new Date(nowMs - (options.tapsPerKiosk * TAP_SPACING_S + 600) * 1000);
  const startTs = Math.floor(issuedAt.getTime() / 1000) + 60;
  const { advertiser } = await createAdvertiser(
    db,
    {
      name: 'Failover Brand',
      email: `failover-${randomBytes(4).toString('hex')}@example.com`,
      password: 'failover-password',
    },
    SECRET_SCRYPT,
  );
  const envelopes = (options.kiosks + 1) * options.tapsPerKiosk;
  const big = Math.floor(envelopes / 3);
  const plan = {
    kind: 'tiers' as const,
    tiers: [
      { amountFen: 88, count: big },
      { amountFen: 8, count: envelopes - big },
    ],
  };
  const budgetFen = 88 * big + 8 * (envelopes - big);
  await fundAdvertiser(db, { advertiserId: advertiser.id, amountFen: budgetFen, transferId: 1 });
  const campaignId = await createActiveCampaign(db, {
    advertiserId: advertiser.id,
    name: 'Failover',
    sponsor: 'Failover',
    startsAt: startTs - 3600,
    endsAt: Math.floor(nowMs / 1000) + 7 * 86_400,
    targeting: { cities: ['Failoverville'], buildings: [], screenGroupIds: [] },
    budgetFen,
    prizePlan: plan,
    perWalletPerDay: 1_000_000_000,
    transferId: 2,
    now: issuedAt,
  });
  const phones: { walletId: number; serial: number; key: KeyPair }[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const key = generateKeyPair();
    const issued = await registerWallet(db, {
      publicKeyRaw: key.publicKeyRaw,
      kek: secrets.issuerKek,
      now: issuedAt,
      credentialTtlS: 365 * 86_400,
    });
    phones.push({ walletId: issued.walletId, serial: issued.credentialSerial, key });
  }
  const kiosks: KioskPlan[] = [];
  // The last screen's receipts go over the phone path, each from a wallet of its own.
  for (let k = 0; k <= options.kiosks; k++) {
    const phonePath = k === options.kiosks;
    if (phonePath)
      for (let i = 0; i < options.httpTaps; i++) {
        const key = generateKeyPair();
        const issued = await registerWallet(db, {
          publicKeyRaw: key.publicKeyRaw,
          kek: secrets.issuerKek,
          now: issuedAt,
          credentialTtlS: 365 * 86_400,
        });
        phones.push({ walletId: issued.walletId, serial: issued.credentialSerial, key });
      }
    const screen = await createScreen(db, {
      name: `Failover ${k}`,
      city: 'Failoverville',
      building: 'Tower',
      elevator: `E${k}`,
      timezone: settings.timezone,
    });
    const key = generateKeyPair();
    await db.execute(
      sql`update screens set status = 'active', public_key = ${toHex(key.publicKeyRaw)} where id = ${screen.id}`,
    );
    const issued = await issueDeck(
      { db, kek: secrets.issuerKek, settings },
      { campaignId, screenId: screen.id, now: issuedAt },
    );
    if (issued === null) throw new Error('deck issuance failed');
    const tokens: KioskPlan['tokens'] = [];
    const count = phonePath ? Math.min(options.httpTaps, options.tapsPerKiosk) : options.tapsPerKiosk;
    issued.envelopes.slice(0, count).forEach(([amountFen, couponOfferId], index) => {
      const counter = index + 1;
      const phone = phonePath ? phones[WALLETS + index] : phones[(k * 7 + counter) % WALLETS];
      if (phone === undefined) throw new Error('no phone');
      const challenge = {
        screenId: screen.id,
        counter,
        ts: startTs + counter * TAP_SPACING_S,
        nonce: randomBytes(16),
        campaignId,
      };
      const bytes = signTapToken(
        {
          ...challenge,
          walletId: phone.walletId,
          credentialSerial: phone.serial,
          phoneSignature: sign(SignatureLabel.challenge, encodeChallenge(challenge), phone.key.privateKey),
          deckId: issued.deckId,
          envelopeIndex: index,
          amountFen,
          couponOfferId,
          flags: 0,
        },
        key.privateKey,
      ).bytes;
      tokens.push({ counter, bytes, amountFen });
    });
    kiosks.push({ screenId: screen.id, tokens });
  }
  const phoneScreen = kiosks.pop();
  if (phoneScreen === undefined) throw new Error('no phone-path screen');
  return { kiosks, phoneTokens: phoneScreen.tokens, budgetFen, campaignId };
}

/** The part of CloudBroker the redemption service uses: tap batches in, acks out. */
function ackBroker(): {
  broker: CloudBroker;
  deliver(screenId: number, payload: Uint8Array): Promise<void>;
  nextAck(screenId: number, timeoutMs: number): Promise<Ack | null>;
} {
  let handler: ((message: { screenId: number; payload: Uint8Array }) => Promise<void>) | null = null;
  const waiting = new Map<number, (ack: Ack) => void>();
  const broker = {
    onTapBatch(h: typeof handler) {
      handler = h;
    },
    publishAck(screenId: number, ack: Ack) {
      const resolve = waiting.get(screenId);
      waiting.delete(screenId);
      resolve?.(ack);
      return Promise.resolve();
    },
    suspendScreen: () => Promise.resolve(),
  } as unknown as CloudBroker;
  return {
    broker,
    deliver: async (screenId, payload) => {
      if (handler === null) throw new Error('the redemption service is not attached');
      await handler({ screenId, payload });
    },
    nextAck: (screenId, timeoutMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(screenId);
          resolve(null);
        }, timeoutMs);
        waiting.set(screenId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
      }),
  };
}

export async function runFailoverSettlement(
  cluster: PostgresCluster,
  options: FailoverRunOptions,
): Promise<FailoverReport> {
  const log = options.log;
  const database = `redtap_failover_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const handle = await openDatabase({
    engine: 'postgres',
    url: cluster.url(database),
    poolSizeMax: 4,
    timeouts: { queryMs: 10_000, statementMs: 8_000, idleInTransactionMs: 10_000, socketSilenceMs: 12_000 },
  });
  const logger = pino({ level: process.env.REDTAP_TEST_LOG ?? 'silent' });
  let cloud: RunningCloud | null = null;
  let cloudDir: string | null = null;
  try {
    await handle.migrate();
    const settings = settingsFor(options);
    // The cloud process shares the secrets: the issuer keys the world seals, it must open.
    const secrets = ephemeralSecrets();
    const world = await buildWorld(handle, options, settings, secrets);
    const taps = world.kiosks.reduce((sum, kiosk) => sum + kiosk.tokens.length, 0) + world.phoneTokens.length;
    log(
      `world: ${world.kiosks.length} kiosks and the phone path, ${taps} signed taps, budget ${world.budgetFen} fen`,
    );
    cloudDir = await mkdtemp(join(tmpdir(), 'redtap-failover-cloud-'));
    cloud = await startCloud(
      loadEnv(
        {},
        {
          DATABASE_URL: cluster.url(database),
          HOST: '127.0.0.1',
          PORT: String(await freePort()),
          MQTT_HOST: '127.0.0.1',
          MQTT_PORT: String(await freePort()),
          REDTAP_DATA_DIR: cloudDir,
          REDTAP_JWT_SECRET: secrets.jwtSecret,
          REDTAP_ISSUER_KEY_SECRET: secrets.issuerKek.toString('hex'),
          LOG_LEVEL: process.env.REDTAP_TEST_LOG ?? 'silent',
        },
      ),
    );
    log(`cloud process serving HTTP at ${cloud.httpUrl}`);

    const service = createRedemptionService({ db: handle.db, logger, now: () => new Date(), settings });
    const acks = ackBroker();
    service.attach(acks.broker);

    const started = performance.now();
    const deadline = Date.now() + options.runTimeoutMs;
    const ackCounts: Record<string, number> = {};
    const firstAmount = new Map<string, number>();
    let settledCount = 0;
    let batchesResent = 0;
    let lastSettleMs = performance.now();
    let longestPauseMs = 0;
    const onSettled = () => {
      const now = performance.now();
      longestPauseMs = Math.max(longestPauseMs, now - lastSettleMs);
      lastSettleMs = now;
    };

    const fault: {
      failover: { killed: string; killedAtMs: number; leader: string; atMs: number } | null;
      killing: Promise<void> | null;
    } = { failover: null, killing: null };
    const kill = async () => {
      const killed = await cluster.killLeader();
      log(`leader ${killed.name} killed after ${settledCount}/${taps} taps settled`);
      const next = await cluster.waitForLeader({ except: killed.name, timeoutMs: options.failoverTimeoutMs });
      fault.failover = {
        killed: killed.name,
        killedAtMs: killed.killedAtMs,
        leader: next.name,
        atMs: next.atMs,
      };
      log(
        `new leader ${next.name} writable through HAProxy ${next.atMs - killed.killedAtMs} ms after the kill`,
      );
    };

    // What an API request would do meanwhile: a read through the same pool.
    const probe = { ok: 0, failed: 0, okAfterFailover: 0 };
    let probing = true;
    const prober = (async () => {
      while (probing) {
        try {
          await handle.db.execute(sql`select count(*) from redemptions`);
          probe.ok += 1;
          if (fault.failover !== null) probe.okAfterFailover += 1;
        } catch {
          probe.failed += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      }
    })();

    const runKiosk = async (kiosk: KioskPlan) => {
      const pending = new Map(kiosk.tokens.map((token) => [token.counter, token]));
      while (pending.size > 0) {
        if (Date.now() > deadline) throw new Error(`kiosk ${kiosk.screenId}: ${pending.size} taps unsettled`);
        const batch = [...pending.values()].slice(0, options.batch);
        const answer = acks.nextAck(kiosk.screenId, ACK_TIMEOUT_MS);
        await acks.deliver(kiosk.screenId, encodeTapBatch(batch.map((token) => token.bytes)));
        const ack = await answer;
        if (ack === null) {
          batchesResent += 1;
          continue;
        }
        let retry = false;
        for (const result of ack.results) {
          ackCounts[result.status] = (ackCounts[result.status] ?? 0) + 1;
          if (result.status === 'retry') {
            retry = true;
            continue;
          }
          const key = `${kiosk.screenId}:${result.counter}`;
          if (!firstAmount.has(key)) firstAmount.set(key, result.amountFen ?? 0);
          if (pending.delete(result.counter)) {
            settledCount += 1;
            if (result.status === 'credited' || result.status === 'duplicate') onSettled();
          }
        }
        if (fault.killing === null && settledCount >= taps * options.killAtShare) fault.killing = kill();
        await new Promise((resolve) => setTimeout(resolve, retry ? RETRY_RESEND_MS : options.batchSpacingMs));
      }
    };
    const http = { statuses: {} as Record<string, number>, retryAnswers: 0, settledAfterFailover: 0 };
    const firstCloud = cloud;
    const runPhones = async () => {
      for (const token of world.phoneTokens) {
        for (;;) {
          if (Date.now() > deadline) throw new Error(`phone path: receipt ${token.counter} unsettled`);
          let status = 'network';
          let body: { status?: string; amountFen?: number } = {};
          try {
            const response = await fetch(`${firstCloud.httpUrl}/v1/redeem`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ token: toHex(token.bytes) }),
              signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
            });
            status = String(response.status);
            body = (await response.json()) as typeof body;
          } catch {
            // A network error or a timeout: the phone retries.
          }
          http.statuses[status] = (http.statuses[status] ?? 0) + 1;
          if (status === '200' && (body.status === 'credited' || body.status === 'duplicate')) {
            ackCounts[body.status] = (ackCounts[body.status] ?? 0) + 1;
            const key = `phone:${token.counter}`;
            if (!firstAmount.has(key)) firstAmount.set(key, body.amountFen ?? 0);
            settledCount += 1;
            if (fault.failover !== null) http.settledAfterFailover += 1;
            onSettled();
            break;
          }
          if (status === '200' && body.status === 'retry') http.retryAnswers += 1;
          else if (status === '200' || status.startsWith('4'))
            throw new Error(
              `phone path: receipt ${token.counter} answered ${status} ${JSON.stringify(body)}`,
            );
          await new Promise((resolve) => setTimeout(resolve, RETRY_RESEND_MS));
        }
        // Half the kiosks' pace, so the phone path spans the failover.
        await new Promise((resolve) => setTimeout(resolve, options.batchSpacingMs * 2));
      }
    };
    await Promise.all([...world.kiosks.map(runKiosk), runPhones()]);
    fault.killing ??= kill();
    await fault.killing;
    probing = false;
    await prober;
    await service.close();
    const wallMs = performance.now() - started;
    const done = fault.failover;
    if (done === null) throw new Error('the leader was never killed');

    const counted: unknown = await handle.db.execute(
      sql`select count(*)::int as total, count(*) filter (where status = 'credited')::int as credited,
                   count(distinct (screen_id, counter))::int as identities,
                   coalesce(sum(amount_fen) filter (where status = 'credited'), 0)::bigint as amount
            from redemptions where campaign_id = ${world.campaignId}`,
    );
    const [rows] = (
      counted as { rows: { total: number; credited: number; identities: number; amount: string }[] }
    ).rows;
    const ledger = await checkLedger(handle.db, { full: true });
    return {
      taps,
      acks: ackCounts,
      batchesResent,
      killedLeader: done.killed,
      newLeader: done.leader,
      failoverMs: done.atMs - done.killedAtMs,
      longestSettlementPauseMs: Math.round(longestPauseMs),
      probeReads: probe,
      http,
      transactionRetries: service.profile().transactionRetries,
      retryAcks: service.profile().retryAcks,
      rows: {
        total: rows?.total ?? 0,
        credited: rows?.credited ?? 0,
        distinctIdentities: rows?.identities ?? 0,
        amountFen: Number(rows?.amount ?? 0),
      },
      expectedAmountFen:
        world.kiosks.reduce(
          (sum, kiosk) => sum + kiosk.tokens.reduce((s, token) => s + token.amountFen, 0),
          0,
        ) + world.phoneTokens.reduce((sum, token) => sum + token.amountFen, 0),
      ackedAmountFen: [...firstAmount.values()].reduce((sum, amount) => sum + amount, 0),
      campaignBudgetFen: world.budgetFen,
      ledger,
      unsettledTaps: taps - settledCount,
      wallMs: Math.round(wallMs),
    };
  } finally {
    await cloud?.stop().catch(() => undefined);
    if (cloudDir !== null) await rm(cloudDir, { recursive: true, force: true });
    await handle.close().catch(() => undefined);
  }
}
