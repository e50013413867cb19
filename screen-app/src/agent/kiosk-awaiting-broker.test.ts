// A kiosk enrolled before the cloud has made its broker identity (docs/protocol.md §5.9), end to end: a
// real cloud on a private Mosquitto with dynamic security (which refuses the login until the identity
// exists), the broker-identity dispatcher held back by the test. The kiosk's refused logins make it ask
// the cloud, which says the identity is pending: the screen stays in service, says it is connecting
// (not "out of service"), and a tap is judged as offline taps are, not refused as from a revoked screen.
// Once the dispatcher makes the identity, the link's own retries connect and the config arrives.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mosquittoMissingReason,
  startMosquitto,
  type PrivateMosquitto,
} from '@redtap/cloud/testing/mosquitto';
import { ErrorCode } from '@redtap/shared';
import { VirtualPhone } from '@redtap/tap-reader';
import { pino } from 'pino';
import { startTestCloud, type TestCloud } from '../../test/cloud-harness.ts';
import { registerWallet } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { testEnv, uniqueTopicRoot, Waiter } from '../../test/sync-harness.ts';
import { tapCard } from '../../test/agent-harness.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import { describeRefusal, enrollKiosk } from './enroll-kiosk.ts';
import { startKioskAgent, type KioskAgent } from './kiosk-agent.ts';

/** Generous: the machine may be loaded; every wait ends on an event well before this. */
const WAIT_MS = 60_000;
const missing = mosquittoMissingReason();
const inCi = process.env.CI === 'true';
if (missing !== null && !inCi) console.warn(`\n!!! SKIPPING the awaiting-broker test: ${missing}\n`);

describe.skipIf(missing !== null && !inCi)('a kiosk enrolled before its broker identity exists', () => {
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  let mosquitto: PrivateMosquitto | undefined;
  let cloud: TestCloud | undefined;
  let agent: KioskAgent | undefined;
  let screenId: number;
  /** While true, the cloud's broker refuses to make identities, as a dispatcher that has not run yet. */
  let held = true;

  beforeAll(async () => {
    if (missing !== null) throw new Error(`CI=true and Mosquitto cannot run: ${missing}`);
    const topicRoot = uniqueTopicRoot();
    mosquitto = await startMosquitto({ topicRoot, startTimeoutMs: 30_000 });
    cloud = await startTestCloud({ topicRoot, externalBroker: mosquitto });
    const broker = cloud.cloud.deps.broker;
    const provision = broker.provisionScreen.bind(broker);
    broker.provisionScreen = (id, username, password) =>
      held
        ? Promise.reject(new Error('held by the test: the identity is not made yet'))
        : provision(id, username, password);
    const created = await cloud.screenWithCode('Awaiting');
    screenId = created.screenId;
    const enrolled = await enrollKiosk({
      dataDir: dir.dir,
      cloudUrl: cloud.cloud.httpUrl,
      code: created.code,
    });
    if (!enrolled.ok) throw new Error(describeRefusal(enrolled));
    const started = await startKioskAgent({
      dataDir: dir.dir,
      reader: 'simulated',
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
      onSyncEvent: events.push,
      syncLimits: { reconnectInitialMs: 100, reconnectMaxMs: 500 },
    });
    if (!started.ok) throw new Error(describeRefusal(started));
    agent = started.agent;
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await cloud?.stop();
    await mosquitto?.stop();
    dir.cleanup();
  });

  it('says it is connecting, not out of service, while the identity is pending', async () => {
    const running = agent;
    if (running === undefined || cloud === undefined) throw new Error('not started');
    const awaiting = await events.next((e) => e.type === 'awaiting-broker', 'the kiosk to await the broker', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(awaiting).toEqual({ type: 'awaiting-broker', broker: 'pending' });
    expect(events.seen.filter((e) => e.type === 'out-of-service')).toEqual([]);
    expect(running.ui.state()).toMatchObject({ online: false, connecting: true });
    expect(running.ui.state().outOfService).not.toBe(true);
    // The broker still refuses the login: it was not made.
    const wanted = (await cloud.cloud.database.db.execute(
      sql`select present from screen_broker_identities where screen_id = ${screenId}`,
    )) as { rows: unknown[] };
    expect(wanted.rows).toEqual([{ present: true }]);

    // A tap is judged as offline: no config has arrived yet, so nothing is paid, but the screen does not
    // refuse it as a revoked one would.
    const wallet = await registerWallet(cloud.call);
    const result = await tapCard(
      running,
      new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }),
    );
    expect(result.committed).toBe(false);
    expect(result.code).not.toBe(ErrorCode.SCREEN_REVOKED);
  });

  it('connects on its own retries once the identity is made, and receives its config', async () => {
    const running = agent;
    const started = cloud;
    if (running === undefined || started === undefined) throw new Error('not started');
    held = false;
    const connected = events.next((e) => e.type === 'connected', 'the kiosk to connect', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    // The held attempts backed off: make the identity due now and wake the dispatcher, until the kiosk is in
    // (a pass already under way may record one more failure; the next round makes it due again).
    let done = false;
    void connected.then(
      () => (done = true),
      () => (done = true),
    );
    const nudge = async () => {
      while (!done) {
        await started.cloud.database.db.execute(
          sql`update screen_broker_identities set next_attempt_at = 0 where screen_id = ${screenId}`,
        );
        started.cloud.deps.brokerIdentities?.poke();
        await events.next(() => true, 'any sync event', { timeoutMs: 500 }).catch(() => undefined);
      }
    };
    await Promise.all([connected, nudge()]);
    await events.next((e) => e.type === 'config' && e.outcome === 'stored', 'the retained config', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(running.ui.state()).toMatchObject({ online: true, connecting: false });
    expect(running.ui.state().outOfService).not.toBe(true);
    expect(events.seen.filter((e) => e.type === 'out-of-service')).toEqual([]);
  });
});
