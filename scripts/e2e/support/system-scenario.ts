// The end-to-end scenario shared by the embedded and the real stack: a seeded cloud, one kiosk agent
// behind a link proxy, and virtual phones that tap it. Taps must be credited to the right wallets exactly
// once over both routes — the kiosk's MQTT batches and the phone posting its receipt — including taps
// made while the kiosk's broker link is cut.
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { bootstrapOperator, checkLedger, type RunningCloud } from '@redtap/cloud';
import {
  backlogCount,
  deckLevels,
  startKioskAgent,
  type KioskAgent,
  type ReaderChoice,
} from '@redtap/screen-app';
import {
  generateKeyPair,
  toHex,
  decodeCredential,
  fromHex,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import { phoneTapOf, VirtualPhone, VpcdSlot, type ExchangeResult, type TapEvent } from '@redtap/tap-reader';
import { cloudApi, loginWallet, type CloudApi } from '../../src/demo/cloud-api.ts';
import { newDemoState, seedDemo } from '../../src/demo/seed.ts';
import { startLinkProxy, type LinkProxy } from '../../src/lib/link-proxy.ts';

export const WAIT_MS = 30_000;

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Phone {
  walletId: number;
  keyPair: KeyPair;
  credential: WalletCredential;
  receipts: Uint8Array[];
}

export interface Rig {
  cloud: RunningCloud;
  api: CloudApi;
  agent: KioskAgent;
  link: LinkProxy;
  tap(phone: Phone): Promise<{ committed: boolean; outcome: string; code: string | null }>;
  stop(): Promise<void>;
}

async function registerPhone(api: CloudApi): Promise<Phone> {
  const keyPair = generateKeyPair();
  const issued = await api.call<{ walletId: number; credential: string }>('POST', '/v1/wallets', {
    body: { publicKey: toHex(keyPair.publicKeyRaw) },
  });
  const credential = decodeCredential(fromHex(issued.credential) ?? new Uint8Array());
  if (!credential.ok) throw new Error('credential does not decode');
  return { walletId: issued.walletId, keyPair, credential: credential.value, receipts: [] };
}

/**
 * Seeds the demo world through the API and runs screen 1 as a kiosk agent with `reader`. With PC/SC,
 * phones go on the vpcd slot at `vpcdPort` (the test's own pcscd, tap-reader's PrivatePcscd).
 */
export async function startRig(
  cloud: RunningCloud,
  dataDir: string,
  reader: ReaderChoice,
  options: { vpcdPort?: number } = {},
): Promise<Rig> {
  const state = newDemoState((index) => join(dataDir, `kiosk-${index}`));
  await bootstrapOperator(cloud.database, state.operator, cloud.deps.logger);
  const api = cloudApi(cloud.httpUrl);
  await seedDemo(api, join(dataDir, 'demo.json'), state);
  const screen = state.screens[0];
  if (screen === undefined) throw new Error('no screen');
  // The broker the kiosk enrolled with, reached through a proxy the test can cut.
  const enrolledBroker = new URL(cloud.mqttUrl);
  const link = await startLinkProxy({
    targetHost: enrolledBroker.hostname,
    targetPort: Number(enrolledBroker.port),
  });
  const started = await startKioskAgent({
    dataDir: screen.dataDir,
    reader,
    mqttUrl: link.url,
    syncLimits: { reconnectInitialMs: 200, reconnectMaxMs: 1_000 },
    readerOptions: { pcscRetryInitialMs: 100, pcscRetryMaxMs: 1_000 },
  });
  if (!started.ok) throw new Error(started.message);
  const { agent } = started;
  await waitFor(() => agent.sync.isConnected, Boolean, 'the kiosk to connect');
  await waitFor(
    () =>
      deckLevels(agent.store, Math.floor(Date.now() / 1000)).reduce((sum, level) => sum + level.remaining, 0),
    (left) => left > 0,
    'a deck on the kiosk',
  );

  const slot = new VpcdSlot(options.vpcdPort === undefined ? {} : { port: options.vpcdPort });
  const tap = async (phone: Phone) => {
    // Its receipts are its tap log, so the day state it signs covers every screen it tapped.
    const taps = phone.receipts.flatMap((token) => phoneTapOf(token, null) ?? []);
    const card = new VirtualPhone({ keyPair: phone.keyPair, credential: phone.credential, taps });
    let result: ExchangeResult;
    if (reader === 'simulated') {
      const simulator = agent.simulator;
      if (simulator === null) throw new Error('no simulator');
      try {
        result = await simulator.present(card);
      } finally {
        simulator.remove(simulator.readers()[0]?.name);
      }
    } else {
      const source = agent.tapSource;
      if (source === null) throw new Error('no tap source');
      let off: () => void = () => undefined;
      const reported = new Promise<ExchangeResult>((resolve) => {
        off = source.on((event: TapEvent) => {
          if (event.type === 'tap' && event.result.readerName.endsWith('00 00')) resolve(event.result);
        });
      });
      await slot.insert(card);
      try {
        result = await Promise.race([
          reported,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('no tap reported through PC/SC')), 10_000),
          ),
        ]);
      } finally {
        off();
        await slot.remove();
      }
    }
    const receipt = card.receipts.at(-1)?.token;
    if (receipt !== undefined) phone.receipts.push(receipt);
    return { committed: result.committed, outcome: result.outcome, code: result.code };
  };
  return {
    cloud,
    api,
    agent,
    link,
    tap,
    stop: async () => {
      await slot.remove();
      await agent.stop();
      await link.close();
    },
  };
}

