// Revocations reach the kiosk as versioned deltas (docs/protocol.md §5.5, §5.8): a config's window is
// applied when the kiosk is inside it; a kiosk further behind pages the rest, signed, from the cloud;
// one offline through many revocations catches up once it can reach the cloud; a forged or garbled
// page is refused with a code and applies nothing; and a credential revoked long ago is refused once
// the kiosk has caught up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  generateKeyPair,
  revokedEntry,
  signRevocationPage,
  type KeyPair,
  type RevocationPage,
  type ScreenConfig,
} from '@redtap/shared';
import { KioskCode } from '../codes.ts';
import type { TapEngine } from '../engine/tap-engine.ts';
import type { Store } from '../store/open-store.ts';
import {
  applyRevocationDelta,
  configRevocationDelta,
  pruneExpiredRevocations,
  raiseRevocationTarget,
  revocationStatus,
  revokedLookup,
} from '../store/revocation-queries.ts';
import {
  clock,
  deckBytes,
  hello,
  keys,
  kiosk,
  screenConfig,
  SCREEN_ID,
  T0,
  tempDir,
} from '../../test/fixtures.ts';
import { RevocationCatchUp, type RevocationCatchUpEvent } from './revocation-catch-up.ts';

const LIVE = T0 + 30 * 86_400;
const LOGIN = { username: `screen-${SCREEN_ID}`, password: 'screen-password' };

/** The cloud's revocation log: number n revokes wallet 10,000 + n, serial 1 (every 7th already expired). */
function logEntry(seq: number): string {
  return revokedEntry(10_000 + seq, 1, seq % 7 === 0 ? T0 - 60 : LIVE);
}

interface FakeCloud {
  head: number;
  offline: boolean;
  requests: number;
  /** Rewrites a page after it was signed (a forger in the path). */
  tamper: ((page: RevocationPage) => unknown) | null;
  signer: KeyPair;
  fetch: typeof fetch;
}

