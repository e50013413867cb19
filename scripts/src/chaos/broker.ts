// The chaos runner's broker: a private Mosquitto 2 with the dynamic-security plugin on a fixed loopback
// port, so it can be stopped (SIGTERM) or crashed (SIGKILL) and started again where everyone expects it.
// Its dynamic-security file and its persistence database live in the run's directory and survive
// restarts, as on a production broker; a crash loses what was not yet autosaved.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCloudAccount,
  freePort,
  MOSQUITTO_BIN,
  mosquittoConfig,
  writeDynsecFile,
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
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const spawned = spawn(MOSQUITTO_BIN, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = spawned;
    spawned.stderr.pipe(log, { end: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Not left behind: a broker that never said it runs is killed before the start is failed.
        spawned.kill('SIGKILL');
        child = null;
        reject(new Error('mosquitto did not start in time'));
      }, START_TIMEOUT_MS);
      spawned.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').includes(' running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      spawned.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `mosquitto exited with ${String(code)} while starting (see ${options.dir}/mosquitto.log)`,
          ),
        );
      });
    });
  };

  const stop = async (crash: boolean): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(crash ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
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
      return child !== null;
    },
    stop,
    start,
  };
}
