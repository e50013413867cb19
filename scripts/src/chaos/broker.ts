// The chaos runner's broker: a private Mosquitto 2 with the dynamic-security plugin on a fixed loopback
// port, so it can be stopped (SIGTERM) or crashed (SIGKILL) and started again where everyone expects it.
// Its dynamic-security file and its persistence database live in the run's directory and survive
// restarts, as on a production broker; a crash loses what was not yet autosaved.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCloudAccount,
  freePort,
  launchMosquitto,
  mosquittoConfig,
  writeDynsecFile,
  type LaunchedMosquitto,
} from '@redtap/cloud/testing/mosquitto';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Seconds between persistence saves: a crash loses at most this much of the broker's queues. */
const AUTOSAVE_INTERVAL_S = 2;

export interface ChaosBroker {
  readonly url: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly running: boolean;
  /** SIGTERM (Mosquitto saves its state) or SIGKILL (it does not). */
  stop(crash: boolean): Promise<void>;
  start(): Promise<void>;
}

export async function startChaosBroker(options: { dir: string; topicRoot: string }): Promise<ChaosBroker> {
  await mkdir(options.dir, { recursive: true });
  const username = 'redtap-cloud';
  const password = randomBytes(12).toString('hex');
  const admin = await writeDynsecFile(options.dir, options.topicRoot);
  const port = await freePort();
  const confFile = join(options.dir, 'mosquitto.conf');
  await writeFile(
    confFile,
    mosquittoConfig({
      port,
      dynsecFile: admin.file,
      persistence: { dir: options.dir, autosaveIntervalS: AUTOSAVE_INTERVAL_S },
    }),
  );
  const log = createWriteStream(join(options.dir, 'mosquitto.log'), { flags: 'a' });
  let broker: LaunchedMosquitto | null = null;

  const start = async (): Promise<void> => {
    broker = await launchMosquitto({
      confFile,
      startTimeoutMs: START_TIMEOUT_MS,
      stopTimeoutMs: STOP_TIMEOUT_MS,
      onLog: (chunk) => log.write(chunk),
    });
  };

  const stop = async (crash: boolean): Promise<void> => {
    const running = broker;
    broker = null;
    await running?.stop(crash);
  };

  await start();
  try {
    await createCloudAccount({ port, admin, username, password, timeoutMs: START_TIMEOUT_MS });
  } catch (error) {
    await stop(true);
    throw error;
  }

  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    username,
    password,
    get running() {
      return broker !== null;
    },
    stop,
    start,
  };
}
