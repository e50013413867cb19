// Starts a private Mosquitto 2 with the dynamic-security plugin on a free loopback port, for the broker
// contract tests. The shared Mosquitto on 1883 is never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLOUD_ROLE_NAME, cloudServiceRole } from '../../src/broker/dynsec.ts';

const execFileAsync = promisify(execFile);

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
export const MOSQUITTO_CTRL_BIN = '/usr/bin/mosquitto_ctrl';
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** Why Mosquitto cannot run here, or null when it can. */
export function mosquittoMissingReason(): string | null {
  for (const path of [MOSQUITTO_BIN, MOSQUITTO_CTRL_BIN, DYNSEC_PLUGIN]) {
    if (!existsSync(path)) return `${path} is not installed`;
  }
  return null;
}

export interface PrivateMosquitto {
  url: string;
  username: string;
  password: string;
  /** Mosquitto's log so far (bounded), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * A private Mosquitto's configuration: one loopback listener, dynamic security, no anonymous clients,
 * logs on stderr (the `running` line there says it is up). With `persistence`, its state survives
 * restarts, saved every `autosaveIntervalS`.
 */
export function mosquittoConfig(options: {
  port: number;
  dynsecFile: string;
  persistence?: { dir: string; autosaveIntervalS: number };
}): string {
  return [
    'per_listener_settings false',
    `listener ${options.port} 127.0.0.1`,
    `plugin ${DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${options.dynsecFile}`,
    'allow_anonymous false',
    // Run as root, Mosquitto would switch to `mosquitto`, which cannot read or save our private temp dir.
    `user ${userInfo().username}`,
    ...(options.persistence === undefined
      ? ['persistence false']
      : [
          'persistence true',
          `persistence_location ${options.persistence.dir}/`,
          `autosave_interval ${options.persistence.autosaveIntervalS}`,
        ]),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    '',
  ].join('\n');
}

export interface DynsecBootstrap {
  file: string;
  adminUsername: string;
  adminPassword: string;
}

/**
 * Writes a dynamic-security file into `dir` with a bootstrap admin, the `redtap-cloud` role for
 * `topicRoot`, and receiving denied by default (so every screen's explicit receive ACLs are exercised).
 */
export async function writeDynsecFile(dir: string, topicRoot: string): Promise<DynsecBootstrap> {
  const adminUsername = 'dynsec-admin';
  const adminPassword = randomBytes(12).toString('hex');
  const file = join(dir, 'dynamic-security.json');
  await execFileAsync(MOSQUITTO_CTRL_BIN, ['dynsec', 'init', file, adminUsername, adminPassword]);
  const dynsec = JSON.parse(await readFile(file, 'utf8')) as {
    roles: unknown[];
    defaultACLAccess: Record<string, boolean>;
  };
  dynsec.roles.push(cloudServiceRole(topicRoot));
  dynsec.defaultACLAccess.publishClientReceive = false;
  await writeFile(file, JSON.stringify(dynsec, null, 2));
  return { file, adminUsername, adminPassword };
}

/** Creates the cloud's service account, with nothing but the `redtap-cloud` role. */
export async function createCloudAccount(options: {
  port: number;
  admin: DynsecBootstrap;
  username: string;
  password: string;
  timeoutMs: number;
}): Promise<void> {
  const { admin } = options;
  const ctrl = (...args: string[]) =>
    execFileAsync(
      MOSQUITTO_CTRL_BIN,
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(options.port),
        '-u',
        admin.adminUsername,
        '-P',
        admin.adminPassword,
        'dynsec',
        ...args,
      ],
      { timeout: options.timeoutMs },
    );
  await ctrl('createClient', options.username, '-p', options.password);
  await ctrl('addClientRole', options.username, CLOUD_ROLE_NAME);
}

export interface LaunchedMosquitto {
  readonly child: ChildProcess;
  /** SIGTERM (Mosquitto saves its state), or SIGKILL with `crash`; SIGKILL too if it outlasts the bound. */
  stop(crash?: boolean): Promise<void>;
}

/**
 * Starts Mosquitto on `confFile` (logging to stderr, as mosquittoConfig writes it) and resolves once it
 * logs that it runs; a broker that exits or never says so within `startTimeoutMs` is killed and the start
 * fails. Its stderr goes to `onLog`. With `fileLimit`, its file descriptor limit is raised first
 * (to the hard limit when that is lower).
 */
export async function launchMosquitto(options: {
  confFile: string;
  startTimeoutMs: number;
  stopTimeoutMs?: number;
  onLog?: (chunk: Buffer) => void;
  fileLimit?: number;
}): Promise<LaunchedMosquitto> {
  const child =
    options.fileLimit === undefined
      ? spawn(MOSQUITTO_BIN, ['-c', options.confFile], { stdio: ['ignore', 'ignore', 'pipe'] })
      : // `ulimit -n` raises the shell's limits, then exec keeps the pid for Mosquitto.
        spawn(
          '/bin/sh',
          [
            '-c',
            `ulimit -n ${options.fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" -c "$1"`,
            MOSQUITTO_BIN,
            options.confFile,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
  const stop = async (crash = false): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(crash ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 5_000);
    await exited;
    clearTimeout(timer);
  };
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left behind: a broker that never said it runs is killed before the start is failed.
      child.kill('SIGKILL');
      reject(new Error(`mosquitto did not start within ${options.startTimeoutMs} ms:\n${seen}`));
    }, options.startTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      options.onLog?.(chunk);
      const text = chunk.toString('utf8');
      if (seen.length < 64_000) seen += text;
      if (text.includes(' running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mosquitto exited with ${String(code)} while starting:\n${seen}`));
    });
  });
  return { child, stop };
}

/**
 * The dynsec admin from `mosquitto_ctrl dynsec init` only bootstraps: the cloud gets its own account with
 * nothing but the `redtap-cloud` role, so the suite proves that role is enough. Receiving is denied by
 * default too, so every screen's explicit `publishClientReceive` ACLs are exercised.
 */
export async function startMosquitto(options: {
  topicRoot: string;
  startTimeoutMs?: number;
}): Promise<PrivateMosquitto> {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'redtap-mosquitto-'));
  const username = 'redtap-cloud';
  const password = randomBytes(12).toString('hex');
  const admin = await writeDynsecFile(dir, options.topicRoot);

  const port = await freePort();
  const confFile = join(dir, 'mosquitto.conf');
  await writeFile(confFile, mosquittoConfig({ port, dynsecFile: admin.file }));

  const log: string[] = [];
  let broker: LaunchedMosquitto | null = null;
  const stop = async (): Promise<void> => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    broker = await launchMosquitto({
      confFile,
      startTimeoutMs,
      onLog: (chunk) => {
        if (log.length < 2000) log.push(chunk.toString('utf8'));
      },
    });
    await createCloudAccount({ port, admin, username, password, timeoutMs: startTimeoutMs });
  } catch (error) {
    await stop();
    throw error;
  }

  return { url: `mqtt://127.0.0.1:${port}`, username, password, log: () => log.join(''), stop };
}
