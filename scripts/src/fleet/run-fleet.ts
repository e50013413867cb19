// The control-plane fleet simulation (`npm run simulate -- --fleet N`, docs/benchmarks.md "Fleet"): a
// real cloud process on PostgreSQL and a private Mosquitto with dynamic security, N lightweight screens
// in a few worker processes (./fleet-worker.ts, ./light-screen.ts) and a few real kiosk agents among
// them (the demo's kiosk process). Everything goes through the cloud's HTTP API and the broker, as a
// network's screens and operator would:
// 1. provisioning (create each screen and its one-time code) and enrolment (each screen's own key and
//    code, then its own MQTT login), with their rates;
// 2. a campaign targeting every screen is activated: the time until every screen holds a deck;
// 3. a wallet credential is revoked: the time until every screen holds a config with the new revocation
//    version;
// 4. broker and cloud memory per screen (RSS before the fleet and after);
// 5. a share of the screens is switched off, and the console's fleet summary must equal what the
//    simulation knows.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollKiosk, describeRefusal } from '@redtap/screen-app';
import { loginUser, type CloudApi } from '../demo/cloud-api.ts';
import { startDemoKiosk, type DemoKiosk } from '../demo/kiosk-fleet.ts';
import { startLinkProxy, type LinkProxy } from '../lib/link-proxy.ts';
import { adminQuery, POSTGRES_ADMIN_URL, postgresProblem } from '../lib/postgres-admin.ts';
import type { BenchRow } from '../bench/report.ts';
import {
  createSimCampaign,
  fleetApi,
  inBatches,
  nextClientAddress,
  registerSimPhones,
  SIM_CITIES,
  SIM_MEAN_ENVELOPE_FEN,
} from '../simulator/sim-world.ts';
import { ENVELOPES_PER_PLAN_MAX } from '@redtap/shared';
import {
  FLEET_WORKER_ENV,
  WorkerMessage,
  type FleetWorkerConfig,
  type FleetWorkerStats,
  type ParentMessage,
} from './fleet-messages.ts';
import {
  brokerRssBytes,
  rssBytes,
  startFleetBroker,
  startFleetCloud,
  type FleetBroker,
  type FleetBrokerEngine,
  type FleetCloud,
} from './fleet-stack.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
/** The kiosk's deck size for a screen with no taps yet (tapRatePerHourDefault × deckHorizonS). */
const FIRST_DECK_ENVELOPES = 180;
/** A phase re-counts when a worker reports (twice a second each), or after this long at the latest. */
const POLL_MS = 1_000;
/** Phases print how far they are this often. */
const PROGRESS_EVERY_MS = 5_000;
const SCREENS_PER_MESSAGE = 200;
const LONG_REQUEST_MS = 30 * 60_000;
/** Codes per enrolment sheet: the cloud's largest page (ENROLMENT_CODE_BATCH_MAX). */
const ENROLMENT_SHEET_ROWS = 500;

export interface FleetOptions {
  screens: number;
  /** `bulk`: CSV import and enrolment code sheets (one at a time where the cloud has no import). */
  provision: 'bulk' | 'single';
  /** Real kiosk agents (the demo's kiosk process) among the lightweight screens. */
  kiosks: number;
  /** `mosquitto` (one process, dynamic security) or `nats` (a cluster of `natsNodes`, screens spread over them). */
  broker: FleetBrokerEngine;
  natsNodes: number;
  workers: number;
  /** Provisioning requests in flight (create screen + code). */
  provisionConcurrency: number;
  /** Enrolments in flight per worker. */
  enrolConcurrency: number;
  /** Share of the screens switched off before the summary check. */
  offlineRatio: number;
  /** PostgreSQL admin URL, or null for the cloud's embedded PGlite. */
  postgresUrl: string | null;
  /** How long a phase may wait for its last screen; then the ones missing are counted. */
  phaseTimeoutMs: number;
  /** A phase stops waiting once its count has not moved for this long. */
  stallMs: number;
  heartbeatIntervalS: number;
  keep: boolean;
  print: (line: string) => void;
}

export interface PhaseTiming {
  /** ms from the start of the phase to when this share of the screens had it; null: never. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  all: number | null;
  /** Screens that did not have it when the phase stopped waiting. */
  missing: number;
  waitedMs: number;
}

export interface FleetReport {
  options: Omit<FleetOptions, 'print'>;
  database: string;
  brokerFileLimit: number | null;
  provisioning: { method: string; screens: number; ms: number; perS: number };
  enrolment: {
    enrolled: number;
    failed: Record<string, number>;
    ms: number;
    perS: number;
    connectedMs: number | null;
    configuredMissing: number;
    /** Active screens without a broker connection once every enrolment was done. */
    notConnected: number;
  };
  activation: {
    campaignId: number;
    envelopes: number;
    requestMs: number;
    decks: PhaseTiming;
    envelopesPerScreen: number;
    deckLowSent: number;
    decksRejected: number;
  } | null;
  revocation: {
    requestMs: number;
    applied: PhaseTiming;
    fromVersion: number;
    cloudProgress: unknown;
    /** The console's count of screens that confirmed the revocation in a heartbeat, and the truth. */
    confirmed: { answered: number | null; expected: number; waitedMs: number };
  } | null;
  memory: {
    /** Active screens (the cloud's per-screen figure). */
    screens: number;
    /** Screens holding a connection (the broker's per-screen figure). */
    connected: number;
    broker: { beforeBytes: number | null; afterBytes: number | null; perScreenBytes: number | null };
    cloud: { beforeBytes: number | null; afterBytes: number | null; perScreenBytes: number | null };
    simulatorPerScreenBytes: number | null;
  };
  summary: { ok: boolean; expected: unknown; answered: unknown; waitedMs: number } | null;
  configsInvalid: number;
  rows: BenchRow[];
  error: string | null;
}

