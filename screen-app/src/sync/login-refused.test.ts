// A refused broker login is no revocation until the cloud says so (docs/protocol.md §5.9): ScreenSync
// asks `GET /v1/screens/me/status` once per streak of refusals (again only after a pause), and decides:
// active (identity pending or ready) → awaiting the broker, in service, the link retrying; 401 → out of
// service; no answer, an HTTP error or a garbled reply → out of service, unconfirmed. The broker here is a
// loopback socket that answers every CONNECT with CONNACK 5 (not authorised), as Mosquitto does before
// the identity exists; the cloud is a fake fetch.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSyncKiosk, type SyncKiosk } from '../../test/sync-kiosk.ts';
import { uniqueTopicRoot } from '../../test/sync-harness.ts';
import type { SyncEvent } from './screen-sync.ts';

const WAIT_MS = 30_000;
const CLOUD_URL = 'http://cloud.test:8080';
/** CONNACK, remaining length 2, no session present, return code 5 (not authorised). */
const CONNACK_NOT_AUTHORISED = Buffer.from([0x20, 0x02, 0x00, 0x05]);

interface RefusingBroker {
  url: string;
  /** Connections refused so far. */
  readonly refused: number;
  /** Resolves once `count` connections in all were refused, within a generous bound. */
  refusedAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

async function refusingBroker(): Promise<RefusingBroker> {
  let refused = 0;
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      refused += 1;
      socket.end(CONNACK_NOT_AUTHORISED);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    get refused() {
      return refused;
    },
    refusedAtLeast: (count) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (refused < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${count} refused logins not seen within ${WAIT_MS} ms (saw ${refused})`));
        }, WAIT_MS);
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface FakeStatusCloud {
  /** What the next status request gets: a Response, or a thrown error (no answer). */
  answer: () => Response;
  requests: { url: string; authorization: string | null }[];
  fetch: typeof fetch;
}

function fakeStatusCloud(answer: () => Response): FakeStatusCloud {
  const cloud: FakeStatusCloud = {
    answer,
    requests: [],
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = new Headers(init?.headers);
      cloud.requests.push({ url, authorization: headers.get('authorization') });
      try {
        return Promise.resolve(cloud.answer());
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  return cloud;
}

const statusReply = (screenId: number, broker: 'pending' | 'ready') => () =>
  Response.json({ screenId, status: 'active', broker });
const unauthenticated = () =>
  Response.json(
    { error: { code: 'UNAUTHENTICATED', message: 'the screen login was refused' } },
    { status: 401 },
  );

const outOfService = (event: SyncEvent) => event.type === 'out-of-service';

describe('ScreenSync on a refused broker login', () => {
  let broker: RefusingBroker | undefined;
  let kiosk: SyncKiosk | undefined;

  afterEach(async () => {
    await kiosk?.stop();
    kiosk = undefined;
    await broker?.close();
    broker = undefined;
  });

  async function start(
    cloud: FakeStatusCloud | null,
    limits: { statusRecheckInitialMs: number; statusRecheckMaxMs: number },
    screenId = 7_000_000 + Math.floor(Math.random() * 1_000_000),
  ): Promise<SyncKiosk> {
    broker = await refusingBroker();
    kiosk = startSyncKiosk({
      mqttUrl: broker.url,
      topicRoot: uniqueTopicRoot(),
      screenId,
      config: null,
      limits: { reconnectInitialMs: 20, reconnectMaxMs: 50, ...limits },
      ...(cloud === null ? {} : { cloudUrl: CLOUD_URL, fetch: cloud.fetch }),
    });
    return kiosk;
  }

  it('waits for the broker while the cloud says the identity is pending, asking once per streak', async () => {
    const screenId = 7_654_321;
    const cloud = fakeStatusCloud(statusReply(screenId, 'pending'));
    const k = await start(cloud, { statusRecheckInitialMs: 600_000, statusRecheckMaxMs: 600_000 }, screenId);
    const awaiting = await k.events.next((event) => event.type === 'awaiting-broker', 'awaiting the broker', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(awaiting).toEqual({ type: 'awaiting-broker', broker: 'pending' });
    // The link keeps retrying on its backoff; within the pause none of those refusals asks again.
    const seen = broker?.refused ?? 0;
    await broker?.refusedAtLeast(seen + 5);
    expect(cloud.requests).toEqual([
      {
        url: `${CLOUD_URL}/v1/screens/me/status`,
        authorization: `Basic ${Buffer.from(`screen-${screenId}:test`).toString('base64')}`,
      },
    ]);
    expect(k.events.seen.filter(outOfService)).toEqual([]);
    expect(k.sync.isConnected).toBe(false);
  });

  it('takes ready as waiting too, and asks again after the pause: a revocation then puts it out of service', async () => {
    const screenId = 7_654_322;
    const cloud = fakeStatusCloud(statusReply(screenId, 'ready'));
    const k = await start(cloud, { statusRecheckInitialMs: 100, statusRecheckMaxMs: 200 }, screenId);
    await k.events.next(
      (event) => event.type === 'awaiting-broker' && event.broker === 'ready',
      'awaiting the broker',
      { includeSeen: true, timeoutMs: WAIT_MS },
    );
    expect(k.events.seen.filter(outOfService)).toEqual([]);
    cloud.answer = unauthenticated;
    const revoked = await k.events.next(outOfService, 'out of service', { timeoutMs: WAIT_MS });
    expect(revoked).toEqual({ type: 'out-of-service', reason: 'login-refused' });
    expect(cloud.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('goes out of service when the cloud refuses the login too (revoked)', async () => {
    const cloud = fakeStatusCloud(unauthenticated);
    const k = await start(cloud, { statusRecheckInitialMs: 600_000, statusRecheckMaxMs: 600_000 });
    const event = await k.events.next(outOfService, 'out of service', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(event).toEqual({ type: 'out-of-service', reason: 'login-refused' });
    expect(k.events.seen.some((seen) => seen.type === 'awaiting-broker')).toBe(false);
    expect(cloud.requests).toHaveLength(1);
  });

  it.each([
    [
      'no answer',
      () => {
        throw new TypeError('fetch failed');
      },
    ],
    ['a 503', () => Response.json({ error: { code: 'UNAVAILABLE', message: 'down' } }, { status: 503 })],
    ['a reply that fails its schema', () => Response.json({ screenId: 1, status: 'revoked' })],
  ])('keeps the conservative reading on %s: out of service, unconfirmed', async (_name, answer) => {
    const cloud = fakeStatusCloud(answer);
    const k = await start(cloud, { statusRecheckInitialMs: 600_000, statusRecheckMaxMs: 600_000 });
    const event = await k.events.next(outOfService, 'out of service', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(event).toEqual({ type: 'out-of-service', reason: 'login-refused-unconfirmed' });
    expect(cloud.requests).toHaveLength(1);
  });

  it('a cloud that could not be asked and then says pending brings the screen back to waiting', async () => {
    const screenId = 7_654_323;
    const cloud = fakeStatusCloud(() => {
      throw new TypeError('fetch failed');
    });
    const k = await start(cloud, { statusRecheckInitialMs: 100, statusRecheckMaxMs: 200 }, screenId);
    await k.events.next(outOfService, 'out of service', { includeSeen: true, timeoutMs: WAIT_MS });
    cloud.answer = statusReply(screenId, 'pending');
    await k.events.next((event) => event.type === 'awaiting-broker', 'awaiting the broker', {
      timeoutMs: WAIT_MS,
    });
  });

  it('waits out a 429 (screens behind one address) without deciding, then takes the answer', async () => {
    const screenId = 7_654_324;
    let calls = 0;
    const busy = () =>
      Response.json(
        { error: { code: 'RATE_LIMITED', message: 'too many' } },
        { status: 429, headers: { 'retry-after': '60' } },
      );
    const cloud = fakeStatusCloud(() => (++calls <= 2 ? busy() : statusReply(screenId, 'pending')()));
    const k = await start(cloud, { statusRecheckInitialMs: 100, statusRecheckMaxMs: 200 }, screenId);
    await k.events.next((event) => event.type === 'awaiting-broker', 'awaiting the broker', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(cloud.requests).toHaveLength(3);
    expect(k.events.seen.filter(outOfService)).toEqual([]);
  });

  it('reads a 429 that does not end as a refusal it cannot confirm', async () => {
    const cloud = fakeStatusCloud(() =>
      Response.json({ error: { code: 'RATE_LIMITED', message: 'too many' } }, { status: 429 }),
    );
    const k = await start(cloud, { statusRecheckInitialMs: 100, statusRecheckMaxMs: 200 });
    const event = await k.events.next(outOfService, 'out of service', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(event).toEqual({ type: 'out-of-service', reason: 'login-refused-unconfirmed' });
    // statusBusyRetriesMax (3) waits, then the fourth 429 decides.
    expect(cloud.requests).toHaveLength(4);
  });

  it('without a cloud URL, has nobody to ask: out of service, unconfirmed', async () => {
    const k = await start(null, { statusRecheckInitialMs: 600_000, statusRecheckMaxMs: 600_000 });
    const event = await k.events.next(outOfService, 'out of service', {
      includeSeen: true,
      timeoutMs: WAIT_MS,
    });
    expect(event).toEqual({ type: 'out-of-service', reason: 'login-refused-unconfirmed' });
  });
});
