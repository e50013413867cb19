// SIGKILL of the kiosk agent after its taps were committed and sent but before any ack: the restarted
// agent resends them from the outbox and each settles once. Over the local Mosquitto with a fake responder.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScreenKey } from '../enrolment/screen-key.ts';
import { saveConfig } from '../store/config-queries.ts';
import { saveIdentity } from '../store/identity-queries.ts';
import { openStore } from '../store/open-store.ts';
import { backlogCount, getTap } from '../store/tap-queries.ts';
import { keys, screenConfig, T0, tempDir } from '../../test/fixtures.ts';
import { appendFakeTaps } from '../../test/outbox-fixtures.ts';
import {
  BrokerSide,
  FakeAckResponder,
  mosquittoAvailable,
  testEnv,
  uniqueTopicRoot,
} from '../../test/sync-harness.ts';
import { identityFor, uniqueScreenId } from '../../test/sync-kiosk.ts';
import { kioskPaths } from './data-dir.ts';

const CHILD = fileURLToPath(new URL('../../test/agent-child.ts', import.meta.url));
const TAPS = 1_200;
const WAIT_MS = 20_000;
const available = await mosquittoAvailable();

interface Child {
  process: ChildProcess;
  /** Resolves when a stdout line satisfies the predicate. */
  line(predicate: (line: string) => boolean, what: string): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(dataDir: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    exited,
    line: (predicate, what) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}; stderr: ${stderr}`));
        }, WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}

describe.skipIf(!available)('kiosk agent crash between commit and ack', () => {
  const temp = tempDir();
  const root = uniqueTopicRoot();
  const responder = new FakeAckResponder();
  let broker: BrokerSide;

  beforeAll(async () => {
    broker = await BrokerSide.connect(testEnv.REDTAP_TEST_MQTT_URL, root, responder);
  });
  afterAll(async () => {
    await broker.close();
    temp.cleanup();
  });

  it('resends after SIGKILL and settles every tap exactly once', async () => {
    const paths = kioskPaths(temp.dir);
    const screenId = uniqueScreenId();
    const store = openStore({ path: paths.storePath });
    writeScreenKey(paths.keyPath, keys.screen);
    saveIdentity(store, {
      ...identityFor(screenId, testEnv.REDTAP_TEST_MQTT_URL, root),
      keyPath: paths.keyPath,
    });
    saveConfig(store, screenConfig(), T0);
    appendFakeTaps(store, TAPS, T0);
    store.close();

    // The cloud takes the batches but never answers: the kiosk dies with every tap in flight.
    responder.policy = () => null;
    const first = startChild(temp.dir);
    await first.line((line) => line === 'connected', 'the first agent to connect');
    await responder.waitFor(() => responder.seen.size === TAPS, 'every tap to be sent once', WAIT_MS);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const between = openStore({ path: paths.storePath });
    expect(backlogCount(between)).toBe(TAPS);
    expect(getTap(between, TAPS)?.attempts).toBe(1);
    between.close();

    responder.policy = (counter) => ({ counter, status: 'credited', amountFen: 9 });
    const second = startChild(temp.dir);
    await second.line((line) => line === 'backlog 0', 'the restarted agent to settle everything');
    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const after = openStore({ path: paths.storePath });
    try {
      expect(backlogCount(after)).toBe(0);
      const statuses = after.sqlite
        .prepare('SELECT ack_status AS status, count(*) AS n FROM taps GROUP BY ack_status')
        .all();
      expect(statuses).toEqual([{ status: 'credited', n: TAPS }]);
      expect(getTap(after, 1)?.attempts).toBe(2);
    } finally {
      after.close();
    }
    expect(responder.credited.size).toBe(TAPS);
    expect([...responder.seen.values()].every((times) => times >= 2)).toBe(true);
  }, 60_000);
});