interface Worker {
  child: ChildProcess;
  stats: FleetWorkerStats | null;
  stoppedSome: ((ids: number[]) => void) | null;
  failed: string | null;
}

const kb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`);
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** Emits `stats` whenever a worker reports. */
const workerReports = new EventEmitter();

/** Resolves on the next worker report, or after `boundMs`. */
function nextReport(boundMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      workerReports.off('stats', done);
      resolve();
    };
    const timer = setTimeout(done, boundMs);
    workerReports.once('stats', done);
  });
}

function startWorker(config: FleetWorkerConfig): Worker {
  const child = fork(WORKER_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [FLEET_WORKER_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const worker: Worker = { child, stats: null, stoppedSome: null, failed: null };
  child.on('message', (raw) => {
    const parsed = WorkerMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'stats') {
      worker.stats = message.stats;
      workerReports.emit('stats');
    } else if (message.type === 'stopped-some') {
      worker.stoppedSome?.(message.screenIds);
      worker.stoppedSome = null;
    } else worker.failed = message.message;
  });
  child.on('exit', (code) => {
    if (code !== 0 && worker.failed === null) worker.failed = `worker exited with ${String(code)}`;
  });
  return worker;
}

function sendTo(worker: Worker, message: ParentMessage): void {
  if (worker.child.connected) worker.child.send(message);
}

function total(workers: readonly Worker[], pick: (stats: FleetWorkerStats) => number): number {
  return workers.reduce((sum, worker) => sum + (worker.stats === null ? 0 : pick(worker.stats)), 0);
}

interface ProvisionedScreen {
  screenId: number;
  code: string;
  city: string;
}

/**
 * Bulk provisioning: one CSV import of every screen (POST /v1/screens/import), then their enrolment
 * codes a sheet at a time (POST /v1/screens/enrolment-codes over the import). null when the cloud has
 * no import route.
 */
async function provisionBulk(
  api: CloudApi,
  operator: string,
  count: number,
  print: (line: string) => void,
): Promise<{ method: string; screens: ProvisionedScreen[] } | null> {
  const lines = ['name,city,building,elevator'];
  for (let i = 0; i < count; i++)
    lines.push(
      `Fleet lift ${i + 1},${SIM_CITIES[i % SIM_CITIES.length] ?? 'Shanghai'},Tower ${Math.floor(i / 8) + 1},E${i % 8}`,
    );
  const started = performance.now();
  const response = await fetch(`${api.baseUrl}/v1/screens/import`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${operator}`,
      'content-type': 'text/csv',
      'x-forwarded-for': nextClientAddress(),
    },
    body: `${lines.join('\n')}\n`,
    signal: AbortSignal.timeout(LONG_REQUEST_MS),
  });
  if (response.status === 404 || response.status === 405) {
    print('the cloud has no CSV import: provisioning one screen and code at a time');
    return null;
  }
  const imported = (await response.json()) as {
    importId?: number | null;
    rows?: number;
    errorCodes?: unknown;
  };
  if (response.status !== 201 || typeof imported.importId !== 'number')
    throw new Error(`CSV import: HTTP ${response.status} ${JSON.stringify(imported).slice(0, 300)}`);
  const importMs = performance.now() - started;
  print(`imported ${count} screens in ${seconds(importMs)}; issuing their enrolment codes`);
  const screens: ProvisionedScreen[] = [];
  let after = 0;
  for (;;) {
    const sheet = await api.call<{
      items: { screenId: number; city: string; code: string }[];
      nextAfter: number | null;
    }>('POST', '/v1/screens/enrolment-codes', {
      token: operator,
      body: {
        filter: { importId: imported.importId, status: 'pending' },
        after,
        limit: ENROLMENT_SHEET_ROWS,
      },
    });
    for (const item of sheet.items)
      screens.push({ screenId: item.screenId, code: item.code, city: item.city });
    if (sheet.nextAfter === null || sheet.items.length === 0) break;
    after = sheet.nextAfter;
  }
  if (screens.length !== count)
    throw new Error(`the import's enrolment sheets hold ${screens.length} screens, not ${count}`);
  return {
    method: `CSV import (${seconds(importMs)}) + enrolment code sheets of ${ENROLMENT_SHEET_ROWS} (${seconds(performance.now() - started - importMs)})`,
    screens,
  };
}

