// One chaos run: real processes (kiosk agents with simulated readers, cloud replicas on PostgreSQL with a
// shared subscription on Mosquitto, the broker), fault proxies on every link, seeded taps and seeded
// faults; then heal, wait for every tap to settle, and check (./checks.ts). The seed fixes the fault
// schedule, the tap pattern, the phone redemptions and the withdrawals; a failing seed replays them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPrivateKeyPem, toHex, encodeCredential } from '@redtap/shared';
import { seededRandom, type Random } from '@redtap/tap-reader';
import { CloudApiError, loginUser, loginWallet } from '../demo/cloud-api.ts';
import { startLinkProxy, type LinkProxy } from '../lib/link-proxy.ts';
import { adminQuery } from '../lib/postgres-admin.ts';
import {
  createSimCampaign,
  enrolSimScreens,
  fleetApi,
  registerSimPhones,
  SIM_CITIES,
  type SimPhone,
} from '../simulator/sim-world.ts';
import { startChaosBroker, type ChaosBroker } from './broker.ts';
import { checkRun, type KioskRecord, type Verdict, type WithdrawalRecord } from './checks.ts';
import { freePort } from '@redtap/cloud/testing/mosquitto';
import { CloudReplica, KioskProcess } from './processes.ts';
import { describeFault, faultTarget, planFaults, type Fault, type ScheduledFault } from './schedule.ts';

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  screens: number;
  replicas: number;
  phonesPerScreen: number;
  /** After the faults: how long every tap has to settle. */
  settleTimeoutMs: number;
  adminUrl: string;
  keep: boolean;
  /** Progress and timeline lines. */
  print: (line: string) => void;
}

export interface TimelineEntry {
  atMs: number;
  what: string;
}

export interface ChaosReport {
  seed: number;
  options: Omit<ChaosOptions, 'print' | 'adminUrl'>;
  dir: string;
  schedule: ScheduledFault[];
  timeline: TimelineEntry[];
  faultsInjected: number;
  taps: {
    attempted: number;
    committed: number;
    skippedKioskDown: number;
    failed: number;
    outcomes: Record<string, number>;
  };
  phoneRedeems: Record<string, number>;
  withdrawals: { asked: number; confirmed: number; outcomes: Record<string, number> };
  settleMs: number | null;
  wallMs: number;
  verdict: Verdict | null;
  error: string | null;
}

