// Screen presence (docs/protocol.md §5.6), on PGlite and on PostgreSQL. First the recording rules through
// the HTTP app and an in-memory broker: a higher connection number replaces the recorded presence, an
// offline of the same connection wins over its online, a late will of an older connection changes
// nothing, a repeat keeps its first time, heartbeats never write `connected`, and revocation and
// re-enrolment reset it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type ScreenPresence } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { PRESENCE_SEQ_AHEAD_MS_MAX } from '../src/services/screen-presence.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface Health {
  lastSeenAt: string;
  connected: boolean | null;
  connectionChangedAt: string | null;
  appVersion: string;
}

describe.each(engines)('screen presence rules on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function enrol(screenId: number): Promise<void> {
    const code = await json<{ code: string }>(
      await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
    );
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code.code, generateKeyPair()),
    });
    expect(enrolled.status).toBe(201);
  }

  async function enrolledScreen(elevator: string): Promise<number> {
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Hangzhou', building: 'West Lake', elevator },
    });
    const screenId = (await json<{ id: number }>(created)).id;
    await enrol(screenId);
    await heartbeat(screenId, 'first');
    return screenId;
  }

  const heartbeat = (screenId: number, appVersion: string) =>
    cloud.broker.deliverEvent({
      screenId,
      event: {
        type: 'heartbeat',
        ts: Math.floor(cloud.clock.nowMs / 1000),
        appVersion,
        counter: 0,
        backlog: 0,
        decks: [],
      },
    });

  const presence = (screenId: number, message: ScreenPresence) =>
    cloud.broker.deliverPresence({ screenId, presence: message });
  const online = (seq: number): ScreenPresence => ({
    online: true,
    seq,
    ts: Math.floor(cloud.clock.nowMs / 1000),
  });
  const offline = (seq: number): ScreenPresence => ({ online: false, seq });

  async function healthOf(screenId: number): Promise<Health | null> {
    const response = await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator });
    expect(response.status).toBe(200);
    return (await json<{ health: Health | null }>(response)).health;
  }

  /** Moves the cloud's clock on and returns the new time as the API writes it. */
  function tick(ms = 1_000): string {
    cloud.clock.nowMs += ms;
    return new Date(cloud.clock.nowMs).toISOString();
  }

  it.skipIf(!available)('reports no presence until one arrives', async () => {
    const screenId = await enrolledScreen('P1');
    expect(await healthOf(screenId)).toMatchObject({ connected: null, connectionChangedAt: null });
  });

  it.skipIf(!available)(
    'orders presence by connection number: a late will of an older connection never wins',
    async () => {
      const screenId = await enrolledScreen('P2');
      const first = cloud.clock.nowMs;
      const onlineAt = tick();
      await presence(screenId, online(first));
      expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: onlineAt });

      // The link drops: the broker publishes the will.
      const offlineAt = tick();
      await presence(screenId, offline(first));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: offlineAt });

      // The same connection's online arriving late, and the retained will repeated to a cloud that
      // subscribes again, change nothing: offline since the first time it was heard.
      tick();
      await presence(screenId, online(first));
      await presence(screenId, offline(first));
      // An older connection's will, too.
      await presence(screenId, offline(first - 1));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: offlineAt });

      // A new connection; the old connection's will arriving after it does not mark it offline.
      const second = first + 30_000;
      const reconnectedAt = tick();
      await presence(screenId, online(second));
      tick();
      await presence(screenId, offline(first));
      expect(await healthOf(screenId)).toMatchObject({
        connected: true,
        connectionChangedAt: reconnectedAt,
      });

      // Its own offline (a clean stop) does.
      const stoppedAt = tick();
      await presence(screenId, offline(second));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: stoppedAt });

      // A later connection whose online was lost, ending in its will, moves the time on.
      const thirdEndedAt = tick();
      await presence(screenId, offline(second + 1));
      expect(await healthOf(screenId)).toMatchObject({
        connected: false,
        connectionChangedAt: thirdEndedAt,
      });
    },
  );

  it.skipIf(!available)("never lets a heartbeat write the broker's word on the connection", async () => {
    const screenId = await enrolledScreen('P3');
    const seq = cloud.clock.nowMs;
    await presence(screenId, online(seq));
    const offlineAt = tick();
    await presence(screenId, offline(seq));
    // A heartbeat that waited in a queue behind its connection's will.
    const heartbeatAt = tick();
    await heartbeat(screenId, 'late');
    expect(await healthOf(screenId)).toMatchObject({
      appVersion: 'late',
      lastSeenAt: heartbeatAt,
      connected: false,
      connectionChangedAt: offlineAt,
    });
  });

  it.skipIf(!available)('drops a connection number far ahead of the cloud clock', async () => {
    const screenId = await enrolledScreen('P4');
    const changedAt = tick();
    await presence(screenId, online(cloud.clock.nowMs));
    // A kiosk whose clock ran a year ahead once: recorded, it would outrank every later connection.
    await presence(screenId, offline(cloud.clock.nowMs + 365 * 86_400_000));
    await presence(screenId, offline(cloud.clock.nowMs + PRESENCE_SEQ_AHEAD_MS_MAX + 1));
    expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: changedAt });
    // Within the bound it counts.
    const aheadAt = tick();
    await presence(screenId, offline(cloud.clock.nowMs + PRESENCE_SEQ_AHEAD_MS_MAX));
    expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: aheadAt });
  });

  it.skipIf(!available)('ignores presence of unknown and pending screens', async () => {
    await presence(987_654_321, online(cloud.clock.nowMs));
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Hangzhou', building: 'West Lake', elevator: 'P5' },
    });
    const pending = await json<{ id: number; health: Health | null }>(created);
    await presence(pending.id, online(cloud.clock.nowMs));
    await heartbeat(pending.id, 'pending');
    expect(await healthOf(pending.id)).toBeNull();
  });

  it.skipIf(!available)(
    'marks a revoked screen disconnected and starts afresh when it enrols again',
    async () => {
      const screenId = await enrolledScreen('P6');
      const seq = cloud.clock.nowMs;
      await presence(screenId, online(seq));
      const revokedAt = tick();
      const revoked = await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
      expect(revoked.status).toBe(200);
      // Whatever a revoked screen still says is not recorded.
      tick();
      await presence(screenId, online(seq + 1));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: revokedAt });

      // Reinstated and enrolled again, perhaps on another kiosk whose clock is behind the old one's:
      // its first connection counts.
      const reinstated = await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, {
        token: operator,
      });
      expect(reinstated.status).toBe(200);
      await enrol(screenId);
      expect(await healthOf(screenId)).toMatchObject({ connected: null, connectionChangedAt: null });
      const onlineAt = tick();
      await presence(screenId, online(seq - 60_000));
      expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: onlineAt });
    },
  );
});
