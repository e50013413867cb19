// The assembled cloud logs events, not requests: an open wallet page polling its routes every second
// adds no line at info, so start-up's addresses and passwords stay on screen. The access log is still
// there at debug.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type RunningCloud } from '../src/cloud.ts';
import { loadEnv } from '../src/env.ts';
import { walletSession } from './harness.ts';

const POLLS = 20;
const WALLET_POLLED_PATHS = ['/v1/wallets/me', '/v1/wallets/me/history', '/v1/wallets/me/coupons'];
const INFO = 30;

interface LogLine {
  level: number;
  msg?: string;
}

describe('the cloud log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-log-volume-'));
  const lines: LogLine[] = [];
  let cloud: RunningCloud;

  beforeAll(async () => {
    const env = loadEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_PORT: '0',
      REDTAP_DATA_DIR: dataDir,
      REDTAP_TOPIC_ROOT: `redtap-test/log-volume-${Date.now().toString(36)}`,
      LOG_LEVEL: 'debug',
    });
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    );
    cloud = await startCloud(env, logger);
  });
  afterAll(async () => {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const request = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    fetch(`${cloud.httpUrl}${path}`, {
      method,
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });

  it('adds no info line while a wallet polls, and keeps every request at debug', async () => {
    const wallet = await walletSession({ request });
    const infoBefore = lines.filter((line) => line.level >= INFO).length;
    const accessBefore = lines.filter((line) => line.msg === 'request completed').length;
    for (let poll = 0; poll < POLLS; poll += 1)
      for (const path of WALLET_POLLED_PATHS) {
        const response = await request('GET', path, { token: wallet.token });
        expect(response.status).toBe(200);
      }
    expect(lines.filter((line) => line.level >= INFO).slice(infoBefore)).toEqual([]);
    const access = lines.filter((line) => line.msg === 'request completed').slice(accessBefore);
    expect(access).toHaveLength(POLLS * WALLET_POLLED_PATHS.length);
    expect(access.every((line) => line.level < INFO)).toBe(true);
  });
});
