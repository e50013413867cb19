// The operator's fleet pages through the HTTP app, on PGlite and on PostgreSQL: counts come from the
// whole fleet (not from a page of it), every list pages through to its last row with the server's
// cursor, screens are renamed and moved (a move republishes the config), groups are renamed and deleted
// (refused while a campaign not yet ended targets them), and a screen's page shows its taps and presence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { cityKey, ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { screenHealth, screens } from '../src/db/schema/screens.ts';
import { PRESENCE_CHANGES_SHOWN_MAX } from '../src/services/screen-activity.ts';
import { recordPresence } from '../src/services/screen-presence.ts';
import { SUMMARY_TTL_MS } from '../src/services/screens.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import {
  advertiserSession,
  createTestCloud,
  json,
  operatorToken,
  walletSession,
  type TestCloud,
} from './harness.ts';
import { oneCreative } from './money-world.ts';

const engines = await testEngines();

interface ErrorReply {
  error: { code: string; message: string };
}
interface ScreenReply {
  id: number;
  name: string;
  city: string;
  building: string;
  status: string;
  configVersion: number;
}
interface Summary {
  total: number;
  byStatus: { pending: number; active: number; revoked: number };
  online: number;
  offline: number;
  longOffline: number;
  cities: { city: string; total: number; active: number; online: number; offline: number }[];
  citiesTruncated: boolean;
}

/** The fleet this suite seeds, more than a page of 100 in every count the console shows. */
const FLEET = {
  online: 130,
  quietShort: 20,
  quietLong: 110,
  gone: 15,
  neverSeen: 5,
  pending: 40,
  revoked: 7,
};
const FLEET_SIZE = Object.values(FLEET).reduce((sum, count) => sum + count, 0);

