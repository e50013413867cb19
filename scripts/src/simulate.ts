// `npm run simulate -- --screens N --phones N --taps N [--offline-ratio R] [--seed N] [--cloud URL]`:
// a load simulation of the whole system. An embedded cloud (or --cloud), N real kiosk agents in this
// process with the simulated reader, phones registered as wallets, taps spread over the screens (phones
// stay in their own city), a fraction of screens offline for the first half of the taps, and a share of
// phones redeeming their receipts themselves. Ends with outcomes, settle latency and the ledger check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { pino } from 'pino';
import { toHex } from '@redtap/shared';
import { seededRandom } from '@redtap/tap-reader';
import { bootstrapOperator, checkLedger, loadEnv, startCloud, type RunningCloud } from '@redtap/cloud';
import { loginUser, type CloudApi } from './demo/cloud-api.ts';
import { summarize } from './lib/stats.ts';
import { SimKiosk, TAP_SPACING_S, type SettledTap } from './simulator/sim-kiosk.ts';
import {
  createSimCampaign,
  enrolSimScreens,
  fleetApi,
  registerSimPhones,
  type SimPhone,
} from './simulator/sim-world.ts';

const SETTLE_TIMEOUT_MS = 300_000;
const CONNECT_TIMEOUT_MS = 120_000;
const POLL_MS = 100;
const REDEEM_TIMEOUT_MS = 120_000;