/** Time to reach each share of `target`, polling `count`; stops at the target, the timeout or a stall. */
async function timePhase(input: {
  target: number;
  count: () => Promise<number> | number;
  timeoutMs: number;
  stallMs: number;
  progress: (count: number, elapsedMs: number) => void;
  check?: () => void;
}): Promise<PhaseTiming> {
  const startMs = performance.now();
  const reached: Record<'p50' | 'p90' | 'p99' | 'all', number | null> = {
    p50: null,
    p90: null,
    p99: null,
    all: null,
  };
  const marks = [
    ['p50', 0.5],
    ['p90', 0.9],
    ['p99', 0.99],
    ['all', 1],
  ] as const;
  let last = -1;
  let lastChangeMs = startMs;
  let lastPrintMs = startMs;
  let current: number;
  for (;;) {
    input.check?.();
    current = await input.count();
    const nowMs = performance.now();
    const elapsed = nowMs - startMs;
    for (const [key, share] of marks)
      if (reached[key] === null && current >= Math.ceil(input.target * share)) reached[key] = elapsed;
    if (current !== last) [last, lastChangeMs] = [current, nowMs];
    if (nowMs - lastPrintMs >= PROGRESS_EVERY_MS) {
      input.progress(current, elapsed);
      lastPrintMs = nowMs;
    }
    if (current >= input.target || elapsed >= input.timeoutMs || nowMs - lastChangeMs >= input.stallMs) break;
    await nextReport(POLL_MS);
  }
  input.progress(current, performance.now() - startMs);
  return { ...reached, missing: Math.max(0, input.target - current), waitedMs: performance.now() - startMs };
}

