// The real processes of a chaos run, each one SIGKILL-able and restartable in place:
// - a cloud replica: `redtap-cloud serve` on PostgreSQL and the broker, both reached through fault proxies;
// - a kiosk: the kiosk child (./kiosk-child.ts) behind its own fault proxy to the broker.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CHAOS_KIOSK_ENV,
  KioskMessage,
  type ChaosKioskConfig,
  type RunnerMessage,
} from './kiosk-messages.ts';

const CLOUD_CLI = fileURLToPath(new URL('../../../cloud/src/cli.ts', import.meta.url));
const KIOSK_CHILD = fileURLToPath(new URL('./kiosk-child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;
const HEALTH_POLL_MS = 200;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (child === null || exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}

export class CloudReplica {
  readonly index: number;
  readonly httpUrl: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: WriteStream;
  private child: ChildProcess | null = null;
  /** Starts done so far (the first included). */
  starts = 0;

  constructor(options: { index: number; port: number; env: Record<string, string>; logFile: string }) {
    this.index = options.index;
    this.httpUrl = `http://127.0.0.1:${options.port}`;
    this.env = { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' };
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== null && !exited(this.child);
  }

  /**
   * Starts the replica and waits until it answers /healthz. A start can fail while its database link is
   * faulted (the cloud exits when it cannot reach PostgreSQL); the caller retries.
   */
  async start(): Promise<void> {
    this.starts += 1;
    const child = spawn(process.execPath, ['--import', 'tsx', CLOUD_CLI, 'serve'], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited(child)) throw new Error(`cloud replica ${this.index} exited while starting`);
      const healthy = await fetch(`${this.httpUrl}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
    child.kill('SIGKILL');
    throw new Error(`cloud replica ${this.index} did not answer /healthz within ${START_TIMEOUT_MS} ms`);
  }

  kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    return stopChild(child, 'SIGKILL');
  }

  stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    return stopChild(child, 'SIGTERM');
  }
}

export type KioskTapResult = Extract<KioskMessage, { type: 'tapped' }>['result'];
export type KioskStatus = Extract<KioskMessage, { type: 'status' }>['status'];

export class KioskProcess {
  readonly index: number;
  readonly config: ChaosKioskConfig;
  screenId = 0;
  private child: ChildProcess | null = null;
  private requestId = 0;
  private readonly pending = new Map<number, (message: KioskMessage) => void>();
  starts = 0;

  constructor(config: ChaosKioskConfig) {
    this.index = config.index;
    this.config = config;
  }

  get running(): boolean {
    return this.child !== null && !exited(this.child) && this.child.connected;
  }

  async start(clockOffsetS: number): Promise<void> {
    this.starts += 1;
    const config: ChaosKioskConfig = { ...this.config, clockOffsetS };
    const child = fork(KIOSK_CHILD, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [CHAOS_KIOSK_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('exit', () => {
      // Whatever was asked of a dead kiosk has no answer: fail it now rather than at the timeout.
      for (const [id, resolve] of this.pending) {
        this.pending.delete(id);
        resolve({ type: 'failed', message: 'the kiosk process exited' });
      }
    });
    const ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`kiosk ${this.index} did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kiosk ${this.index} exited with ${String(code)} while starting`));
      });
      child.on('message', (raw) => {
        const parsed = KioskMessage.safeParse(raw);
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message.screenId);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`kiosk ${this.index}: ${message.message}`));
        } else {
          this.pending.get(message.requestId)?.(message);
          this.pending.delete(message.requestId);
        }
      });
    });
    this.screenId = await ready;
  }

  private request(message: RunnerMessage & { requestId: number }): Promise<KioskMessage> {
    const child = this.child;
    if (child === null || !child.connected) return Promise.reject(new Error(`kiosk ${this.index} is down`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.requestId);
        reject(new Error(`kiosk ${this.index} did not answer ${message.type}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(message.requestId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send(message);
    });
  }

  async tap(phone: number): Promise<KioskTapResult> {
    const reply = await this.request({ type: 'tap', requestId: ++this.requestId, phone });
    if (reply.type !== 'tapped')
      throw new Error(reply.type === 'failed' ? reply.message : 'unexpected reply');
    return reply.result;
  }

  async status(): Promise<KioskStatus> {
    const reply = await this.request({ type: 'status', requestId: ++this.requestId });
    if (reply.type !== 'status')
      throw new Error(reply.type === 'failed' ? reply.message : 'unexpected reply');
    return reply.status;
  }

  setClock(offsetS: number): void {
    if (this.child?.connected === true) this.child.send({ type: 'clock', offsetS } satisfies RunnerMessage);
  }

  kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    return stopChild(child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || exited(child)) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ type: 'stop' } satisfies RunnerMessage);
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
  }
}
