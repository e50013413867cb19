// The kiosk agent against a real embedded cloud (PGlite + aedes with per-screen auth and ACL): enrolment
// over HTTP with clear refusals, the retained config, heartbeats reaching screen health, taps settling
// through a fake ack responder on the cloud's broker, and a cut link healing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { pino } from 'pino';
import { startTestCloud, type TestCloud } from '../../test/cloud-harness.ts';
import { tempDir } from '../../test/fixtures.ts';
import { appendFakeTaps } from '../../test/outbox-fixtures.ts';
import { FakeAckResponder, TcpProxy, testEnv, Waiter } from '../../test/sync-harness.ts';
import { KioskCode } from '../codes.ts';
import { backlogCount, getTap } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import { describeRefusal, enrollKiosk } from './enroll-kiosk.ts';
import { startKioskAgent } from './kiosk-agent.ts';
import { readKioskStatus } from './kiosk-status.ts';

describe('kiosk agent with an embedded cloud', () => {
  let cloud: TestCloud;
  const responder = new FakeAckResponder();
  const dirs: { cleanup: () => void }[] = [];
  const dir = () => {
    const made = tempDir();
    dirs.push(made);
    return made.dir;
  };

  beforeAll(async () => {
    cloud = await startTestCloud();
    cloud.answerTapsWith(responder);
  }, 60_000);
  afterAll(async () => {
    await cloud.stop();
    for (const made of dirs) made.cleanup();
  });

  it('enrols with a one-time code and refuses bad or used codes clearly', async () => {
    const cloudUrl = cloud.cloud.httpUrl;
    const malformed = await enrollKiosk({ dataDir: dir(), cloudUrl, code: 'nope' });
    expect(malformed).toMatchObject({ ok: false, code: ErrorCode.ENROLMENT_CODE_INVALID });
    const unknown = await enrollKiosk({ dataDir: dir(), cloudUrl, code: 'ZZZZ0000' });
    expect(unknown).toMatchObject({ ok: false, code: ErrorCode.ENROLMENT_CODE_INVALID });

    const { screenId, code } = await cloud.screenWithCode();
    const first = dir();
    const enrolled = await enrollKiosk({ dataDir: first, cloudUrl, code });
    expect(enrolled.ok && enrolled.identity.screenId).toBe(screenId);
    expect(readKioskStatus(first, 0)).toMatchObject({ enrolled: true, screenId, backlog: 0 });

    const again = await enrollKiosk({ dataDir: first, cloudUrl, code });
    expect(again).toMatchObject({ ok: false, code: KioskCode.ALREADY_ENROLLED });
    const used = await enrollKiosk({ dataDir: dir(), cloudUrl, code });
    expect(used).toMatchObject({ ok: false, code: ErrorCode.ENROLMENT_CODE_USED });
    expect(used.ok ? '' : describeRefusal(used)).toContain('already been used');
    const unreachable = await enrollKiosk({ dataDir: dir(), cloudUrl: 'http://127.0.0.1:9', code });
    expect(unreachable).toMatchObject({ ok: false, code: KioskCode.ENROLMENT_UNREACHABLE });
  });

  it('refuses to run before enrolment', async () => {
    const started = await startKioskAgent({ dataDir: dir() });
    expect(started).toMatchObject({ ok: false, code: KioskCode.NOT_ENROLLED });
  });

  it('gets its retained config, reports health, settles taps and heals a cut link', async () => {
    const { screenId, code } = await cloud.screenWithCode('Agent');
    const dataDir = dir();
    expect((await enrollKiosk({ dataDir, cloudUrl: cloud.cloud.httpUrl, code })).ok).toBe(true);
    const proxy = await TcpProxy.start(cloud.cloud.mqttUrl);
    const events = new Waiter<SyncEvent>();
    const started = await startKioskAgent({
      dataDir,
      mqttUrl: proxy.url,
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
      syncLimits: { heartbeatIntervalMs: 200, reconnectInitialMs: 100, reconnectMaxMs: 400 },
      onSyncEvent: events.push,
    });
    if (!started.ok) throw new Error(describeRefusal(started));
    const { agent } = started;
    try {
      await events.next((e) => e.type === 'config' && e.outcome === 'stored', 'the retained config', {
        includeSeen: true,
      });
      expect(agent.engine.trustView?.screenId).toBe(screenId);

      appendFakeTaps(agent.store, 1_500);
      agent.sync.notifyTapCommitted();
      await events.until(() => backlogCount(agent.store) === 0, 'the taps to settle');
      // With the real ingest also attached, these unsigned tokens may be rejected by it first: either way final.
      expect(getTap(agent.store, 1_500)).toMatchObject({ state: 'settled' });

      const health = async () => {
        const reply = await cloud.call('GET', `/v1/screens/${screenId}`);
        return reply.body.health as { tapCounter: number; backlog: number } | null;
      };
      for (let attempt = 0; attempt < 100; attempt++) {
        const seen = await health();
        if (seen?.tapCounter === 1_500 && seen.backlog === 0) break;
        await events.next((e) => e.type === 'published' && e.event.type === 'heartbeat', 'a heartbeat');
      }
      expect(await health()).toMatchObject({ tapCounter: 1_500, backlog: 0 });

      await proxy.cut();
      await events.next((e) => e.type === 'disconnected', 'the cut', { includeSeen: true });
      appendFakeTaps(agent.store, 700);
      agent.sync.notifyTapCommitted();
      expect(backlogCount(agent.store)).toBe(700);
      await proxy.restore();
      await events.until(() => backlogCount(agent.store) === 0, 'the backlog to drain after the cut');
      expect(responder.credited.size).toBeGreaterThanOrEqual(2_200);
    } finally {
      await agent.stop();
      await proxy.close();
    }
  });

  it('settles forged taps on the rejections of the real cloud ingest', async () => {
    responder.policy = () => null;
    try {
      const { code } = await cloud.screenWithCode('Ingest');
      const dataDir = dir();
      expect((await enrollKiosk({ dataDir, cloudUrl: cloud.cloud.httpUrl, code })).ok).toBe(true);
      const events = new Waiter<SyncEvent>();
      const started = await startKioskAgent({
        dataDir,
        logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
        onSyncEvent: events.push,
      });
      if (!started.ok) throw new Error(describeRefusal(started));
      const { agent } = started;
      try {
        await events.next((e) => e.type === 'config' && e.outcome === 'stored', 'the retained config', {
          includeSeen: true,
        });
        // Tokens the kiosk never signed: the real ingest must answer them with a final rejection.
        appendFakeTaps(agent.store, 3);
        agent.sync.notifyTapCommitted();
        await events.until(() => backlogCount(agent.store) === 0, 'the real ingest to answer');
        for (const counter of [1, 2, 3])
          expect(getTap(agent.store, counter)).toMatchObject({ state: 'settled', ackStatus: 'rejected' });
        // Random bytes past the counter do not even decode: rejected by code, settled for good.
        expect(getTap(agent.store, 1)?.ackCode).toMatch(/^[A-Z0-9_]+$/);
      } finally {
        await agent.stop();
      }
    } finally {
      responder.policy = (counter) => ({ counter, status: 'credited', amountFen: 1 });
    }
  });
});
