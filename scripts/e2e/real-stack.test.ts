// The system end to end on the real engines: PostgreSQL (a fresh database), a private Mosquitto with
// dynamic security, and virtual phones through the real pcscd + vpcd into a kiosk's PC/SC reader. The
// pcscd is the test's own (tap-reader's PrivatePcscd), so another PC/SC client on the machine — `npm
// start`'s screen 1 on "Virtual PCD 00 00" — neither disturbs the test nor is disturbed by it.
// Missing pieces skip locally with a loud reason; under CI=true they fail.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, startCloud, type RunningCloud } from '@redtap/cloud';
import { PCSCD_SOCKET_ENV, PrivatePcscd, privatePcscdAvailable } from '@redtap/tap-reader';
import {
  mosquittoMissingReason,
  startMosquitto,
  type PrivateMosquitto,
} from '@redtap/cloud/testing/mosquitto';
import { adminQuery, POSTGRES_ADMIN_URL as ADMIN_URL, postgresProblem } from '../src/lib/postgres-admin.ts';
import { runExactlyOnceScenario, startRig, type Rig } from './support/system-scenario.ts';

const ci = process.env.CI === 'true';

const problems = [
  privatePcscdAvailable()
    ? null
    : 'pcscd or the vpcd driver is not installed (scripts/install-system-deps.sh)',
  await postgresProblem(),
  mosquittoMissingReason(),
].filter((problem): problem is string => problem !== null);

if (problems.length > 0 && ci) {
  describe('real stack: PostgreSQL + Mosquitto + pcscd/vpcd', () => {
    it('needs its environment (CI=true: missing pieces are a failure)', () => {
      expect.fail(problems.join('; '));
    });
  });
} else if (problems.length > 0) {
  console.warn(`\n!!! SKIPPING the real-stack end-to-end test: ${problems.join('; ')} !!!\n`);
  // Only outside CI (above, CI=true fails instead): the reason is in the title and the warning.
  describe.skip(`real stack: PostgreSQL + Mosquitto + pcscd/vpcd — skipped: ${problems.join('; ')}`, () =>
    undefined);
} else {
  describe('real stack: PostgreSQL + Mosquitto + pcscd/vpcd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redtap-e2e-real-'));
    const database = `redtap_e2e_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const topicRoot = `redtap-e2e-${randomBytes(4).toString('hex')}/v1`;
    let mosquitto: PrivateMosquitto | undefined;
    let cloud: RunningCloud | undefined;
    let rig: Rig | undefined;
    let pcscd: PrivatePcscd | undefined;

    beforeAll(async () => {
      await adminQuery(`create database ${database}`);
      mosquitto = await startMosquitto({ topicRoot });
      const url = new URL(ADMIN_URL);
      url.pathname = `/${database}`;
      const running = await startCloud(
        loadEnv(
          {},
          {
            PORT: '0',
            DATABASE_URL: url.toString(),
            MQTT_URL: mosquitto.url,
            MQTT_USERNAME: mosquitto.username,
            MQTT_PASSWORD: mosquitto.password,
            REDTAP_TOPIC_ROOT: topicRoot,
            REDTAP_DATA_DIR: join(dir, 'cloud'),
            LOG_LEVEL: 'silent',
          },
        ),
        pino({ level: 'silent' }),
      );
      cloud = running;
      pcscd = await PrivatePcscd.start();
      // libpcsclite reads this once, at the process's first PC/SC context: set before the kiosk starts.
      process.env[PCSCD_SOCKET_ENV] = pcscd.socketPath;
      rig = await startRig(running, dir, 'pcsc', { vpcdPort: pcscd.ports[0] });
    });

    afterAll(async () => {
      await rig?.stop();
      await cloud?.stop();
      await mosquitto?.stop();
      await pcscd?.dispose();
      await adminQuery(`drop database if exists ${database} with (force)`);
      rmSync(dir, { recursive: true, force: true });
    });

    it('credits vpcd taps exactly once over both routes, through an offline period', async () => {
      if (rig === undefined) throw new Error('no rig');
      await runExactlyOnceScenario(rig);
    });
  });
}