const int = (value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a count: ${value}`);
  return parsed;
};
const ratio = (value: string) => {
  const parsed = Number.parseFloat(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new Error(`not a ratio in [0, 1]: ${value}`);
  return parsed;
};

const options = new Command()
  .name('npm run simulate --')
  .description('load-simulate screens, phones and taps against a cloud, then check the ledger')
  .option('--screens <n>', 'kiosks', int, 20)
  .option('--phones <n>', 'phones registered as wallets', int, 400)
  .option('--taps <n>', 'taps in all', int, 3_000)
  .option('--offline-ratio <r>', 'share of screens offline for the first half of the taps', ratio, 0.3)
  .option(
    '--phone-redeem-ratio <r>',
    'share of receipts the phone also redeems itself (POST /v1/redeem)',
    ratio,
    0.2,
  )
  .option('--concurrency <n>', 'screens tapped at the same time', int, 16)
  .option('--rate <n>', 'taps per second offered, all screens together (0 = as fast as they go)', int, 80)
  .option('--seed <n>', 'seed of the tap pattern', int, 1)
  .option(
    '--cloud <url>',
    'an existing cloud instead of an embedded one (needs --operator-email/--operator-password)',
  )
  .option('--operator-email <email>', 'operator login for --cloud', process.env.REDTAP_OPERATOR_EMAIL)
  .option(
    '--operator-password <password>',
    'operator password for --cloud',
    process.env.REDTAP_OPERATOR_PASSWORD,
  )
  .parse(process.argv)
  .opts<{
    screens: number;
    phones: number;
    taps: number;
    offlineRatio: number;
    phoneRedeemRatio: number;
    concurrency: number;
    rate: number;
    seed: number;
    cloud?: string;
    operatorEmail?: string;
    operatorPassword?: string;
  }>();

if (options.screens < 1 || options.phones < 1) throw new Error('--screens and --phones must be at least 1');
const random = seededRandom(options.seed);
const workDir = mkdtempSync(join(tmpdir(), 'redtap-simulate-'));
const startedAtMs = performance.now();
const log = (message: string) => console.log(`[simulate] ${message}`);

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

let cloud: RunningCloud | null = null;
const kiosks: SimKiosk[] = [];
let exitCode = 0;
try {
  let api: CloudApi;
  let operator: string;
  // With --cloud, kiosks use the broker their enrolment named.
  let brokerUrl: string | undefined;
  if (options.cloud === undefined) {
    const operatorLogin = { email: 'simulator@redtap.local', password: 'simulator-operator-password' };
    cloud = await startCloud(
      loadEnv(process.env, {
        PORT: '0',
        MQTT_PORT: '0',
        REDTAP_DATA_DIR: join(workDir, 'cloud'),
        REDTAP_TRUST_PROXY: 'true',
        DATABASE_URL: process.env.DATABASE_URL,
        LOG_LEVEL: 'error',
      }),
      pino({ level: 'error' }),
    );
    await bootstrapOperator(cloud.database, operatorLogin, pino({ level: 'error' }));
    api = fleetApi(cloud.httpUrl);
    operator = await loginUser(api, operatorLogin.email, operatorLogin.password);
    brokerUrl = cloud.mqttUrl;
    log(`embedded cloud ${cloud.httpUrl} (${cloud.database.engine}), broker ${brokerUrl}`);
  } else {
    if (options.operatorEmail === undefined || options.operatorPassword === undefined)
      throw new Error('--cloud needs --operator-email and --operator-password');
    api = fleetApi(options.cloud);
    operator = await loginUser(api, options.operatorEmail, options.operatorPassword);
  }

  // A phone waits as long as it takes while the cloud works through a rush (the queue is shared).
  const redeemApi = fleetApi(api.baseUrl, REDEEM_TIMEOUT_MS);
  const bars = new cliProgress.MultiBar(
    { format: '{task} [{bar}] {value}/{total} {extra}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const setupBar = bars.create(options.screens + options.phones, 0, { task: 'setup    ', extra: '' });
  const screens = await enrolSimScreens(api, operator, options.screens, workDir, () => setupBar.increment());
  const phones = await registerSimPhones(api, options.phones, () => setupBar.increment());

  const settled: SettledTap[] = [];
  const settledOffline: SettledTap[] = [];
  for (const screen of screens) {
    const kiosk: SimKiosk = await SimKiosk.start({
      screen,
      ...(brokerUrl === undefined ? {} : { brokerUrl }),
      onSettled: (tap) => {
        (kiosk.offlineTapped ? settledOffline : settled).push(tap);
      },
    });
    kiosks.push(kiosk);
  }
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.connected),
    'every kiosk to connect',
    CONNECT_TIMEOUT_MS,
  );

  const budgetFen = Math.max(10_000, options.taps * 40);
  const { campaignId } = await createSimCampaign(api, operator, {
    budgetFen,
    envelopes: Math.min(65_535, Math.ceil(options.taps * 1.3)),
  });
  setupBar.update(options.screens + options.phones, { extra: `campaign ${campaignId}` });
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.envelopesLeft() > 0),
    'a deck on every kiosk',
    CONNECT_TIMEOUT_MS,
  );

  // A seeded pick of screens goes offline for the first half of the taps.
  const offlineCount = Math.round(options.screens * options.offlineRatio);
  const shuffled = [...kiosks].sort(() => random.next() - 0.5);
  const offline = new Set(shuffled.slice(0, offlineCount));
  for (const kiosk of offline) {
    kiosk.setOffline(true);
    kiosk.offlineTapped = true;
  }

  const phonesByCity = new Map<string, SimPhone[]>();
  for (const phone of phones) phonesByCity.set(phone.city, [...(phonesByCity.get(phone.city) ?? []), phone]);
  const outcomes = new Map<string, number>();
  const phoneRedeems = new Map<string, number>();
  const tapBar = bars.create(options.taps, 0, { task: 'taps     ', extra: '' });
  const settleBar = bars.create(options.taps, 0, { task: 'settled  ', extra: '' });
  const settleTicker = setInterval(() => {
    settleBar.update(settled.length + settledOffline.length, {
      extra: `backlog ${kiosks.reduce((sum, kiosk) => sum + kiosk.unsettledCount, 0)}`,
    });
  }, 250);

  // Screens are tapped one exchange at a time each; `concurrency` screens at once.
  const busy = new Set<SimKiosk>();
  const tapsStartedAtMs = performance.now();
  let issued = 0;
  let restored = false;
  const redeems: Promise<void>[] = [];
  const worker = async () => {
    while (issued < options.taps) {
      const free = kiosks.filter((kiosk) => !busy.has(kiosk));
      const kiosk = free[Math.floor(random.next() * free.length)];
      if (kiosk === undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      issued += 1;
      if (options.rate > 0) {
        // Open-loop pacing: tap n is due n / rate seconds after the start, whatever the cloud's pace.
        const dueMs = tapsStartedAtMs + (issued / options.rate) * 1000 - performance.now();
        if (dueMs > 0) await new Promise((resolve) => setTimeout(resolve, dueMs));
      }
      if (!restored && issued > options.taps / 2) {
        restored = true;
        for (const down of offline) down.setOffline(false);
      }
      busy.add(kiosk);
      try {
        const pool = phonesByCity.get(kiosk.screen.city) ?? phones;
        const phone = pool[Math.floor(random.next() * pool.length)] ?? phones[0];
        if (phone === undefined) break;
        const result = await kiosk.tap(phone);
        const key = result.code === null ? result.outcome : `${result.outcome} ${result.code}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        if (!result.committed) settleBar.setTotal(Math.max(0, settleBar.getTotal() - 1));
        if (result.receipt !== null && random.next() < options.phoneRedeemRatio) {
          const token = toHex(result.receipt);
          redeems.push(
            redeemApi.call<{ status: string; code?: string }>('POST', '/v1/redeem', { body: { token } }).then(
              (reply) => {
                const status = reply.code === undefined ? reply.status : `${reply.status} ${reply.code}`;
                phoneRedeems.set(status, (phoneRedeems.get(status) ?? 0) + 1);
              },
              (error: unknown) => {
                const status = `error ${error instanceof Error ? error.message.slice(0, 60) : 'unknown'}`;
                phoneRedeems.set(status, (phoneRedeems.get(status) ?? 0) + 1);
              },
            ),
          );
          if (redeems.length > 256) await Promise.all(redeems.splice(0));
        }
      } finally {
        busy.delete(kiosk);
      }
      tapBar.increment();
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, options.screens)) }, worker),
  );
  const tapsElapsedS = (performance.now() - tapsStartedAtMs) / 1000;
  for (const down of offline) down.setOffline(false);
  await Promise.all(redeems);
  const settleStartedAtMs = performance.now();
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.unsettledCount === 0 && kiosk.backlog() === 0),
    'every committed tap to settle',
    SETTLE_TIMEOUT_MS,
  );
  clearInterval(settleTicker);
  settleBar.update(settled.length + settledOffline.length, { extra: 'backlog 0' });
  bars.stop();

  const ledger =
    cloud === null
      ? await api.call<{
          ok: boolean;
          accounts: number;
          transfers: number;
          totalFen: number;
          negativeAccountIds: number[];
          mismatchedAccountIds: number[];
        }>('GET', '/v1/ledger/check', { token: operator })
      : await checkLedger(cloud.database.db);

  const settleCounts = new Map<string, number>();
  for (const tap of [...settled, ...settledOffline]) {
    const key = tap.code === null ? tap.status : `${tap.status} ${tap.code}`;
    settleCounts.set(key, (settleCounts.get(key) ?? 0) + 1);
  }
  const table = (map: Map<string, number>) =>
    Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1]));
  const latency = (taps: SettledTap[]) => {
    const s = summarize(taps.map((tap) => tap.latencyMs));
    return s.count === 0
      ? 'none'
      : `n=${s.count}  p50 ${s.p50.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms  p99 ${s.p99.toFixed(0)} ms  max ${s.max.toFixed(0)} ms`;
  };
  const committed = settled.length + settledOffline.length;
  const clamped = kiosks.reduce((sum, kiosk) => sum + kiosk.clockClamped, 0);
  console.log(`
RedTap simulation — ${options.screens} screens (${offlineCount} offline for the first half), ${options.phones} phones, ${options.taps} taps, seed ${options.seed}
  taps issued in ${tapsElapsedS.toFixed(1)} s (${(options.taps / tapsElapsedS).toFixed(0)} taps/s); all settled ${((performance.now() - settleStartedAtMs) / 1000).toFixed(1)} s after the last tap
  total run ${((performance.now() - startedAtMs) / 1000).toFixed(1)} s`);
  console.log('\nTaps at the screen (exchange outcome):');
  console.table(table(outcomes));
  console.log(`Settled by the cloud (ack status and code), ${committed} committed taps:`);
  console.table(table(settleCounts));
  console.log(
    `Phone path (POST /v1/redeem), ${[...phoneRedeems.values()].reduce((a, b) => a + b, 0)} receipts:`,
  );
  console.table(table(phoneRedeems));
  console.log('Settle latency, commit → ack:');
  console.log(`  screens online throughout   ${latency(settled)}`);
  console.log(`  screens offline for a while ${latency(settledOffline)}  (includes the offline period)`);
  if (clamped > 0)
    console.log(
      `  note: ${clamped} taps came faster than one every ${TAP_SPACING_S} s of kiosk time on their screen; the cloud's rate rule may hold them`,
    );
  console.log(
    `Ledger check: ${ledger.ok ? 'OK' : 'FAILED'} — ${ledger.accounts} accounts, ${ledger.transfers} transfers, sum ${ledger.totalFen} fen, ${ledger.negativeAccountIds.length} negative, ${ledger.mismatchedAccountIds.length} mismatched`,
  );
  if (!ledger.ok) exitCode = 1;
} catch (error) {
  console.error(
    `[simulate] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  exitCode = 1;
} finally {
  await Promise.all(kiosks.map((kiosk) => kiosk.stop().catch(() => undefined)));
  await cloud?.stop().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