export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const print = (line: string) => options.print(`[fleet] ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'redtap-fleet-'));
  const topicRoot = `redtap-fleet-${randomBytes(4).toString('hex')}/v1`;
  const database = `redtap_fleet_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let databaseCreated = false;
  let broker: FleetBroker | null = null;
  let cloud: FleetCloud | null = null;
  const workers: Worker[] = [];
  const kiosks: DemoKiosk[] = [];
  const links: LinkProxy[] = [];
  const { screens: fleetSize, kiosks: kioskCount } = options;
  const { print: _print, ...recordedOptions } = options;
  const report: FleetReport = {
    options: recordedOptions,
    database: options.postgresUrl === null ? 'pglite' : 'postgres',
    brokerFileLimit: null,
    provisioning: {
      method: 'POST /v1/screens + POST /v1/screens/{id}/enrolment-codes',
      screens: 0,
      ms: 0,
      perS: 0,
    },
    enrolment: {
      enrolled: 0,
      failed: {},
      ms: 0,
      perS: 0,
      connectedMs: null,
      configuredMissing: 0,
      notConnected: 0,
    },
    activation: null,
    revocation: null,
    memory: {
      screens: 0,
      connected: 0,
      broker: { beforeBytes: null, afterBytes: null, perScreenBytes: null },
      cloud: { beforeBytes: null, afterBytes: null, perScreenBytes: null },
      simulatorPerScreenBytes: null,
    },
    summary: null,
    configsInvalid: 0,
    rows: [],
    error: null,
  };
  // Interrupted (Ctrl-C), the run takes its processes and database down with it.
  const onSignal = () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    cloud?.kill();
    broker?.kill();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    const drop =
      databaseCreated && options.postgresUrl !== null
        ? adminQuery(`drop database if exists ${database} with (force)`, options.postgresUrl)
        : Promise.resolve();
    void drop.catch(() => undefined).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const checkWorkers = () => {
    const failed = workers.find((worker) => worker.failed !== null);
    if (failed !== undefined) throw new Error(`a fleet worker failed: ${failed.failed}`);
  };

  try {
    // 1. The broker and the cloud, each its own process.
    broker = await startFleetBroker({
      engine: options.broker,
      natsNodes: options.natsNodes,
      dir,
      topicRoot,
      screens: fleetSize + kioskCount,
    });
    report.brokerFileLimit = broker.fileLimit;
    // Each broker process holds its share of the connections (screens go round-robin over the nodes).
    const perProcess = Math.ceil((fleetSize + kioskCount) / broker.screenUrls.length) + 100;
    if (broker.fileLimit !== null && broker.fileLimit < perProcess)
      print(
        `note: a ${broker.label} process may open only ${broker.fileLimit} files, fewer than its ${perProcess} connections: run as root or raise the hard limit (ulimit -Hn)`,
      );
    let databaseUrl: string | undefined;
    if (options.postgresUrl !== null) {
      await adminQuery(`create database ${database}`, options.postgresUrl);
      databaseCreated = true;
      const url = new URL(options.postgresUrl);
      url.pathname = `/${database}`;
      databaseUrl = url.toString();
    }
    const operatorLogin = { email: 'fleet@redtap.local', password: randomBytes(12).toString('hex') };
    cloud = await startFleetCloud({
      logFile: join(dir, 'cloud.log'),
      env: {
        ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
        REDTAP_DATA_DIR: join(dir, 'cloud'),
        ...broker.cloudEnv,
        REDTAP_TOPIC_ROOT: topicRoot,
        REDTAP_JWT_SECRET: randomBytes(32).toString('hex'),
        REDTAP_ISSUER_KEY_SECRET: randomBytes(32).toString('hex'),
        REDTAP_OPERATOR_EMAIL: operatorLogin.email,
        REDTAP_OPERATOR_PASSWORD: operatorLogin.password,
        // The per-address limits (enrolment: 10 a minute) hold: every screen enrols from its own address,
        // which the cloud reads from X-Forwarded-For as behind its proxy.
        REDTAP_TRUST_PROXY: 'true',
        LOG_LEVEL: 'warn',
      },
    });
    print(
      `cloud ${cloud.httpUrl} (pid ${cloud.pid}, ${report.database}), broker ${broker.label} ${broker.screenUrls.join(', ')} (pids ${broker.pids().join(', ')}, ${broker.fileLimit ?? 'n/a'} files)`,
    );
    const api: CloudApi = fleetApi(cloud.httpUrl, LONG_REQUEST_MS);
    const operator = await loginUser(api, operatorLogin.email, operatorLogin.password);
    report.memory.broker.beforeBytes = brokerRssBytes(broker);
    report.memory.cloud.beforeBytes = rssBytes(cloud.pid);

    // 2. Provisioning: the screens and their one-time enrolment codes, as an operator's tool would: the
    // bulk CSV import and code sheets where the cloud has them, else one screen and code at a time.
    const all = fleetSize + kioskCount;
    let provisioned = 0;
    const provisionStart = performance.now();
    let lastPrint = provisionStart;
    const bulk = options.provision === 'bulk' ? await provisionBulk(api, operator, all, print) : null;
    if (bulk !== null) report.provisioning.method = bulk.method;
    const codes =
      bulk?.screens ??
      (await inBatches(
        Array.from({ length: all }, (_, i) => i),
        async (i) => {
          const created = await api.call<{ id: number }>('POST', '/v1/screens', {
            token: operator,
            body: {
              name: `Fleet lift ${i + 1}`,
              city: SIM_CITIES[i % SIM_CITIES.length] ?? 'Shanghai',
              building: `Tower ${Math.floor(i / 8) + 1}`,
              elevator: `E${i % 8}`,
            },
          });
          const { code } = await api.call<{ code: string }>(
            'POST',
            `/v1/screens/${created.id}/enrolment-codes`,
            {
              token: operator,
            },
          );
          return { screenId: created.id, code, city: SIM_CITIES[i % SIM_CITIES.length] ?? 'Shanghai' };
        },
        () => {
          provisioned++;
          if (performance.now() - lastPrint >= PROGRESS_EVERY_MS) {
            lastPrint = performance.now();
            const elapsed = (lastPrint - provisionStart) / 1000;
            print(`provisioning ${provisioned}/${all} (${(provisioned / elapsed).toFixed(0)}/s)`);
          }
        },
        options.provisionConcurrency,
      ));
    const provisionMs = performance.now() - provisionStart;
    report.provisioning = {
      ...report.provisioning,
      screens: all,
      ms: provisionMs,
      perS: all / (provisionMs / 1000),
    };
    print(`provisioned ${all} screens in ${seconds(provisionMs)} (${report.provisioning.perS.toFixed(1)}/s)`);

    // 3. Enrolment: the lightweight screens in the workers, then the real kiosks.
    const light = codes.slice(0, fleetSize);
    const workerCount = Math.max(1, Math.min(options.workers, fleetSize));
    for (let index = 0; index < workerCount; index++)
      workers.push(
        startWorker({
          index,
          cloudUrl: cloud.httpUrl,
          // Several listeners (NATS nodes): each screen dials one, round-robin by screen id.
          ...(broker.screenUrls.length > 1 ? { mqttUrls: broker.screenUrls } : {}),
          concurrency: options.enrolConcurrency,
          heartbeatIntervalS: options.heartbeatIntervalS,
        }),
      );
    const enrolStart = performance.now();
    for (let from = 0; from < light.length; from += SCREENS_PER_MESSAGE * workerCount)
      for (let w = 0; w < workerCount; w++) {
        const chunk = light
          .slice(from, from + SCREENS_PER_MESSAGE * workerCount)
          .filter((_, i) => i % workerCount === w)
          .map(({ screenId, code }) => ({ screenId, code }));
        if (chunk.length > 0) sendTo(workers[w] as Worker, { type: 'screens', screens: chunk });
      }
    const failedCount = () =>
      workers.reduce(
        (sum, worker) => sum + Object.values(worker.stats?.enrolFailed ?? {}).reduce((a, b) => a + b, 0),
        0,
      );
    await timePhase({
      target: fleetSize,
      count: () => total(workers, (s) => s.enrolled) + failedCount(),
      timeoutMs: options.phaseTimeoutMs * 4,
      stallMs: options.stallMs,
      check: checkWorkers,
      progress: (count, elapsed) =>
        print(
          `enrolling ${count}/${fleetSize} (${(count / Math.max(0.001, elapsed / 1000)).toFixed(1)}/s), connected ${total(workers, (s) => s.connected)}`,
        ),
    });
    const enrolMs = performance.now() - enrolStart;
    const enrolled = total(workers, (s) => s.enrolled);
    const failed: Record<string, number> = {};
    for (const worker of workers)
      for (const [code, n] of Object.entries(worker.stats?.enrolFailed ?? {}))
        failed[code] = (failed[code] ?? 0) + n;
    report.enrolment = {
      ...report.enrolment,
      enrolled,
      failed,
      ms: enrolMs,
      perS: enrolled / (enrolMs / 1000),
    };
    print(`enrolled ${enrolled}/${fleetSize} in ${seconds(enrolMs)} (${report.enrolment.perS.toFixed(1)}/s)`);

    for (let i = 0; i < kioskCount; i++) {
      const screen = codes[fleetSize + i];
      if (screen === undefined) continue;
      const dataDir = join(dir, `kiosk-${i + 1}`);
      const address = nextClientAddress();
      const enrolledKiosk = await enrollKiosk({
        dataDir,
        cloudUrl: cloud.httpUrl,
        code: screen.code,
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('x-forwarded-for', address);
          return fetch(input, { ...init, headers });
        },
      });
      if (!enrolledKiosk.ok) throw new Error(`enrolling kiosk ${i + 1}: ${describeRefusal(enrolledKiosk)}`);
      const brokerUrl = new URL(broker.screenUrls[i % broker.screenUrls.length] as string);
      const link = await startLinkProxy({
        targetHost: brokerUrl.hostname,
        targetPort: Number(brokerUrl.port),
        scheme: 'mqtt',
      });
      links.push(link);
      kiosks.push(
        await startDemoKiosk(
          {
            index: i + 1,
            dataDir,
            reader: 'none',
            uiHost: '127.0.0.1',
            uiPort: 0,
            mqttUrl: link.url,
            cloudUrl: cloud.httpUrl,
            locale: 'en',
            logLevel: 'warn',
          },
          link,
          () => undefined,
        ),
      );
    }
    const kioskStatuses = () => Promise.all(kiosks.map((kiosk) => kiosk.status().catch(() => null)));
    /** Screens holding a broker connection now: the phases below wait for these. */
    const connectedNow = async () =>
      total(workers, (s) => s.connected) +
      (await kioskStatuses()).filter((status) => status?.connected === true).length;

    // Every screen connected and holding its retained config, the real kiosks connected too (they dial
    // after their start returns; a NATS node takes a moment longer to accept a JWT login).
    const connectTiming = await timePhase({
      target: enrolled + kiosks.length,
      count: async () =>
        Math.min(
          total(workers, (s) => s.connected),
          total(workers, (s) => s.configured),
        ) + (await kioskStatuses()).filter((status) => status?.connected === true).length,
      timeoutMs: options.phaseTimeoutMs,
      stallMs: options.stallMs,
      check: checkWorkers,
      progress: (count) => print(`connected with a config: ${count}/${enrolled + kiosks.length}`),
    });
    report.enrolment.connectedMs = connectTiming.all;
    report.enrolment.configuredMissing = connectTiming.missing;
    const active = enrolled + kioskCount;
    report.enrolment.notConnected = active - (await connectedNow());

    // 4. Memory with the fleet connected.
    report.memory.screens = active;
    report.memory.broker.afterBytes = brokerRssBytes(broker);
    report.memory.cloud.afterBytes = rssBytes(cloud.pid);
    // The broker holds a connection per connected screen; the cloud knows every active one.
    const connectedForMemory = active - report.enrolment.notConnected;
    report.memory.connected = connectedForMemory;
    const perScreen = (before: number | null, after: number | null, screens: number) =>
      before === null || after === null || screens === 0 ? null : (after - before) / screens;
    report.memory.broker.perScreenBytes = perScreen(
      report.memory.broker.beforeBytes,
      report.memory.broker.afterBytes,
      connectedForMemory,
    );
    report.memory.cloud.perScreenBytes = perScreen(
      report.memory.cloud.beforeBytes,
      report.memory.cloud.afterBytes,
      active,
    );
    report.memory.simulatorPerScreenBytes =
      enrolled === 0 ? null : total(workers, (s) => s.rssBytes) / enrolled;
    print(
      `memory: broker ${mb(report.memory.broker.beforeBytes)} → ${mb(report.memory.broker.afterBytes)}, cloud ${mb(report.memory.cloud.beforeBytes)} → ${mb(report.memory.cloud.afterBytes)}`,
    );

    // 5. A campaign over every screen: each screen's share of one pool, as many envelopes as the pool
    // can give every active screen alike (the cloud's fair share rounds up).
    const perScreenEnvelopes = Math.max(
      1,
      Math.min(FIRST_DECK_ENVELOPES, Math.floor(ENVELOPES_PER_PLAN_MAX / active)),
    );
    const envelopes = Math.min(ENVELOPES_PER_PLAN_MAX, perScreenEnvelopes * active);
    const campaign = await createSimCampaign(api, operator, {
      budgetFen: envelopes * SIM_MEAN_ENVELOPE_FEN,
      envelopes,
      cities: SIM_CITIES,
      name: `Fleet of ${active}`,
      claimPaths: ['tap'],
      activate: false,
    });
    const withDeck = async () =>
      total(workers, (s) => s.withDeck) +
      (await kioskStatuses()).filter((status) => status !== null && status.envelopesLeft > 0).length;
    const activateStart = performance.now();
    let requestMs = 0;
    const activation = api
      .call('POST', `/v1/campaigns/${campaign.campaignId}/transitions`, {
        token: campaign.advertiserToken,
        body: { transition: 'activate' },
      })
      .then(() => {
        requestMs = performance.now() - activateStart;
      });
    let activationError: unknown = null;
    activation.catch((error: unknown) => {
      activationError = error;
    });
    print(
      `campaign ${campaign.campaignId} (${envelopes} envelopes) activated; waiting for a deck on ${active} screens`,
    );
    const deckTarget = await connectedNow();
    const decks = await timePhase({
      target: deckTarget,
      count: withDeck,
      timeoutMs: options.phaseTimeoutMs,
      stallMs: options.stallMs,
      check: () => {
        checkWorkers();
        if (activationError !== null) throw activationError as Error;
      },
      progress: (count, elapsed) =>
        print(
          `decks: ${count}/${active} screens hold one after ${seconds(elapsed)}${requestMs === 0 ? ' (activation request still open)' : ''}`,
        ),
    });
    await activation;
    report.activation = {
      campaignId: campaign.campaignId,
      envelopes,
      requestMs,
      decks,
      envelopesPerScreen:
        total(workers, (s) => s.envelopes) /
        Math.max(
          1,
          total(workers, (s) => s.withDeck),
        ),
      deckLowSent: total(workers, (s) => s.deckLowSent),
      decksRejected: total(workers, (s) => s.decksRejected),
    };

    // 6. A credential revocation reaches every screen's config.
    const versionsNow = () => {
      const counts = new Map<number, number>();
      for (const worker of workers)
        for (const [version, n] of Object.entries(worker.stats?.revocationVersions ?? {}))
          counts.set(Number(version), (counts.get(Number(version)) ?? 0) + n);
      return counts;
    };
    const fromVersion = Math.max(-1, ...versionsNow().keys());
    const [phone] = await registerSimPhones(api, 1, () => undefined);
    if (phone === undefined) throw new Error('no wallet to revoke');
    const revokeStart = performance.now();
    const revoked = await api.call<{ queued?: { generation: number }; revocationNumber?: number }>(
      'POST',
      `/v1/wallets/${phone.walletId}/credentials/${phone.credential.credentialSerial}/revoke`,
      { token: operator },
    );
    const revokeRequestMs = performance.now() - revokeStart;
    const revocationTarget = await connectedNow();
    const applied = await timePhase({
      target: revocationTarget,
      count: async () => {
        let n = 0;
        for (const [version, count] of versionsNow()) if (version > fromVersion) n += count;
        for (const status of await kioskStatuses())
          if (status !== null && (status.revocationVersion ?? -1) > fromVersion) n++;
        return n;
      },
      timeoutMs: options.phaseTimeoutMs,
      stallMs: options.stallMs,
      check: checkWorkers,
      progress: (count, elapsed) =>
        print(`revocation: ${count}/${active} screens applied it after ${seconds(elapsed)}`),
    });
    // The console's "applied on N of M screens" counts the kiosks' heartbeats: it must reach what the
    // simulation counted (heartbeats are handled a moment after the config that raised the number).
    const progressPath =
      revoked.queued === undefined
        ? null
        : `/v1/screen-configs/progress?generation=${revoked.queued.generation}` +
          (revoked.revocationNumber === undefined ? '' : `&revocation=${revoked.revocationNumber}`);
    const expectedConfirmed = revocationTarget - applied.missing;
    let cloudProgress: unknown = null;
    let confirmedAnswered: number | null = null;
    const confirmStart = performance.now();
    while (progressPath !== null) {
      cloudProgress = await api
        .call<{ confirmed?: number | null }>('GET', progressPath, { token: operator })
        .catch((error: unknown) => String(error));
      confirmedAnswered =
        typeof cloudProgress === 'object' && cloudProgress !== null
          ? ((cloudProgress as { confirmed?: number | null }).confirmed ?? null)
          : null;
      if (
        (confirmedAnswered ?? 0) >= expectedConfirmed ||
        performance.now() - confirmStart > options.phaseTimeoutMs
      )
        break;
      await nextReport(POLL_MS);
    }
    print(
      `revocation: the cloud counts ${confirmedAnswered ?? 'n/a'} screens that confirmed it (${expectedConfirmed} applied it)`,
    );
    report.revocation = {
      requestMs: revokeRequestMs,
      applied,
      fromVersion,
      cloudProgress,
      confirmed: {
        answered: confirmedAnswered,
        expected: expectedConfirmed,
        waitedMs: performance.now() - confirmStart,
      },
    };

    // 7. Switch a share of the screens off; the console's summary must say what the simulation knows.
    const offlineWanted = Math.min(enrolled, Math.max(1, Math.round(enrolled * options.offlineRatio)));
    const stoppedIds: number[] = [];
    let answeredStops = 0;
    for (const [w, worker] of workers.entries()) {
      const count = Math.floor(offlineWanted / workers.length) + (w < offlineWanted % workers.length ? 1 : 0);
      worker.stoppedSome = (ids) => {
        stoppedIds.push(...ids);
        answeredStops++;
      };
      sendTo(worker, { type: 'stop-some', count });
    }
    const stopStart = performance.now();
    while (answeredStops < workers.length) {
      checkWorkers();
      if (performance.now() - stopStart > options.phaseTimeoutMs)
        throw new Error(`${workers.length - answeredStops} workers did not switch their screens off in time`);
      await nextReport(POLL_MS);
    }
    print(`switched ${stoppedIds.length} screens off; comparing the console's fleet summary`);
    const stopped = new Set(stoppedIds);
    const cityOf = new Map(codes.map((screen) => [screen.screenId, screen.city]));
    // Which screens are active: every provisioned one but those whose enrolment failed (pending).
    const pending = fleetSize - enrolled;
    const expectedCities = new Map<
      string,
      { city: string; total: number; active: number; online: number; offline: number }
    >();
    for (const screen of codes) {
      const entry = expectedCities.get(screen.city) ?? {
        city: screen.city,
        total: 0,
        active: 0,
        online: 0,
        offline: 0,
      };
      entry.total++;
      expectedCities.set(screen.city, entry);
    }
    // What the simulation knows: who holds a connection now, who was switched off, and who never
    // connected (never heard from, so long offline). Screens still connecting move the counts: the
    // check is repeated until the summary (cached up to 5 s) says the same.
    const truth = async () => {
      const online = await connectedNow();
      return {
        total: all,
        byStatus: { pending, active, revoked: 0 },
        online,
        offline: active - online,
        longOffline: total(workers, (s) => s.neverConnected),
      };
    };
    let expected: Awaited<ReturnType<typeof truth>> | null = null;
    const summaryStart = performance.now();
    let lastSummaryPrint = summaryStart;
    let answered: Record<string, unknown> | null = null;
    let ok = false;
    const stoppedByCity = new Map<string, number>();
    for (const id of stopped)
      stoppedByCity.set(cityOf.get(id) ?? '', (stoppedByCity.get(cityOf.get(id) ?? '') ?? 0) + 1);
    while (performance.now() - summaryStart < options.phaseTimeoutMs) {
      checkWorkers();
      expected = await truth();
      answered = await api.call('GET', '/v1/screens/summary', { token: operator });
      const summary = answered as unknown as NonNullable<typeof expected> & {
        cities: { city: string; total: number; active: number; online: number; offline: number }[];
      };
      const whole =
        summary.total === expected.total &&
        summary.byStatus.pending === expected.byStatus.pending &&
        summary.byStatus.active === expected.byStatus.active &&
        summary.byStatus.revoked === 0 &&
        summary.online === expected.online &&
        summary.offline === expected.offline &&
        summary.longOffline === expected.longOffline;
      // By city: totals are exact; online + offline = active (pending screens, whose enrolment failed,
      // are neither), with at least the switched-off screens offline (exactly those when every other
      // screen is connected).
      const everyoneElse = expected.offline === stopped.size;
      const cities = summary.cities.every((row) => {
        const want = expectedCities.get(row.city);
        const off = stoppedByCity.get(row.city) ?? 0;
        return (
          want !== undefined &&
          row.total === want.total &&
          row.online + row.offline === row.active &&
          (everyoneElse ? row.offline === off : row.offline >= off)
        );
      });
      ok = whole && cities && summary.cities.length === expectedCities.size;
      if (ok) break;
      if (performance.now() - lastSummaryPrint >= PROGRESS_EVERY_MS) {
        lastSummaryPrint = performance.now();
        print(
          `summary: not equal yet after ${seconds(lastSummaryPrint - summaryStart)}: expected ${summaryText(expected)}; answered ${summaryText(answered)}`,
        );
      }
      // The summary is cached up to 5 s and screens still connecting move the truth: ask again soon.
      await nextReport(POLL_MS);
    }
    report.summary = { ok, expected, answered, waitedMs: performance.now() - summaryStart };
    report.configsInvalid = total(workers, (s) => s.configsInvalid);
  } catch (error) {
    report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    print(`failed: ${report.error}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
            worker.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            sendTo(worker, { type: 'stop' });
          }),
      ),
    );
    await Promise.all(kiosks.map((kiosk) => kiosk.stop().catch(() => undefined)));
    await Promise.all(links.map((link) => link.close().catch(() => undefined)));
    await cloud?.stop().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    if (databaseCreated && !options.keep && options.postgresUrl !== null)
      await adminQuery(`drop database if exists ${database} with (force)`, options.postgresUrl).catch(
        () => undefined,
      );
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    else print(`kept ${dir}${databaseCreated ? ` and database ${database}` : ''}`);
  }
  report.rows = reportRows(report);
  return report;
}

/** A fleet summary in one short line: totals, status, online/offline/long offline. */
function summaryText(value: unknown): string {
  const summary = value as {
    total?: number;
    byStatus?: { pending: number; active: number; revoked: number };
    online?: number;
    offline?: number;
    longOffline?: number;
  } | null;
  if (summary?.byStatus === undefined) return 'nothing';
  const { byStatus } = summary;
  return `${summary.total} screens (${byStatus.active} active, ${byStatus.pending} pending, ${byStatus.revoked} revoked), ${summary.online} online, ${summary.offline} offline, ${summary.longOffline} long offline`;
}

function timingText(timing: PhaseTiming): string {
  return `all after ${seconds(timing.all)} (50 % ${seconds(timing.p50)}, 90 % ${seconds(timing.p90)}, 99 % ${seconds(timing.p99)})`;
}

export function reportRows(report: FleetReport): BenchRow[] {
  const rows: BenchRow[] = [];
  const { provisioning, enrolment, activation, revocation, memory, summary } = report;
  rows.push({
    metric: `provisioning (${provisioning.method})`,
    result: `${provisioning.screens} screens in ${seconds(provisioning.ms)}: ${provisioning.perS.toFixed(1)}/s`,
  });
  const failures = Object.entries(enrolment.failed)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  rows.push({
    metric: 'enrolment (POST /v1/enrol, each screen its own key and address)',
    target: 'every screen',
    result: `${enrolment.enrolled} in ${seconds(enrolment.ms)}: ${enrolment.perS.toFixed(1)}/s${failures === '' ? '' : `; failed: ${failures}`}`,
    pass: failures === '' && report.error === null,
  });
  rows.push({
    metric: 'connected to the broker with a retained config',
    target: 'every enrolled screen',
    result: `${seconds(enrolment.connectedMs)} after the last enrolment${enrolment.configuredMissing > 0 ? `; ${enrolment.configuredMissing} missing` : ''}; ${enrolment.notConnected} active screens not connected when the phase ended (${report.options.broker === 'nats' ? 'each NATS node' : 'Mosquitto'} may open ${report.brokerFileLimit ?? 'n/a'} files)`,
    pass: enrolment.configuredMissing === 0 && enrolment.connectedMs !== null && enrolment.notConnected === 0,
  });
  if (activation !== null) {
    rows.push({
      metric: `campaign activation over every screen (${activation.envelopes} envelopes): activation request`,
      result: seconds(activation.requestMs),
    });
    rows.push({
      metric: 'every connected screen holds a deck',
      target: 'all, none left without',
      result: `${timingText(activation.decks)}; ${activation.decks.missing} without a deck after ${seconds(activation.decks.waitedMs)}; ${activation.envelopesPerScreen.toFixed(1)} envelopes per screen; ${activation.deckLowSent} deck-low sent; ${activation.decksRejected} decks rejected`,
      pass: activation.decks.missing === 0 && activation.decksRejected === 0,
    });
  }
  if (revocation !== null) {
    rows.push({
      metric:
        'credential revocation applied by every connected screen (config with the new revocation version)',
      target: 'all',
      result: `request ${seconds(revocation.requestMs)}; ${timingText(revocation.applied)}; ${revocation.applied.missing} missing after ${seconds(revocation.applied.waitedMs)}`,
      pass: revocation.applied.missing === 0,
    });
    rows.push({
      metric: 'console revocation progress (screens that confirmed it in a heartbeat)',
      target: 'every screen that applied it',
      result: `${revocation.confirmed.answered ?? 'n/a'} of ${revocation.confirmed.expected}, after ${seconds(revocation.confirmed.waitedMs)}`,
      pass: (revocation.confirmed.answered ?? -1) >= revocation.confirmed.expected,
    });
  }
  rows.push({
    metric: `broker RSS (${report.options.broker === 'nats' ? `NATS, sum of ${report.options.natsNodes} nodes` : 'Mosquitto'}), ${memory.connected} connected screens`,
    result: `${mb(memory.broker.beforeBytes)} → ${mb(memory.broker.afterBytes)}: ${kb(memory.broker.perScreenBytes)} per screen`,
  });
  rows.push({
    metric: `cloud RSS (one process), ${memory.screens} active screens`,
    result: `${mb(memory.cloud.beforeBytes)} → ${mb(memory.cloud.afterBytes)}: ${kb(memory.cloud.perScreenBytes)} per screen`,
  });
  rows.push({
    metric: 'simulator RSS per lightweight screen (workers)',
    result: kb(memory.simulatorPerScreenBytes),
  });
  if (summary !== null)
    rows.push({
      metric: 'console fleet summary (GET /v1/screens/summary) equals the simulation',
      target: 'equal',
      result: `${summary.ok ? 'equal' : 'DIFFERS'} after ${seconds(summary.waitedMs)}: expected ${summaryText(summary.expected)}; answered ${summaryText(summary.answered)}`,
      pass: summary.ok,
    });
  rows.push({
    metric: 'configs that failed the shared schema',
    target: '0',
    result: String(report.configsInvalid),
    pass: report.configsInvalid === 0,
  });
  if (report.error !== null)
    rows.push({ metric: 'run', target: 'completes', result: report.error.split('\n')[0] ?? '', pass: false });
  return rows;
}

/** PostgreSQL when the admin connection works, else null (the cloud's embedded PGlite). */
export async function defaultPostgres(): Promise<string | null> {
  return (await postgresProblem()) === null ? POSTGRES_ADMIN_URL : null;
}