describe.each(engines)('fleet pages on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  const nowMs = Date.now();

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    cloud.clock.nowMs = nowMs;
    operator = await operatorToken(cloud);
    // A wallet makes the network's first issuer key, which every screen config carries.
    await walletSession(cloud);
    // Seeded in bulk through the schema: the suite is about reading a large fleet, not creating one.
    const rows: (typeof screens.$inferInsert)[] = [];
    const add = (kind: keyof typeof FLEET, status: 'pending' | 'active' | 'revoked', city: string) => {
      for (let i = 0; i < FLEET[kind]; i++)
        rows.push({
          name: `${kind} ${String(i).padStart(3, '0')}`,
          city,
          building: `Tower ${i % 3}`,
          elevator: `E${i}`,
          timezone: 'Asia/Shanghai',
          status,
        });
    };
    add('online', 'active', 'Shanghai');
    add('quietShort', 'active', 'Shanghai');
    add('quietLong', 'active', 'Beijing');
    add('gone', 'active', 'Beijing');
    add('neverSeen', 'active', 'Suzhou');
    add('pending', 'pending', 'Suzhou');
    add('revoked', 'revoked', 'Suzhou');
    const inserted = await handle.db
      .insert(screens)
      .values(rows)
      .returning({ id: screens.id, name: screens.name });
    const idsOf = (kind: string) =>
      inserted.filter((row) => row.name.startsWith(`${kind} `)).map((r) => r.id);
    const seen = (kind: string, ageS: number) =>
      idsOf(kind).map((screenId) => ({
        screenId,
        lastSeenAt: new Date(nowMs - ageS * 1000),
        appVersion: '1.0.0',
        tapCounter: 1,
        backlog: 0,
        clockSkewS: 0,
        decks: [],
      }));
    await handle.db
      .insert(screenHealth)
      .values([
        ...seen('online', 20),
        ...seen('quietShort', 200),
        ...seen('quietLong', 900),
        ...seen('gone', 30),
      ]);
    // Heard from 30 s ago, but the broker reported their connection gone 10 min ago: long offline.
    await handle.db.execute(
      sql`update screens set connected = false, presence_changed_at = ${new Date(nowMs - 600_000).toISOString()}::timestamptz
          where name like 'gone %'`,
    );
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function get<T>(path: string): Promise<T> {
    const response = await cloud.request('GET', path, { token: operator });
    expect(response.status, path).toBe(200);
    return json<T>(response);
  }

  /** Every row of a screens list, following nextAfter until it is null. */
  async function allScreens(query: string): Promise<{ ids: number[]; pages: number }> {
    const ids: number[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = await get<{ items: ScreenReply[]; nextAfter: number | null }>(
        `/v1/screens?limit=100&after=${after}${query}`,
      );
      pages += 1;
      ids.push(...page.items.map((screen) => screen.id));
      if (page.nextAfter === null) return { ids, pages };
      after = page.nextAfter;
      expect(pages).toBeLessThan(50);
    }
  }

  it.skipIf(!available)('counts the whole fleet, not a page of it', async () => {
    const summary = await get<Summary>('/v1/screens/summary');
    const active = FLEET.online + FLEET.quietShort + FLEET.quietLong + FLEET.gone + FLEET.neverSeen;
    expect(summary).toMatchObject({
      total: FLEET_SIZE,
      byStatus: { pending: FLEET.pending, active, revoked: FLEET.revoked },
      online: FLEET.online,
      offline: active - FLEET.online,
      longOffline: FLEET.quietLong + FLEET.gone + FLEET.neverSeen,
      citiesTruncated: false,
    });
    expect(summary.cities).toEqual([
      {
        city: 'Shanghai',
        total: FLEET.online + FLEET.quietShort,
        active: FLEET.online + FLEET.quietShort,
        online: FLEET.online,
        offline: FLEET.quietShort,
      },
      {
        city: 'Beijing',
        total: FLEET.quietLong + FLEET.gone,
        active: FLEET.quietLong + FLEET.gone,
        online: 0,
        offline: FLEET.quietLong + FLEET.gone,
      },
      {
        city: 'Suzhou',
        total: FLEET.neverSeen + FLEET.pending + FLEET.revoked,
        active: FLEET.neverSeen,
        online: 0,
        offline: FLEET.neverSeen,
      },
    ]);
  });

  it.skipIf(!available)('pages every list through to its last row', async () => {
    const all = await allScreens('');
    expect(all.ids).toHaveLength(FLEET_SIZE);
    expect(all.pages).toBe(Math.ceil(FLEET_SIZE / 100) + (FLEET_SIZE % 100 === 0 ? 1 : 0));
    expect(all.ids).toEqual([...all.ids].sort((a, b) => a - b));

    expect((await allScreens('&connection=online')).ids).toHaveLength(FLEET.online);
    expect((await allScreens('&connection=long-offline')).ids).toHaveLength(
      FLEET.quietLong + FLEET.gone + FLEET.neverSeen,
    );
    expect((await allScreens('&connection=offline&city=Beijing')).ids).toHaveLength(
      FLEET.quietLong + FLEET.gone,
    );
    expect((await allScreens('&status=pending')).ids).toHaveLength(FLEET.pending);
    // Search matches part of a name, case-insensitively, and `%` matches only itself.
    expect((await allScreens('&search=QUIETLONG')).ids).toHaveLength(FLEET.quietLong);
    expect((await allScreens('&search=%25')).ids).toHaveLength(0);
    const [first] = all.ids;
    expect((await allScreens(`&search=%23${first}`)).ids).toEqual([first]);

    for (let i = 0; i < 120; i++)
      expect(
        (await cloud.request('POST', '/v1/screen-groups', { token: operator, body: { name: `g-${i}` } }))
          .status,
      ).toBe(201);
    const groups: number[] = [];
    let after = 0;
    for (;;) {
      const page = await get<{ items: { id: number }[]; nextAfter: number | null }>(
        `/v1/screen-groups?limit=50&after=${after}`,
      );
      groups.push(...page.items.map((group) => group.id));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(groups).toHaveLength(120);
  });

  it.skipIf(!available)('renames and moves a screen; a move republishes its config', async () => {
    const [screen] = (await get<{ items: ScreenReply[] }>('/v1/screens?connection=online&limit=1')).items;
    if (screen === undefined) throw new Error('no online screen');
    const renamed = await cloud.request('PATCH', `/v1/screens/${screen.id}`, {
      token: operator,
      body: { name: 'Lobby north, the long name of the lift by the east doors' },
    });
    expect(await json(renamed)).toMatchObject({
      name: 'Lobby north, the long name of the lift by the east doors',
      configVersion: screen.configVersion,
    });
    expect(cloud.broker.configs.has(screen.id)).toBe(false);

    const moved = await cloud.request('PATCH', `/v1/screens/${screen.id}`, {
      token: operator,
      body: { city: 'Hangzhou', building: 'West Lake 1', elevator: 'W2', timezone: 'Asia/Shanghai' },
    });
    expect(await json<ScreenReply>(moved)).toMatchObject({ city: 'Hangzhou', building: 'West Lake 1' });
    // The move marked its config stale; read once the dispatcher published it.
    const after = await get<ScreenReply>(`/v1/screens/${screen.id}`);
    const config = cloud.broker.configs.get(screen.id);
    expect(config?.cityKey).toBe(cityKey('Hangzhou'));
    expect(config?.version).toBe(after.configVersion);
    expect(after.configVersion).toBeGreaterThan(screen.configVersion);

    const summary = await get<Summary>('/v1/screens/summary');
    expect(summary.cities.find((city) => city.city === 'Hangzhou')).toMatchObject({ total: 1, online: 1 });
    const empty = await cloud.request('PATCH', `/v1/screens/${screen.id}`, {
      token: operator,
      body: { city: ' ' },
    });
    expect(empty.status).toBe(400);
    const missing = await cloud.request('PATCH', '/v1/screens/999999999', {
      token: operator,
      body: { name: 'x' },
    });
    expect(missing.status).toBe(404);
  });

  it.skipIf(!available)(
    'renames a group, and deletes it only while no campaign that has not ended targets it',
    async () => {
      const create = async (name: string) =>
        json<{ id: number }>(
          await cloud.request('POST', '/v1/screen-groups', { token: operator, body: { name } }),
        );
      const group = await create(`pilot-${engine}`);
      const other = await create(`other-${engine}`);
      const members = (await get<{ items: ScreenReply[] }>('/v1/screens?status=pending&limit=3')).items;
      await cloud.request('PUT', `/v1/screen-groups/${group.id}/screens`, {
        token: operator,
        body: { screenIds: members.map((screen) => screen.id) },
      });

      // A few screens at a time, without the whole member list.
      const extra = (await get<{ items: ScreenReply[] }>('/v1/screens?status=revoked&limit=2')).items;
      const changed = await cloud.request('POST', `/v1/screen-groups/${group.id}/member-changes`, {
        token: operator,
        body: { add: extra.map((screen) => screen.id).concat(members[0]?.id ?? 0) },
      });
      expect(await json(changed)).toMatchObject({ id: group.id, screens: 5 });
      const removed = await cloud.request('POST', `/v1/screen-groups/${group.id}/member-changes`, {
        token: operator,
        body: { remove: extra.map((screen) => screen.id) },
      });
      expect(await json(removed)).toMatchObject({ screens: 3 });
      const unknownMember = await cloud.request('POST', `/v1/screen-groups/${group.id}/member-changes`, {
        token: operator,
        body: { add: [999_999_999] },
      });
      expect(unknownMember.status).toBe(404);

      const renamed = await cloud.request('PATCH', `/v1/screen-groups/${group.id}`, {
        token: operator,
        body: { name: `towers-${engine}` },
      });
      expect(await json(renamed)).toMatchObject({
        id: group.id,
        name: `towers-${engine}`,
        screenIds: members.map((screen) => screen.id),
      });
      const taken = await cloud.request('PATCH', `/v1/screen-groups/${other.id}`, {
        token: operator,
        body: { name: `towers-${engine}` },
      });
      expect([taken.status, (await json<ErrorReply>(taken)).error.code]).toEqual([409, ErrorCode.CONFLICT]);

      const advertiser = await advertiserSession(cloud, operator);
      const nowS = Math.floor(nowMs / 1000);
      const campaign = await cloud.request('POST', '/v1/campaigns', {
        token: advertiser.token,
        body: {
          name: 'Group campaign',
          sponsor: 'Tea Co',
          startsAt: nowS + 3600,
          endsAt: nowS + 30 * 86_400,
          targeting: { cities: [], buildings: [], screenGroupIds: [group.id] },
          budgetFen: 1000,
          prizePlan: { kind: 'tiers', tiers: [{ amountFen: 10, count: 100 }] },
          couponOffers: [
            {
              title: '10% off',
              valueFen: 500,
              stock: 3,
              validUntil: nowS + 60 * 86_400,
              validityDays: 7,
              terms: 'one per visit',
            },
          ],
          rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: 0 },
          creatives: await oneCreative(cloud, advertiser.token),
        },
      });
      expect(campaign.status, await campaign.clone().text()).toBe(201);
      const { id: campaignId } = await json<{ id: number }>(campaign);

      const refused = await cloud.request('DELETE', `/v1/screen-groups/${group.id}`, { token: operator });
      const reply = await json<ErrorReply>(refused);
      expect([refused.status, reply.error.code]).toEqual([409, ErrorCode.SCREEN_GROUP_IN_USE]);
      expect(reply.error.message).toContain(String(campaignId));
      expect((await get<{ items: unknown[] }>(`/v1/screens?groupId=${group.id}`)).items).toHaveLength(3);

      await handle.db.execute(sql`update campaigns set status = 'ended' where id = ${campaignId}`);
      const deleted = await cloud.request('DELETE', `/v1/screen-groups/${group.id}`, { token: operator });
      expect(deleted.status).toBe(204);
      expect((await get<{ items: unknown[] }>(`/v1/screens?groupId=${group.id}`)).items).toHaveLength(0);
      const again = await cloud.request('DELETE', `/v1/screen-groups/${group.id}`, { token: operator });
      expect(again.status).toBe(404);
      // The screens themselves stay.
      expect((await get<Summary>('/v1/screens/summary')).total).toBe(FLEET_SIZE);
    },
  );

  it.skipIf(!available)("shows a screen's taps newest first and its presence with uptime", async () => {
    const [screen] = (await get<{ items: ScreenReply[] }>('/v1/screens?connection=online&limit=1&after=1'))
      .items;
    if (screen === undefined) throw new Error('no online screen');
    // 130 settled taps, written as rows: the page is about reading them.
    await handle.db.execute(
      sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, amount_fen,
            status, tap_ts, tap_day, city, source, received_at)
          select ${screen.id}, n, md5(n::text), 1, 1, 8, 'credited', ${Math.floor(nowMs / 1000)} - n,
            '2026-12-06', 'Shanghai', 'mqtt', ${new Date(nowMs).toISOString()}::timestamptz
          from generate_series(1, 130) as n`,
    );
    const counters: number[] = [];
    let before: number | null = null;
    for (;;) {
      const page: { items: { counter: number }[]; nextBefore: number | null } = await get(
        `/v1/screens/${screen.id}/taps?limit=50${before === null ? '' : `&before=${before}`}`,
      );
      counters.push(...page.items.map((tap) => tap.counter));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(counters).toEqual(Array.from({ length: 130 }, (_, i) => 130 - i));

    // Connected 12 h ago, gone 6 h ago, back 3 h ago: 9 of the last 12 h, the only ones known.
    await handle.db.execute(sql`update screens set presence_seq = null where id = ${screen.id}`);
    const at = (hoursAgo: number) => new Date(nowMs - hoursAgo * 3_600_000);
    await recordPresence(handle.db, screen.id, { online: true, seq: 1, ts: 1 }, at(12));
    await recordPresence(handle.db, screen.id, { online: false, seq: 1 }, at(6));
    await recordPresence(handle.db, screen.id, { online: true, seq: 2, ts: 2 }, at(3));
    const activity = await get<{
      nowPlaying: { configVersion: number | null; campaigns: unknown[] };
      presence: {
        changes: { connected: boolean; at: string }[];
        changesTruncated: boolean;
        uptime: { last24h: number | null; last7d: number | null };
      };
    }>(`/v1/screens/${screen.id}/activity`);
    expect(activity.presence.changes.map((change) => change.connected)).toEqual([true, false, true]);
    expect(activity.presence.changesTruncated).toBe(false);
    expect(activity.presence.uptime.last24h).toBeCloseTo(9 / 12, 5);
    expect(activity.presence.uptime.last7d).toBeCloseTo(9 / 12, 5);
    expect(activity.nowPlaying.configVersion).not.toBeNull();
    // A week of flapping: the latest changes are listed, and the reply says there were more.
    await handle.db.execute(
      sql`insert into screen_presence_events (screen_id, connected, at)
          select ${screen.id}, n % 2 = 0, ${at(2).toISOString()}::timestamptz + make_interval(secs => n)
          from generate_series(1, ${PRESENCE_CHANGES_SHOWN_MAX}) as n`,
    );
    const flapping = await get<{ presence: { changes: unknown[]; changesTruncated: boolean } }>(
      `/v1/screens/${screen.id}/activity`,
    );
    expect([flapping.presence.changes.length, flapping.presence.changesTruncated]).toEqual([
      PRESENCE_CHANGES_SHOWN_MAX,
      true,
    ]);
    const unknown = await cloud.request('GET', '/v1/screens/999999999/activity', { token: operator });
    expect(unknown.status).toBe(404);
  });

  it.skipIf(!available)(
    'computes the summary at most once per few seconds, and anew after a change made here',
    async () => {
      const before = await get<Summary>('/v1/screens/summary');
      // A change the routes do not see (as presence or another replica would make) shows after the TTL.
      await handle.db.execute(sql`update screens set city = 'Ningbo' where name = 'neverSeen 000'`);
      expect((await get<Summary>('/v1/screens/summary')).cities).toEqual(before.cities);
      cloud.clock.nowMs += SUMMARY_TTL_MS;
      const later = await get<Summary>('/v1/screens/summary');
      expect(later.cities.find((city) => city.city === 'Ningbo')).toMatchObject({ total: 1 });
      await handle.db.execute(sql`update screens set city = 'Suzhou' where name = 'neverSeen 000'`);
      // One made through the API shows at once.
      const created = await cloud.request('POST', '/v1/screens', {
        token: operator,
        body: { name: 'counted at once', city: 'Ningbo', building: 'B', elevator: 'E' },
      });
      expect(created.status).toBe(201);
      const after = await get<Summary>('/v1/screens/summary');
      expect([after.total, after.cities.find((city) => city.city === 'Ningbo')?.total]).toEqual([
        later.total + 1,
        1,
      ]);
      await cloud.request('POST', `/v1/screens/${(await json<{ id: number }>(created)).id}/revoke`, {
        token: operator,
      });
      cloud.clock.nowMs = nowMs;
    },
  );
});
