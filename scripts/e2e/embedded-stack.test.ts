// The system end to end on embedded defaults: PGlite, the embedded aedes broker, the simulated reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadEnv, startCloud, type RunningCloud } from '@redtap/cloud';
import { runExactlyOnceScenario, startRig, type Rig } from './support/system-scenario.ts';

describe('embedded stack: PGlite + aedes + simulated reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redtap-e2e-embedded-'));
  let cloud: RunningCloud;
  let rig: Rig;

  beforeAll(async () => {
    cloud = await startCloud(
      loadEnv({}, { PORT: '0', MQTT_PORT: '0', REDTAP_DATA_DIR: join(dir, 'cloud'), LOG_LEVEL: 'silent' }),
      pino({ level: 'silent' }),
    );
    rig = await startRig(cloud, dir, 'simulated');
  });

  afterAll(async () => {
    await rig.stop();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('credits every tap to its wallet exactly once over both routes, through an offline period', async () => {
    await runExactlyOnceScenario(rig);
  });
});
