// A screen's last online claim and its bound stickers, on the screen and on every row of the screens
// list (one statement for the page), on PGlite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTicketText, signTicket, TicketPath } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, walletSession, type TestCloud } from './harness.ts';
import { buildWorld, enrolKiosk, tiersPlan, type World } from './money-world.ts';

const engines = await testEngines();

interface ScreenRow {
  id: number;
  lastClaimAt: string | null;
  lastClaimPath: string | null;
  stickers: number;
}

describe.each(engines)('screens’ last claim and stickers on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { money: defaultMoneySettings });
    world = await buildWorld(cloud, { cities: ['Shanghai'], plan: tiersPlan(1_000), budgetFen: 1_000 });
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const screenOf = async (id: number) =>
    json<ScreenRow>(await cloud.request('GET', `/v1/screens/${id}`, { token: world.operator }));

  it.skipIf(!available)('answers the last claim with its path and the count of bound stickers', async () => {
    const claimed = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Claim Tower');
    const quiet = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Quiet Tower');
    const uids = ['04aa000000000a', '04aa000000000b', '04aa000000000c'];
    const imported = await cloud.request('POST', '/v1/tag-batches', {
      token: world.operator,
      body: { name: 'Bezels', masterKey: '00112233445566778899aabbccddeeff', uids },
    });
    expect(imported.status).toBe(201);
    for (const [uid, screenId] of [
      [uids[0], claimed.screenId],
      [uids[1], claimed.screenId],
      [uids[2], quiet.screenId],
    ] as const) {
      const bound = await cloud.request('PUT', `/v1/tags/${uid}/screen`, {
        token: world.operator,
        body: { screenId },
      });
      expect(bound.status).toBe(200);
    }
    expect(await screenOf(claimed.screenId)).toMatchObject({
      lastClaimAt: null,
      lastClaimPath: null,
      stickers: 2,
    });

    const wallet = await walletSession(cloud);
    const { bytes } = signTicket(
      {
        screenId: claimed.screenId,
        ticketSeq: 1,
        ts: Math.floor(cloud.clock.nowMs / 1000),
        campaignId: world.campaignId,
        path: TicketPath.screenQr,
        nonce: randomBytes(8),
      },
      claimed.key.privateKey,
    );
    const claim = await cloud.request('POST', '/v1/wallet/claims', {
      token: wallet.token,
      body: { ticket: encodeTicketText(bytes) },
    });
    expect(claim.status).toBe(200);

    const screen = await screenOf(claimed.screenId);
    expect(screen).toMatchObject({ lastClaimPath: 'qr', stickers: 2 });
    expect(Date.parse(screen.lastClaimAt ?? '')).toBe(cloud.clock.nowMs);

    const list = await json<{ items: ScreenRow[] }>(
      await cloud.request('GET', '/v1/screens?limit=100', { token: world.operator }),
    );
    const rowOf = (id: number) => list.items.find((row) => row.id === id);
    expect(rowOf(claimed.screenId)).toMatchObject({ lastClaimAt: screen.lastClaimAt, stickers: 2 });
    expect(rowOf(quiet.screenId)).toMatchObject({ lastClaimAt: null, lastClaimPath: null, stickers: 1 });
    expect(rowOf(world.kiosks[0]?.screenId ?? -1)).toMatchObject({ lastClaimAt: null, stickers: 0 });

    // The connection filter reads the screens another way; the facts are the same.
    const offline = await json<{ items: ScreenRow[] }>(
      await cloud.request('GET', '/v1/screens?limit=100&connection=offline', { token: world.operator }),
    );
    for (const row of offline.items) expect(row).toMatchObject(rowOf(row.id) ?? {});

    const unbound = await cloud.request('DELETE', `/v1/tags/${uids[0]}/screen`, { token: world.operator });
    expect(unbound.status).toBe(200);
    expect(await screenOf(claimed.screenId)).toMatchObject({ stickers: 1, lastClaimPath: 'qr' });
  });
});
