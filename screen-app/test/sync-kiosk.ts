// A kiosk wired for sync tests: temp store enrolled under a unique screen id (the shared Mosquitto sees
// other suites' clients too), the test keys, a config, an engine and a ScreenSync with short intervals.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ScreenConfig } from '@redtap/shared';
import { openStore, type Store } from '../src/store/open-store.ts';
import { saveConfig } from '../src/store/config-queries.ts';
import { saveIdentity, type ScreenIdentity } from '../src/store/identity-queries.ts';
import { ScreenSync, type ScreenSyncLimits, type SyncEvent } from '../src/sync/screen-sync.ts';
import type { TapEngine } from '../src/engine/tap-engine.ts';
import { engineFor, keys, screenConfig, T0, tempDir } from './fixtures.ts';
import { testEnv, Waiter } from './sync-harness.ts';

export interface SyncKiosk {
  screenId: number;
  store: Store;
  engine: TapEngine;
  sync: ScreenSync;
  events: Waiter<SyncEvent>;
  clock: { now: number };
  dir: string;
  stop(): Promise<void>;
}

export function uniqueScreenId(): number {
  return randomInt(100_000, 2 ** 31);
}

export function identityFor(screenId: number, mqttUrl: string, topicRoot: string): ScreenIdentity {
  return {
    screenId,
    keyPath: '/dev/null',
    publicKey: keys.screen.publicKeyRaw,
    mqtt: { url: mqttUrl, username: `screen-${screenId}`, password: 'test', topicRoot },
    issuerKeys: [{ keyId: 1, publicKey: keys.issuer.publicKeyRaw }],
    enrolledAt: T0,
  };
}

export function startSyncKiosk(options: {
  mqttUrl: string;
  topicRoot: string;
  screenId?: number;
  config?: ScreenConfig | null;
  limits?: Partial<ScreenSyncLimits>;
  before?: (store: Store) => void;
  logger?: Logger;
  /** The cloud's HTTP base and a fetch for it (revocation pages, the screen's status). */
  cloudUrl?: string;
  fetch?: typeof fetch;
}): SyncKiosk {
  const temp = tempDir();
  const screenId = options.screenId ?? uniqueScreenId();
  const store = openStore({ path: join(temp.dir, 'kiosk.db') });
  saveIdentity(store, identityFor(screenId, options.mqttUrl, options.topicRoot));
  const config = options.config === undefined ? screenConfig() : options.config;
  if (config !== null) saveConfig(store, config, T0);
  options.before?.(store);
  const clock = { now: T0 };
  const engine = engineFor(store, { now: () => clock.now });
  const events = new Waiter<SyncEvent>();
  const sync = new ScreenSync({
    store,
    engine,
    identity: identityFor(screenId, options.mqttUrl, options.topicRoot),
    screenKey: keys.screen.privateKey,
    appVersion: 'test',
    now: () => clock.now,
    logger: options.logger ?? pino({ level: testEnv.REDTAP_TEST_LOG }),
    limits: {
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
      heartbeatIntervalMs: 60_000,
      maintenanceIntervalMs: 60_000,
      ackTimeoutMs: 2_000,
      backoffInitialMs: 50,
      backoffMaxMs: 200,
      ...options.limits,
    },
    onEvent: events.push,
    ...(options.cloudUrl === undefined ? {} : { cloudUrl: options.cloudUrl }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  sync.start();
  return {
    screenId,
    store,
    engine,
    sync,
    events,
    clock,
    dir: temp.dir,
    stop: async () => {
      await sync.stop();
      store.close();
      temp.cleanup();
    },
  };
}