function fakeCloud(head: number): FakeCloud {
  const cloud: FakeCloud = {
    head,
    offline: false,
    requests: 0,
    tamper: null,
    signer: keys.issuer,
    fetch: (async (input: URL | string, init?: RequestInit) => {
      await Promise.resolve();
      cloud.requests += 1;
      if (cloud.offline) throw new TypeError('fetch failed: connect ECONNREFUSED');
      const url = new URL(String(input));
      const authorization = new Headers(init?.headers).get('authorization');
      const expected = `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}`;
      if (url.pathname !== '/v1/screens/me/revocations' || authorization !== expected)
        return new Response('{"error":{"code":"UNAUTHENTICATED"}}', { status: 401 });
      const after = Number(url.searchParams.get('after'));
      const limit = Number(url.searchParams.get('limit'));
      const entries: string[] = [];
      let through = cloud.head;
      for (let seq = after + 1; seq <= cloud.head; seq++) {
        if (seq % 7 === 0) continue;
        entries.push(logEntry(seq));
        if (entries.length === limit) {
          through = seq;
          break;
        }
      }
      const body = { after, through, version: cloud.head, entries };
      const page: RevocationPage = {
        ...body,
        keyId: 1,
        signature: signRevocationPage(SCREEN_ID, body, cloud.signer.privateKey),
      };
      const reply = cloud.tamper === null ? page : cloud.tamper(page);
      return new Response(typeof reply === 'string' ? reply : JSON.stringify(reply), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch,
  };
  return cloud;
}

/** The config the cloud would publish at `head`: the window of the last `window` numbers. */
function configAt(head: number, window = 1_000): ScreenConfig {
  const since = Math.max(0, head - window);
  const recent: string[] = [];
  for (let seq = since + 1; seq <= head; seq++) if (seq % 7 !== 0) recent.push(logEntry(seq));
  return screenConfig({ version: head + 1, revocation: { version: head, since, recent } });
}

let dir: { dir: string; cleanup: () => void };
let store: Store;
let engine: TapEngine;
let timers: (() => void)[];
let events: RevocationCatchUpEvent[];

beforeEach(() => {
  dir = tempDir();
  const k = kiosk(dir.dir, { now: clock().now });
  store = k.store;
  engine = k.engine;
  timers = [];
  events = [];
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function catchUp(cloud: FakeCloud, pageLimit = 500): RevocationCatchUp {
  return new RevocationCatchUp({
    store,
    screenId: SCREEN_ID,
    cloudUrl: 'http://cloud.test',
    login: LOGIN,
    issuerKeys: () => engine.trustView?.issuerKeys ?? new Map(),
    fetch: cloud.fetch,
    now: () => T0,
    startTimer: (callback) => {
      timers.push(callback);
      return () => undefined;
    },
    random: () => 0,
    limits: { pageLimit },
    onEvent: (event) => events.push(event),
  });
}

/** What a kiosk does with a new config: store it, apply its window as a delta, reload the engine. */
function receive(config: ScreenConfig) {
  const delta = configRevocationDelta(config.revocation);
  if (delta === null) throw new Error('a windowed config was expected');
  const status = applyRevocationDelta(store, delta, T0);
  engine.reload();
  return status;
}

const revoked = (seq: number) => revokedLookup(store)(`${10_000 + seq}:1`);

describe('revocation deltas and catch-up', () => {
  it('applies a config window as a delta when the kiosk is inside it', async () => {
    applyRevocationDelta(store, { from: 0, to: 400, entries: [] }, T0);
    const status = receive(configAt(900));
    expect(status).toEqual({ version: 900, target: 900, gap: false });
    expect(revoked(401)).toBe(true);
    expect(revoked(899)).toBe(true);
    // Entries already expired are not kept.
    expect(revoked(700)).toBe(false);
    // A config arriving again, or an older one, lowers nothing.
    expect(receive(configAt(900))).toMatchObject({ version: 900 });
    expect(applyRevocationDelta(store, { from: 0, to: 10, entries: [] }, T0)).toMatchObject({ version: 900 });
    // No page is needed.
    const cloud = fakeCloud(900);
    await catchUp(cloud).kick();
    expect(cloud.requests).toBe(0);
    expect(events).toEqual([{ type: 'current', version: 900 }]);
  });

  it('pages a kiosk far behind up to the config version, never counting itself current before', async () => {
    const cloud = fakeCloud(12_000);
    const status = receive(configAt(12_000));
    // Behind the window: the window's entries are kept, but the version stays where the kiosk was.
    expect(status).toEqual({ version: 0, target: 12_000, gap: true });
    expect(revoked(11_999)).toBe(true);
    expect(revoked(5)).toBe(false);
    await catchUp(cloud).kick();
    expect(revocationStatus(store)).toEqual({ version: 12_000, target: 12_000 });
    for (const seq of [1, 5, 4_000, 11_001, 12_000]) expect(revoked(seq)).toBe(seq % 7 !== 0);
    const pages = events.filter(
      (event): event is Extract<RevocationCatchUpEvent, { type: 'page' }> => event.type === 'page',
    );
    expect(pages.length).toBeGreaterThan(10);
    // Each page took the kiosk from where the previous one left it.
    pages.forEach((event, index) => {
      if (index > 0) expect(event.after).toBe(pages[index - 1]?.through);
    });
    expect(events.at(-1)).toEqual({ type: 'current', version: 12_000 });
    const [count] = store.sqlite
      .prepare('select count(*) from revoked_credentials')
      .pluck()
      .all() as number[];
    expect(count).toBe(12_000 - Math.floor(12_000 / 7));
  });

  it('a kiosk offline through many revocations catches up once it reaches the cloud', async () => {
    const cloud = fakeCloud(100);
    receive(configAt(100));
    await catchUp(cloud).kick();
    expect(revocationStatus(store).version).toBe(100);

    // Offline: the retained config moved on by 30,000 revocations, and no page can be fetched.
    cloud.offline = true;
    cloud.head = 30_100;
    const later = catchUp(cloud);
    expect(receive(configAt(30_100))).toMatchObject({ version: 100, target: 30_100, gap: true });
    await later.kick();
    expect(events.at(-1)).toMatchObject({ type: 'refused', code: KioskCode.REVOCATION_FETCH_FAILED });
    expect(revocationStatus(store)).toEqual({ version: 100, target: 30_100 });
    expect(timers).toHaveLength(1);

    // Back: the retry pages everything it missed.
    cloud.offline = false;
    timers[0]?.();
    await later.kick();
    expect(revocationStatus(store)).toEqual({ version: 30_100, target: 30_100 });
    expect(revoked(15_000)).toBe(true);
    expect(revoked(101)).toBe(true);
  });

  const forgeries: [string, (page: RevocationPage) => unknown][] = [
    ['signed by a key the kiosk does not trust', () => null],
    ['entries removed after signing', (page) => ({ ...page, entries: page.entries.slice(1) })],
    ['stretched over more numbers', (page) => ({ ...page, through: page.through + 1_000 })],
    ['for another range than asked', (page) => ({ ...page, after: page.after + 1 })],
    ['not JSON', () => '{"after": 0, "thro'],
    ['failing its schema', (page) => ({ ...page, entries: ['not-an-entry'] })],
    ['with an unknown signing key', (page) => ({ ...page, keyId: 77 })],
  ];
  for (const [name, tamper] of forgeries)
    it(`refuses a page ${name} with a code, applying nothing`, async () => {
      const cloud = fakeCloud(3_000);
      if (name.startsWith('signed by')) cloud.signer = generateKeyPair();
      else cloud.tamper = tamper;
      receive(configAt(3_000));
      await catchUp(cloud).kick();
      expect(events.at(-1)).toMatchObject({ type: 'refused', code: KioskCode.REVOCATION_PAGE_INVALID });
      expect(revocationStatus(store)).toEqual({ version: 0, target: 3_000 });
      expect(revoked(1)).toBe(false);
    });

  it('refuses a credential revoked long ago once it has caught up', async () => {
    // The phone of the fixtures (wallet 4242, serial 1) was revoked as number 3, far outside the window.
    const cloud = fakeCloud(5_000);
    const original = cloud.fetch;
    cloud.fetch = (async (input: URL | string, init?: RequestInit) => {
      // One entry fewer from the log, so the page with the old revocation stays within the limit.
      const url = new URL(String(input));
      url.searchParams.set('limit', String(Number(url.searchParams.get('limit')) - 1));
      const response = await original(url, init);
      const page = (await response.json()) as RevocationPage;
      if (page.after >= 3 || page.through < 3) return Response.json(page);
      const entries = [revokedEntry(4242, 1, LIVE), ...page.entries];
      const body = { after: page.after, through: page.through, version: page.version, entries };
      return Response.json({
        ...body,
        keyId: 1,
        signature: signRevocationPage(SCREEN_ID, body, keys.issuer.privateKey),
      });
    }) as typeof fetch;
    receive(configAt(5_000));
    expect(engine.storeDeck(deckBytes()).status).toBe('stored');
    const before = await engine.beginTap(hello());
    expect(before.ok).toBe(true);
    if (before.ok) engine.abandonTap(before.session);
    await catchUp(cloud).kick();
    expect(revocationStatus(store).version).toBe(5_000);
    const after = await engine.beginTap(hello());
    expect(after).toMatchObject({ ok: false, code: ErrorCode.CREDENTIAL_REVOKED });
  });

  it('forgets revocations whose credentials have expired, and raises only the target on request', () => {
    applyRevocationDelta(
      store,
      { from: 0, to: 3, entries: [revokedEntry(1, 1, T0 + 10), revokedEntry(2, 1, LIVE)] },
      T0,
    );
    expect(pruneExpiredRevocations(store, T0 + 10)).toBe(1);
    expect(revokedLookup(store)('1:1')).toBe(false);
    expect(revokedLookup(store)('2:1')).toBe(true);
    expect(raiseRevocationTarget(store, 9)).toMatchObject({ version: 3, target: 9 });
  });
});