/** Seconds between two taps on one screen: 10 taps span more than the cloud's 20 s inhuman-rate window. */
const TAP_SPACING_MIN_MS = 2_300;
const TAP_SPACING_MAX_MS = 3_800;
/** Share of receipts the phone also redeems itself, racing the kiosk's batch. */
const PHONE_REDEEM_SHARE = 0.25;
/** A phone retries its own redemption like the app does, a bounded number of times. */
const PHONE_RETRIES = 8;
const WITHDRAWAL_GAP_MS = 4_000;
const WITHDRAWAL_RETRIES = 12;
const RETRY_GAP_MS = 750;
const RESTART_RETRY_MS = 1_000;
const RESTART_ATTEMPTS_MAX = 90;
const PROGRESS_EVERY_MS = 5_000;
const SETTLE_POLL_MS = 500;
const ENVELOPES_PER_EXPECTED_TAP = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A transient failure a client retries (network, timeout, 5xx, 429); any other 4xx answer is final. */
function retryable(error: unknown): boolean {
  return !(error instanceof CloudApiError) || error.status >= 500 || error.status === 429;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const wallStartedAt = performance.now();
  const dir = mkdtempSync(join(tmpdir(), `redtap-chaos-${options.seed}-`));
  const say = options.print;
  const schedule = planFaults({
    seed: options.seed,
    durationMs: options.durationMs,
    screens: options.screens,
    replicas: options.replicas,
  });
  const report: ChaosReport = {
    seed: options.seed,
    options: {
      seed: options.seed,
      durationMs: options.durationMs,
      screens: options.screens,
      replicas: options.replicas,
      phonesPerScreen: options.phonesPerScreen,
      settleTimeoutMs: options.settleTimeoutMs,
      keep: options.keep,
    },
    dir,
    schedule,
    timeline: [],
    faultsInjected: 0,
    taps: { attempted: 0, committed: 0, skippedKioskDown: 0, failed: 0, outcomes: {} },
    phoneRedeems: {},
    withdrawals: { asked: 0, confirmed: 0, outcomes: {} },
    settleMs: null,
    wallMs: 0,
    verdict: null,
    error: null,
  };
  say(
    `chaos seed ${options.seed}: ${options.screens} kiosks, ${options.replicas} cloud replica(s), ${options.durationMs / 1000} s of faults, run dir ${dir}`,
  );
  say(`schedule (${schedule.length} faults):`);
  for (const entry of schedule)
    say(`  +${(entry.atMs / 1000).toFixed(1).padStart(6)} s  ${describeFault(entry.fault)}`);

  const database = `redtap_chaos_${options.seed}_${randomBytes(4).toString('hex')}`;
  const admin = (text: string) => adminQuery(text, options.adminUrl);
  const adminUrl = new URL(options.adminUrl);
  const databaseUrl = new URL(options.adminUrl);
  databaseUrl.pathname = `/${database}`;

  const proxies: LinkProxy[] = [];
  const links = new Map<string, LinkProxy>();
  const replicas: CloudReplica[] = [];
  const kiosks: KioskProcess[] = [];
  let broker: ChaosBroker | null = null;
  const clockOffsets = new Map<number, number>();
  const reportedCommitted = new Map<number, Set<number>>();
  /** Of those, the taps whose prize the screen showed as "confirming". */
  const reportedConfirming = new Map<number, Set<number>>();
  const withdrawalLog: WithdrawalRecord[] = [];
  const background: Promise<unknown>[] = [];
  let startedAt = 0;
  const elapsed = () => performance.now() - startedAt;
  const timeline = (what: string) => {
    const entry = { atMs: Math.round(elapsed()), what };
    report.timeline.push(entry);
    say(`  [${(entry.atMs / 1000).toFixed(1).padStart(6)} s] ${what}`);
  };
  const proxy = async (name: string, targetPort: number, scheme: string) => {
    const made = await startLinkProxy({ targetHost: '127.0.0.1', targetPort, scheme });
    proxies.push(made);
    links.set(name, made);
    return made;
  };
  let healing = false;

  /** Restarts a process until it runs: its link may still be faulted, so the first tries may fail. */
  const restart = async (what: string, start: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await start();
        timeline(`${what} restarted${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        return;
      } catch (error) {
        if (attempt >= RESTART_ATTEMPTS_MAX)
          throw new Error(`${what} did not restart: ${errorText(error)}`, { cause: error });
        if (attempt === 1 || attempt % 10 === 0) timeline(`${what} failed to start: ${errorText(error)}`);
        await sleep(RESTART_RETRY_MS);
      }
    }
  };

  try {
    await admin(`create database ${database}`);
    broker = await startChaosBroker({
      dir: join(dir, 'broker'),
      topicRoot: `redtap-chaos-${options.seed}/v1`,
    });
    const operator = {
      email: 'chaos-operator@redtap.local',
      password: randomBytes(12).toString('base64url'),
    };
    const sharedEnv = {
      REDTAP_TOPIC_ROOT: `redtap-chaos-${options.seed}/v1`,
      MQTT_USERNAME: broker.username,
      MQTT_PASSWORD: broker.password,
      MQTT_PUBLIC_URL: broker.url,
      REDTAP_JWT_SECRET: randomBytes(32).toString('hex'),
      REDTAP_ISSUER_KEY_SECRET: randomBytes(32).toString('hex'),
      REDTAP_OPERATOR_EMAIL: operator.email,
      REDTAP_OPERATOR_PASSWORD: operator.password,
      REDTAP_TRUST_PROXY: 'true',
      REDTAP_VERIFY_THREADS: '1',
      LOG_LEVEL: 'info',
    };
    for (let r = 0; r < options.replicas; r++) {
      const db = await proxy(`cloud-${r}-db`, Number(adminUrl.port || 5432), 'postgres');
      const mqtt = await proxy(`cloud-${r}-mqtt`, broker.port, 'mqtt');
      const viaProxy = new URL(databaseUrl);
      viaProxy.host = `127.0.0.1:${db.port}`;
      replicas.push(
        new CloudReplica({
          index: r,
          port: await freePort(),
          logFile: join(dir, `cloud-${r}.log`),
          env: {
            ...sharedEnv,
            DATABASE_URL: viaProxy.toString(),
            MQTT_URL: mqtt.url,
            REDTAP_DATA_DIR: join(dir, `cloud-${r}`),
          },
        }),
      );
    }
    // The first replica migrates the fresh database before the others start.
    for (const replica of replicas) await replica.start();
    say(
      `cloud: ${replicas.map((replica) => replica.httpUrl).join(', ')} on ${database}; broker ${broker.url}`,
    );

    const api = fleetApi(replicas[0]?.httpUrl ?? '');
    const operatorToken = await loginUser(api, operator.email, operator.password);
    const expectedTaps = Math.ceil((options.screens * options.durationMs) / TAP_SPACING_MIN_MS);
    const envelopes = Math.min(65_535, Math.max(200, expectedTaps * ENVELOPES_PER_EXPECTED_TAP));
    await createSimCampaign(api, operatorToken, { budgetFen: envelopes * 50, envelopes });
    const screens = await enrolSimScreens(
      api,
      operatorToken,
      options.screens,
      join(dir, 'kiosks'),
      () => undefined,
    );
    const phones = await registerSimPhones(api, options.screens * options.phonesPerScreen, () => undefined);
    const phonesFile = join(dir, 'phones.json');
    writeFileSync(
      phonesFile,
      JSON.stringify(
        phones.map((phone) => ({
          walletId: phone.walletId,
          privateKeyPem: exportPrivateKeyPem(phone.keyPair.privateKey),
          credential: toHex(encodeCredential(phone.credential)),
        })),
      ),
    );
    mkdirSync(join(dir, 'logs'), { recursive: true });
    for (const screen of screens) {
      const link = await proxy(`kiosk-${screen.index}`, broker.port, 'mqtt');
      const kiosk = new KioskProcess({
        index: screen.index,
        dataDir: screen.dataDir,
        mqttUrl: link.url,
        phonesFile,
        clockOffsetS: 0,
        logFile: join(dir, 'logs', `kiosk-${screen.index}.log`),
        logLevel: 'info',
      });
      kiosks.push(kiosk);
      reportedCommitted.set(screen.index, new Set());
    }
    await Promise.all(kiosks.map((kiosk) => kiosk.start(0)));
    say(`${kiosks.length} kiosks and ${phones.length} phones ready; taps and faults begin`);

    startedAt = performance.now();
    const endAt = options.durationMs;

    // --- faults --------------------------------------------------------------------------------
    const apply = async (fault: Fault): Promise<void> => {
      report.faultsInjected += 1;
      timeline(describeFault(fault));
      switch (fault.kind) {
        case 'kill-kiosk': {
          const kiosk = kiosks[fault.kiosk];
          if (kiosk === undefined) return;
          await kiosk.kill();
          await sleep(fault.downMs);
          await restart(`kiosk ${fault.kiosk}`, () => kiosk.start(clockOffsets.get(fault.kiosk) ?? 0));
          return;
        }
        case 'kill-cloud': {
          const replica = replicas[fault.replica];
          if (replica === undefined) return;
          await replica.kill();
          await sleep(fault.downMs);
          await restart(`cloud replica ${fault.replica}`, () => replica.start());
          return;
        }
        case 'restart-broker': {
          const running = broker;
          if (running === null) return;
          await running.stop(fault.crash);
          await sleep(fault.downMs);
          await restart('broker', () => running.start());
          return;
        }
        case 'link': {
          const link = links.get(fault.link);
          if (link === undefined) return;
          if (fault.fault === 'reset') {
            link.reset();
            return;
          }
          link.setFault(
            fault.fault === 'delay' ? { kind: 'delay', ms: fault.delayMs } : { kind: fault.fault },
          );
          await sleep(fault.durationMs);
          if (!healing) link.setFault({ kind: 'none' });
          timeline(`link ${fault.link} healed`);
          return;
        }
        case 'clock-jump': {
          const kiosk = kiosks[fault.kiosk];
          clockOffsets.set(fault.kiosk, fault.offsetS);
          kiosk?.setClock(fault.offsetS);
          await sleep(fault.durationMs);
          clockOffsets.set(fault.kiosk, 0);
          kiosk?.setClock(0);
          timeline(`kiosk ${fault.kiosk}'s clock corrected`);
          return;
        }
      }
    };
    const faults = (async () => {
      // Faults on one target run one after another: a kiosk still restarting from one kill is not
      // killed again mid-start (that would be two processes on one data directory, which no real
      // screen runs); the next kill waits for it.
      const byTarget = new Map<string, Promise<void>>();
      for (const entry of schedule) {
        const wait = entry.atMs - elapsed();
        if (wait > 0) await sleep(wait);
        const target = faultTarget(entry.fault);
        const previous = byTarget.get(target) ?? Promise.resolve();
        byTarget.set(
          target,
          previous.then(() =>
            apply(entry.fault).catch((error: unknown) => timeline(`fault failed: ${errorText(error)}`)),
          ),
        );
      }
      await Promise.all(byTarget.values());
    })();

    // --- the phone path ------------------------------------------------------------------------
    const phoneRedeem = async (receipt: string, replicaIndex: number) => {
      let outcome = 'gave up';
      for (let attempt = 0; attempt < PHONE_RETRIES; attempt++) {
        const replica = replicas[(replicaIndex + attempt) % replicas.length];
        try {
          const reply = await fleetApi(replica?.httpUrl ?? '').call<{ status: string; code?: string }>(
            'POST',
            '/v1/redeem',
            { body: { token: receipt } },
          );
          outcome = reply.code === undefined ? reply.status : `${reply.status} ${reply.code}`;
          // `retry`: the cloud could not decide now (its database was out of reach); the app asks again.
          if (reply.status !== 'retry') break;
        } catch (error) {
          if (!retryable(error)) {
            outcome = `error ${error instanceof CloudApiError ? error.code : errorText(error)}`;
            break;
          }
          await sleep(RETRY_GAP_MS);
        }
      }
      report.phoneRedeems[outcome] = (report.phoneRedeems[outcome] ?? 0) + 1;
    };

    // --- taps ----------------------------------------------------------------------------------
    const count = (outcome: string) =>
      (report.taps.outcomes[outcome] = (report.taps.outcomes[outcome] ?? 0) + 1);
    /** `local`: indices into `phones` of the phones in this kiosk's city (phones stay in their city). */
    const tapLoop = async (kiosk: KioskProcess, random: Random, local: readonly number[]) => {
      for (;;) {
        await sleep(TAP_SPACING_MIN_MS + random.int(TAP_SPACING_MAX_MS - TAP_SPACING_MIN_MS));
        if (elapsed() >= endAt) return;
        const phoneIndex = local[random.int(local.length)] ?? 0;
        const redeemRoll = random.next();
        const replicaRoll = random.int(replicas.length);
        report.taps.attempted += 1;
        if (!kiosk.running) {
          report.taps.skippedKioskDown += 1;
          continue;
        }
        try {
          const result = await kiosk.tap(phoneIndex);
          count(result.code === null ? result.outcome : `${result.outcome} ${result.code}`);
          if (!result.committed || result.counter === null) continue;
          report.taps.committed += 1;
          reportedCommitted.get(kiosk.index)?.add(result.counter);
          if (result.certainty === 'confirming') {
            const confirming = reportedConfirming.get(kiosk.index) ?? new Set<number>();
            confirming.add(result.counter);
            reportedConfirming.set(kiosk.index, confirming);
          }
          if (result.receipt !== null && redeemRoll < PHONE_REDEEM_SHARE)
            background.push(phoneRedeem(result.receipt, replicaRoll));
        } catch {
          // The kiosk died under the tap: whether it committed is for the checks to find on its disk.
          report.taps.failed += 1;
        }
      }
    };
    const taps = Promise.all(
      kiosks.map((kiosk) => {
        const city = SIM_CITIES[kiosk.index % SIM_CITIES.length];
        const local = phones.flatMap((phone, index) => (phone.city === city ? [index] : []));
        return tapLoop(kiosk, seededRandom((options.seed + 7_919 * (kiosk.index + 1)) >>> 0), local);
      }),
    );

    // --- withdrawals ---------------------------------------------------------------------------
    const withdrawRandom = seededRandom((options.seed ^ 0x5eed_0002) >>> 0);
    const tallyWithdrawal = (outcome: string) =>
      (report.withdrawals.outcomes[outcome] = (report.withdrawals.outcomes[outcome] ?? 0) + 1);
    const withdraw = async (phone: SimPhone, amountFen: number, key: string) => {
      const record: WithdrawalRecord = {
        walletId: phone.walletId,
        idempotencyKey: key,
        amountFen,
        confirmed: false,
      };
      let asked = false;
      for (let attempt = 0; attempt < WITHDRAWAL_RETRIES; attempt++) {
        const replica = replicas[attempt % replicas.length];
        try {
          const walletApi = fleetApi(replica?.httpUrl ?? '');
          const token = await loginWallet(walletApi, phone.walletId, phone.keyPair);
          if (!asked) {
            const { balanceFen } = await walletApi.call<{ balanceFen: number }>('GET', '/v1/wallets/me', {
              token,
            });
            // Nothing to take out yet: the phone does not ask.
            if (balanceFen < amountFen) return;
            // From the first request on, the phone retries this key until it has an answer.
            asked = true;
            withdrawalLog.push(record);
            report.withdrawals.asked += 1;
          }
          await walletApi.call('POST', '/v1/wallets/me/withdrawals', {
            token,
            body: { amountFen, idempotencyKey: key },
          });
          record.confirmed = true;
          report.withdrawals.confirmed += 1;
          tallyWithdrawal('confirmed');
          return;
        } catch (error) {
          if (!retryable(error)) {
            tallyWithdrawal(error instanceof CloudApiError ? error.code : errorText(error));
            return;
          }
          await sleep(RETRY_GAP_MS);
        }
      }
      if (asked) tallyWithdrawal('gave up');
    };
    const withdrawals = (async () => {
      let n = 0;
      for (;;) {
        await sleep(WITHDRAWAL_GAP_MS);
        if (elapsed() >= endAt) return;
        const phone = phones[withdrawRandom.int(phones.length)];
        n += 1;
        if (phone !== undefined)
          background.push(withdraw(phone, 10 + withdrawRandom.int(20), `chaos-${options.seed}-${n}`));
      }
    })();

    const progress = setInterval(() => {
      const down = [
        ...kiosks.filter((kiosk) => !kiosk.running).map((kiosk) => `kiosk ${kiosk.index}`),
        ...replicas.filter((replica) => !replica.running).map((replica) => `cloud ${replica.index}`),
        ...(broker?.running === false ? ['broker'] : []),
        ...[...links]
          .filter(([, link]) => link.fault.kind !== 'none')
          .map(([name, link]) => `${name}:${link.fault.kind}`),
      ];
      say(
        `  ${(elapsed() / 1000).toFixed(0).padStart(4)} s  taps ${report.taps.attempted}, committed ${report.taps.committed}; faults ${report.faultsInjected}/${schedule.length}${down.length > 0 ? `; now: ${down.join(', ')}` : ''}`,
      );
    }, PROGRESS_EVERY_MS);
    try {
      await Promise.all([taps, withdrawals, faults]);
    } finally {
      clearInterval(progress);
    }

    // --- heal and settle -------------------------------------------------------------------------
    healing = true;
    timeline('healing: every link up, every clock right, every process running');
    for (const link of proxies) link.setFault({ kind: 'none' });
    for (const kiosk of kiosks) {
      clockOffsets.set(kiosk.index, 0);
      kiosk.setClock(0);
    }
    const runningBroker = broker;
    if (!runningBroker.running) await restart('broker', () => runningBroker.start());
    await Promise.all([
      ...replicas
        .filter((replica) => !replica.running)
        .map((replica) => restart(`cloud replica ${replica.index}`, () => replica.start())),
      ...kiosks
        .filter((kiosk) => !kiosk.running)
        .map((kiosk) => restart(`kiosk ${kiosk.index}`, () => kiosk.start(0))),
    ]);
    await Promise.all(background);
    const settleStartedAt = performance.now();
    let backlog = Number.POSITIVE_INFINITY;
    while (performance.now() - settleStartedAt < options.settleTimeoutMs) {
      const statuses = await Promise.all(kiosks.map((kiosk) => kiosk.status().catch(() => null)));
      backlog = statuses.reduce(
        (sum, status) => sum + (status === null ? Number.POSITIVE_INFINITY : status.backlog),
        0,
      );
      if (backlog === 0) {
        report.settleMs = Math.round(performance.now() - settleStartedAt);
        break;
      }
      await sleep(SETTLE_POLL_MS);
    }
    timeline(
      report.settleMs === null
        ? `${backlog} taps still unsettled after ${options.settleTimeoutMs} ms`
        : `every tap settled, ${report.settleMs} ms after healing`,
    );

    await Promise.all(kiosks.map((kiosk) => kiosk.stop()));
    await Promise.all(replicas.map((replica) => replica.stop()));
    const records: KioskRecord[] = kiosks.map((kiosk) => ({
      index: kiosk.index,
      screenId: kiosk.screenId,
      dataDir: kiosk.config.dataDir,
      reportedCommitted: reportedCommitted.get(kiosk.index) ?? new Set(),
      reportedConfirming: reportedConfirming.get(kiosk.index) ?? new Set(),
    }));
    report.verdict = await checkRun({
      databaseUrl: databaseUrl.toString(),
      kiosks: records,
      withdrawals: withdrawalLog,
    });
  } catch (error) {
    report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    await Promise.all(kiosks.map((kiosk) => kiosk.kill()));
    await Promise.all(replicas.map((replica) => replica.kill()));
    await broker?.stop(false);
    await Promise.all(proxies.map((link) => link.close()));
    report.wallMs = Math.round(performance.now() - wallStartedAt);
    const passed = report.error === null && report.verdict?.ok === true;
    if (!options.keep && passed) {
      await admin(`drop database if exists ${database} with (force)`).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return report;
}
