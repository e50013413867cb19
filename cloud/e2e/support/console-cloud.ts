// A real cloud for browser tests (PGlite, embedded aedes, ephemeral ports); it serves the built console
// from its own origin, as in production.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloud, type RunningCloud } from '../../src/cloud.ts';
import { loadEnv } from '../../src/env.ts';

export const OPERATOR = { email: 'ops@redtap.test', password: 'operator-password-1' };

export interface ConsoleCloud {
  /** The console and the API on one origin. */
  url: string;
  cloud: RunningCloud;
  stop(): Promise<void>;
}

export async function startConsoleCloud(): Promise<ConsoleCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-console-'));
  const cloud = await startCloud(
    loadEnv({
      REDTAP_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: '0',
      REDTAP_TOPIC_ROOT: `redtap-console/${Date.now().toString(36)}`,
      REDTAP_OPERATOR_EMAIL: OPERATOR.email,
      REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
      LOG_LEVEL: 'silent',
    }),
  );
  return {
    url: cloud.httpUrl,
    cloud,
    stop: async () => {
      await cloud.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Re-checks a condition until it holds, within a bound: for state another component writes. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ApiInit {
  token?: string;
  /** Sent as JSON with POST; without it the request is a GET. */
  body?: unknown;
  /** The status expected; any 2xx when left out. */
  status?: number;
}

/** Calls the cloud's API as a test's setup would, failing loudly on an unexpected status. */
export async function callApi<T>(baseUrl: string, path: string, init: ApiInit = {}): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const expected = init.status === undefined ? response.ok : response.status === init.status;
  if (!expected) throw new Error(`${path} → ${String(response.status)} ${text}`);
  return JSON.parse(text) as T;
}