interface HistoryItem {
  screenId: number;
  counter: number;
  amountFen: number;
  status: string;
}

async function walletState(api: CloudApi, phone: Phone) {
  const token = await loginWallet(api, phone.walletId, phone.keyPair);
  const me = await api.call<{ balanceFen: number }>('GET', '/v1/wallets/me', { token });
  const history = await api.call<{ items: HistoryItem[] }>('GET', '/v1/wallets/me/history?limit=100', {
    token,
  });
  return { balanceFen: me.balanceFen, history: history.items };
}

async function redeem(api: CloudApi, token: Uint8Array): Promise<string> {
  const reply = await api.call<{ status: string }>('POST', '/v1/redeem', { body: { token: toHex(token) } });
  return reply.status;
}

/** The scenario itself; every expectation is on what a user or operator could observe. */
export async function runExactlyOnceScenario(rig: Rig): Promise<void> {
  const { api, agent } = rig;
  const alice = await registerPhone(api);
  const bob = await registerPhone(api);

  // Online: the kiosk path credits; bob's phone also posts its receipt, which must be a duplicate or win.
  expect(await rig.tap(alice)).toMatchObject({ committed: true, outcome: 'completed' });
  expect(await rig.tap(bob)).toMatchObject({ committed: true, outcome: 'completed' });
  const bobOnline = bob.receipts[0];
  if (bobOnline === undefined) throw new Error('bob got no receipt');
  expect(['credited', 'duplicate']).toContain(await redeem(api, bobOnline));
  await waitFor(
    () => backlogCount(agent.store),
    (n) => n === 0,
    'the online taps to settle',
  );

  // Offline: the link is cut, taps wait in the outbox.
  rig.link.setOnline(false);
  await waitFor(
    () => agent.sync.isConnected,
    (up) => !up,
    'the kiosk to notice the cut link',
  );
  expect(await rig.tap(alice)).toMatchObject({ committed: true });
  expect(await rig.tap(alice)).toMatchObject({ committed: true });
  expect(await rig.tap(bob)).toMatchObject({ committed: true });
  expect(backlogCount(agent.store)).toBe(3);
  // Bob's phone is online although the lift is not: its receipt is redeemed first, by the phone path.
  const bobOffline = bob.receipts[1];
  if (bobOffline === undefined) throw new Error('bob got no second receipt');
  expect(await redeem(api, bobOffline)).toBe('credited');

  // The link comes back: the backlog drains and bob's tap arrives a second time, as a duplicate.
  rig.link.setOnline(true);
  await waitFor(
    () => backlogCount(agent.store),
    (n) => n === 0,
    'the backlog to drain after reconnecting',
  );
  const acks = agent.store.sqlite
    .prepare('SELECT counter, ack_status AS status FROM taps ORDER BY counter')
    .all() as { counter: number; status: string }[];
  expect(acks).toHaveLength(5);
  expect(acks.find((row) => row.counter === 5)?.status).toBe('duplicate');

  // Each wallet holds exactly its own taps, once each, and its balance is their sum.
  const screenId = agent.identity.screenId;
  for (const [phone, counters] of [
    [alice, [1, 3, 4]],
    [bob, [2, 5]],
  ] as const) {
    const wallet = await walletState(api, phone);
    const mine = wallet.history.filter((item) => item.screenId === screenId);
    expect(mine.map((item) => item.counter).sort((a, b) => a - b)).toEqual(counters);
    expect(mine.every((item) => item.status === 'credited')).toBe(true);
    expect(wallet.balanceFen).toBe(mine.reduce((sum, item) => sum + item.amountFen, 0));
    expect(wallet.balanceFen).toBeGreaterThan(0);
  }

  // Both routes redeemed something, and the ledger balances.
  const result: unknown = await rig.cloud.database.db.execute(
    sql`select source, count(*)::int as n from redemptions group by source order by source`,
  );
  // node-postgres and PGlite shape query results differently.
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as {
    source: string;
    n: number | string;
  }[];
  expect(rows.map((row) => row.source)).toEqual(['http', 'mqtt']);
  expect(rows.reduce((sum, row) => sum + Number(row.n), 0)).toBe(5);
  const ledger = await checkLedger(rig.cloud.database.db);
  expect(ledger).toMatchObject({ ok: true, totalFen: 0, negativeAccountIds: [], mismatchedAccountIds: [] });
}
