// The launcher's side of the demo kiosks: each runs in its own child process (crashes stay isolated, as
// on real screens) behind its own link proxy to the broker, so the launcher can take it offline.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LinkProxy } from '../lib/link-proxy.ts';
import {
  ChildMessage,
  KIOSK_CONFIG_ENV,
  type KioskChildConfig,
  type KioskStatusReply,
} from './kiosk-messages.ts';

const KIOSK_ENTRY = fileURLToPath(new URL('./kiosk-process.ts', import.meta.url));
export const KIOSK_START_TIMEOUT_MS = 120_000;
export const KIOSK_STATUS_TIMEOUT_MS = 3_000;
export const KIOSK_STOP_TIMEOUT_MS = 10_000;
/** Tap listeners per kiosk (the phone simulator waits on one per PC/SC tap). */
const TAP_LISTENERS_MAX = 32;

export type KioskTapEvent = Extract<ChildMessage, { type: 'tap' }>;

export interface DemoKiosk {
  readonly index: number;
  readonly screenId: number;
  readonly url: string | null;
  readonly reader: KioskChildConfig['reader'];
  readonly link: LinkProxy;
  status(): Promise<KioskStatusReply>;
  onTap(listener: (event: KioskTapEvent) => void): () => void;
  stop(): Promise<void>;
}

export async function startDemoKiosk(
  config: KioskChildConfig,
  link: LinkProxy,
  writeLogLine: (line: string) => void,
): Promise<DemoKiosk> {
  const child: ChildProcess = fork(KIOSK_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [KIOSK_CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines = (stream: NodeJS.ReadableStream | null) => {
    if (stream === null) return;
    createInterface({ input: stream }).on('line', writeLogLine);
  };
  lines(child.stdout);
  lines(child.stderr);

  const pending = new Map<number, (status: KioskStatusReply) => void>();
  const tapListeners = new Set<(event: KioskTapEvent) => void>();
  let requestId = 0;
  const ready = new Promise<{ url: string | null; screenId: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kiosk ${config.index} did not start within ${KIOSK_START_TIMEOUT_MS} ms`));
    }, KIOSK_START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiosk ${config.index} exited with ${String(code)} while starting`));
    });
    child.on('message', (raw) => {
      const parsed = ChildMessage.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      switch (message.type) {
        case 'ready':
          clearTimeout(timer);
          resolve({ url: message.url, screenId: message.screenId });
          return;
        case 'failed':
          clearTimeout(timer);
          reject(new Error(`kiosk ${config.index}: ${message.message}`));
          return;
        case 'status':
          pending.get(message.requestId)?.(message.status);
          pending.delete(message.requestId);
          return;
        case 'tap':
          for (const listener of tapListeners) listener(message);
          return;
      }
    });
  });
  const started = await ready;
  let stopping: Promise<void> | null = null;
  return {
    index: config.index,
    screenId: started.screenId,
    url: started.url,
    reader: config.reader,
    link,
    status: () =>
      new Promise((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`kiosk ${config.index} is not running`));
          return;
        }
        requestId += 1;
        const id = requestId;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`kiosk ${config.index} did not answer a status request`));
        }, KIOSK_STATUS_TIMEOUT_MS);
        pending.set(id, (status) => {
          clearTimeout(timer);
          resolve(status);
        });
        child.send({ type: 'status', requestId: id });
      }),
    onTap: (listener) => {
      if (tapListeners.size >= TAP_LISTENERS_MAX) throw new Error('too many tap listeners');
      tapListeners.add(listener);
      return () => tapListeners.delete(listener);
    },
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), KIOSK_STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      })),
  };
}
