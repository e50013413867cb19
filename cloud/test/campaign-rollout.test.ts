// Campaign rollout as desired state: activation resolves the campaign's screens once (campaign_screens,
// no cut at any count), queues a deck per screen and marks their configs stale, and publishes nothing
// itself; the deck dispatcher issues and publishes the decks, riding out a broker outage with backoff
// and never giving a screen a second deck; screens that move into or out of a campaign's targeting, by
// city or group, gain or lose it; an enrolment never depends on the broker being up.
import { decodeDeck, generateKeyPair, type ScreenConfig } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { dispatchBrokerIdentities } from '../src/services/broker-identity-dispatcher.ts';
import { dispatchDecks } from '../src/services/deck-dispatcher.ts';
import { wantDeckRefill } from '../src/services/decks.ts';
import { SCREEN_CAMPAIGNS_MAX } from '../src/services/campaign-screens.ts';
import { drainScreenConfigs } from './config-dispatch.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { deckDispatchDeps, drainDecks } from './desired-state.ts';
import { FakeBroker } from './fake-broker.ts';
import {
  advertiserSession,
  createTestCloud,
  enrolBody,
  json,
  operatorToken,
  type TestCloud,
} from './harness.ts';
import { createActiveCampaign, nextTransferId } from './money-world.ts';
import { screenConfigOptionsOf } from '../src/services/screen-config.ts';

const engines = await testEngines();

/** A fake broker that can be taken down: publishing and provisioning then fail, and every call is counted. */
class FlakyBroker extends FakeBroker {
  down = false;
  calls = 0;
  override publishDeck(screenId: number, deck: Uint8Array): Promise<void> {
    this.calls += 1;
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    return super.publishDeck(screenId, deck);
  }
  override publishConfig(screenId: number, config: ScreenConfig): Promise<void> {
    this.calls += 1;
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    return super.publishConfig(screenId, config);
  }
  override provisionScreen(screenId: number, username: string, password: string): Promise<void> {
    this.calls += 1;
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    return super.provisionScreen(screenId, username, password);
  }
  override revokeScreen(screenId: number): Promise<void> {
    this.calls += 1;
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    return super.revokeScreen(screenId);
  }
}

interface Rollout {
  screens: number;
  withDeck: number;
  decksPending: number;
  decksRetrying: number;
  configsStale: number;
  configsRetrying: number;
}

describe.each(engines)('campaign rollout on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let broker: FlakyBroker;
  let operator: string;
  let advertiser: { token: string; advertiserId: number };
  let place = 0;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    // Nothing settles by itself: each test runs the dispatchers when it means to.
    cloud = createTestCloud(handle, {}, { settle: false });
    broker = new FlakyBroker();
    // The app's broker is the flaky one, so a request that talked to the broker would be counted.
    cloud.deps.broker = broker;
    operator = await operatorToken(cloud);
    advertiser = await advertiserSession(cloud, operator);
    const funded = await cloud.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
      token: operator,
      body: { amountFen: 10_000_000, transferId: nextTransferId() },
    });
    expect(funded.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const newCity = () => `Rollout city ${engine} ${(place += 1)}`;

  /** `count` active screens in `city`, in one statement (the trigger gives each its config state row). */
  async function activeScreens(count: number, city: string): Promise<number[]> {
    const rows = await queryRows<{ id: unknown }>(
      handle.db,
      sql`insert into screens (name, city, building, elevator, timezone, status)
          select 'Lobby ' || n, ${city}, 'Tower', 'E' || n, 'Asia/Shanghai', 'active'
          from generate_series(1, ${count}) as n
          returning id`,
    );
    return rows.map((row) => int(row.id));
  }

  /** A funded campaign over `cities` taken to active; one cash envelope of 1 fen per `perScreen`. */
  async function activeCampaign(input: { cities: string[]; envelopes: number }): Promise<number> {
    const { campaignId } = await createActiveCampaign(cloud, {
      cities: input.cities,
      plan: { kind: 'tiers', tiers: [{ amountFen: 1, count: input.envelopes }] },
      budgetFen: input.envelopes,
      couponStock: 0,
      claimPaths: ['tap'],
      operator,
      advertiser,
      nowS: Math.floor(cloud.clock.nowMs / 1000),
    });
    return campaignId;
  }

  const deckDeps = () => deckDispatchDeps(cloud.deps, broker);
  const drainConfigs = () =>
    drainScreenConfigs({
      db: handle.db,
      publish: (screenId, config) => broker.publishConfig(screenId, config),
      options: () => screenConfigOptionsOf(cloud.deps.settings),
      now: cloud.deps.now,
    });

  async function rollout(campaignId: number): Promise<Rollout> {
    const response = await cloud.request('GET', `/v1/campaigns/${campaignId}/rollout`, { token: operator });
    expect(response.status).toBe(200);
    return json<Rollout>(response);
  }

  async function decksOf(campaignId: number): Promise<Map<number, number>> {
    const rows = await queryRows<{ screen_id: unknown; n: unknown }>(
      handle.db,
      sql`select screen_id, count(*) as n from decks where campaign_id = ${campaignId} group by screen_id`,
    );
    return new Map(rows.map((row) => [int(row.screen_id), int(row.n)]));
  }

  const names = (screenId: number, campaignId: number) =>
    broker.configs.get(screenId)?.campaigns.some((campaign) => campaign.campaignId === campaignId) ?? false;

  it.skipIf(!available)(
    'activation answers what it queued and publishes nothing; the dispatcher never gives a second deck',
    async () => {
      const city = newCity();
      const screens = await activeScreens(3, city);
      const { campaignId } = await createActiveCampaign(cloud, {
        cities: [city],
        plan: { kind: 'tiers', tiers: [{ amountFen: 1, count: 300 }] },
        budgetFen: 300,
        couponStock: 0,
        claimPaths: ['tap'],
        operator,
        advertiser,
        nowS: Math.floor(cloud.clock.nowMs / 1000),
      }).then(async (created) => {
        // Pause and resume over HTTP, counting the broker's calls across each request.
        for (const transition of ['pause', 'resume'] as const) {
          const calls = broker.calls;
          const response = await cloud.request('POST', `/v1/campaigns/${created.campaignId}/transitions`, {
            token: operator,
            body: { transition },
          });
          expect(response.status).toBe(200);
          expect(broker.calls).toBe(calls);
          const body = await json<{ status: string; queued: Record<string, number> }>(response);
          expect(body.queued).toMatchObject({
            screens: 3,
            decks: transition === 'resume' ? 3 : 0,
            configs: 3,
          });
        }
        return created;
      });
      // Activation (and resume) published nothing: no deck, no config, no identity.
      expect(broker.decks.filter((sent) => screens.includes(sent.screenId))).toEqual([]);
      expect(screens.some((id) => broker.configs.has(id))).toBe(false);
      expect(await rollout(campaignId)).toMatchObject({ screens: 3, withDeck: 0, decksPending: 3 });

      // The first screen's kiosk saw the config (or asked early) and ran low before the dispatcher came:
      // its deck-low only makes its want due again, and issues nothing by itself.
      const first = screens[0] ?? 0;
      expect(await wantDeckRefill(handle.db, first, { campaignId })).toBe(true);
      expect(await decksOf(campaignId)).toEqual(new Map());
      await drainDecks(deckDeps());
      // One deck per screen, sent once each.
      expect([...(await decksOf(campaignId)).entries()].sort()).toEqual(screens.map((id) => [id, 1]));
      const sentToFirst = broker.decks
        .filter((sent) => sent.screenId === first)
        .map((sent) => decodeDeck(sent.deck));
      expect(sentToFirst).toHaveLength(1);
      // A deck-low for a campaign that does not target the screen writes nothing.
      const elsewhere = await activeScreens(1, newCity());
      expect(await wantDeckRefill(handle.db, elsewhere[0] ?? 0, { campaignId })).toBe(false);
      await drainConfigs();
      expect(screens.every((id) => names(id, campaignId))).toBe(true);
      expect(await rollout(campaignId)).toMatchObject({
        screens: 3,
        withDeck: 3,
        decksPending: 0,
        configsStale: 0,
      });
    },
  );

  it.skipIf(!available)(
    'rides out a broker outage during a rollout: decks are delayed with backoff and none is lost',
    async () => {
      const city = newCity();
      const screens = await activeScreens(20, city);
      const campaignId = await activeCampaign({ cities: [city], envelopes: 2_000 });
      let nowMs = cloud.clock.nowMs;
      const deps = { ...deckDeps(), now: () => new Date(nowMs), random: () => 0.5 };
      broker.down = true;
      const failed = await dispatchDecks(deps);
      expect(failed).toMatchObject({ claimed: 20, issued: 20, done: 0, failed: 20 });
      // Nothing more is due while the wants back off.
      expect(await dispatchDecks(deps)).toMatchObject({ claimed: 0 });
      const waiting = await queryRows<{ attempts: unknown; next: unknown; error: string }>(
        handle.db,
        sql`select attempts, next_attempt_at as next, last_error as error from deck_wants where campaign_id = ${campaignId}`,
      );
      expect(waiting).toHaveLength(20);
      for (const want of waiting) {
        expect(int(want.attempts)).toBe(1);
        expect(int(want.next)).toBeGreaterThan(nowMs);
        expect(want.error).toContain('broker unreachable');
      }
      expect(await rollout(campaignId)).toMatchObject({ screens: 20, withDeck: 20, decksRetrying: 20 });
      // Still down at the retry: the backoff grows.
      nowMs += 60_000;
      expect(await dispatchDecks(deps)).toMatchObject({ claimed: 20, issued: 0, failed: 20 });
      const [second] = await queryRows<{ attempts: unknown }>(
        handle.db,
        sql`select max(attempts) as attempts from deck_wants where campaign_id = ${campaignId}`,
      );
      expect(int(second?.attempts)).toBe(2);
      // The broker is back: every screen gets the deck the cloud holds for it, and no second one.
      broker.down = false;
      nowMs += 600_000;
      const delivered = await dispatchDecks(deps);
      expect(delivered).toMatchObject({ claimed: 20, issued: 0, done: 20, failed: 0 });
      const decks = await decksOf(campaignId);
      expect([...decks.keys()].sort()).toEqual([...screens].sort());
      expect([...decks.values()].every((n) => n === 1)).toBe(true);
      const sent = new Set(broker.decks.filter((d) => screens.includes(d.screenId)).map((d) => d.screenId));
      expect(sent.size).toBe(20);
      expect(await rollout(campaignId)).toMatchObject({ withDeck: 20, decksPending: 0, decksRetrying: 0 });
    },
  );

  it.skipIf(!available)(
    'a screen moved into a targeted city or group gets the campaign and a deck; moved out, loses it',
    async () => {
      const [targeted, elsewhere] = [newCity(), newCity()];
      await activeScreens(2, targeted);
      const [mover = 0] = await activeScreens(1, elsewhere);
      const byCity = await activeCampaign({ cities: [targeted], envelopes: 2_000 });
      await drainDecks(deckDeps());
      await drainConfigs();
      expect(names(mover, byCity)).toBe(false);

      const patch = (city: string) =>
        cloud.request('PATCH', `/v1/screens/${mover}`, { token: operator, body: { city } });
      let calls = broker.calls;
      expect((await patch(targeted)).status).toBe(200);
      expect(broker.calls).toBe(calls);
      await drainDecks(deckDeps());
      await drainConfigs();
      expect(names(mover, byCity)).toBe(true);
      expect((await decksOf(byCity)).get(mover)).toBe(1);
      expect((await rollout(byCity)).screens).toBe(3);

      expect((await patch(elsewhere)).status).toBe(200);
      await drainConfigs();
      expect(names(mover, byCity)).toBe(false);
      expect((await rollout(byCity)).screens).toBe(2);

      // By group: a campaign over a group the screen joins, then leaves.
      const group = await json<{ id: number }>(
        await cloud.request('POST', '/v1/screen-groups', {
          token: operator,
          body: { name: `Rollout group ${engine} ${place}` },
        }),
      );
      // A campaign over a city with no screen, then retargeted to the group (a draft's targeting is
      // edited over HTTP; this one is active already, so by SQL).
      const byGroup = await activeCampaign({ cities: [newCity()], envelopes: 100 });
      await handle.db.execute(
        sql`update campaigns set targeting = ${JSON.stringify({ cities: [], buildings: [], screenGroupIds: [group.id] })}::jsonb
            where id = ${byGroup}`,
      );
      // Resolved again (POST /decks does it), and empty: the group has no member yet.
      const requeued = await cloud.request('POST', `/v1/campaigns/${byGroup}/decks`, { token: operator });
      expect(await json(requeued)).toMatchObject({ issued: 0, queued: { screens: 0, decks: 0 } });
      await drainConfigs();

      const change = (body: { add: number[]; remove: number[] }) =>
        cloud.request('POST', `/v1/screen-groups/${group.id}/member-changes`, { token: operator, body });
      calls = broker.calls;
      expect((await change({ add: [mover], remove: [] })).status).toBe(200);
      expect(broker.calls).toBe(calls);
      await drainDecks(deckDeps());
      await drainConfigs();
      expect(names(mover, byGroup)).toBe(true);
      expect((await decksOf(byGroup)).get(mover)).toBe(1);

      expect((await change({ add: [], remove: [mover] })).status).toBe(200);
      await drainConfigs();
      expect(names(mover, byGroup)).toBe(false);
      // Replacing the members puts it back.
      expect(
        (
          await cloud.request('PUT', `/v1/screen-groups/${group.id}/screens`, {
            token: operator,
            body: { screenIds: [mover] },
          })
        ).status,
      ).toBe(200);
      await drainConfigs();
      expect(names(mover, byGroup)).toBe(true);
    },
  );

  it.skipIf(!available)(
    'an enrolment with the broker away succeeds, and the screen is provisioned once it is back',
    async () => {
      const city = newCity();
      const campaignId = await activeCampaign({ cities: [city], envelopes: 300 });
      const created = await json<{ id: number }>(
        await cloud.request('POST', '/v1/screens', {
          token: operator,
          body: { name: 'Lobby', city, building: 'Tower', elevator: 'E1' },
        }),
      );
      const { code } = await json<{ code: string }>(
        await cloud.request('POST', `/v1/screens/${created.id}/enrolment-codes`, { token: operator }),
      );
      broker.down = true;
      const calls = broker.calls;
      const enrolled = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, generateKeyPair()) });
      expect(enrolled.status).toBe(201);
      expect(broker.calls).toBe(calls);
      const grant = await json<{ screenId: number; mqtt: { username: string; password: string } }>(enrolled);
      expect(grant.screenId).toBe(created.id);

      let nowMs = cloud.clock.nowMs;
      const identityDeps = {
        db: handle.db,
        kek: cloud.deps.secrets.issuerKek,
        provision: (screenId: number, username: string, password: string) =>
          broker.provisionScreen(screenId, username, password),
        remove: (screenId: number) => broker.revokeScreen(screenId),
        only: 'present' as const,
        now: () => new Date(nowMs),
        random: () => 0.5,
      };
      expect(await dispatchBrokerIdentities(identityDeps)).toMatchObject({ claimed: 1, failed: 1 });
      expect(broker.provisioned.has(created.id)).toBe(false);
      broker.down = false;
      nowMs += 120_000;
      expect(await dispatchBrokerIdentities(identityDeps)).toMatchObject({ claimed: 1, provisioned: 1 });
      // The identity the kiosk was handed, not another.
      expect(broker.provisioned.get(created.id)).toEqual({
        username: grant.mqtt.username,
        password: grant.mqtt.password,
      });
      // Its campaign and deck came with the enrolment's transaction.
      await drainDecks(deckDeps());
      await drainConfigs();
      expect(names(created.id, campaignId)).toBe(true);
      expect((await decksOf(campaignId)).get(created.id)).toBe(1);
      // The code was used by the enrolment that answered with the credentials, and by no other.
      const again = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, generateKeyPair()) });
      expect(again.status).toBe(409);
    },
  );

  it.skipIf(!available)(
    'a removal still backing off when the screen is reinstated and enrolled again never removes the new identity',
    async () => {
      const created = await json<{ id: number }>(
        await cloud.request('POST', '/v1/screens', {
          token: operator,
          body: { name: 'Lobby', city: newCity(), building: 'Tower', elevator: 'E1' },
        }),
      );
      const screenId = created.id;
      const enrol = async () => {
        const { code } = await json<{ code: string }>(
          await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
        );
        const enrolled = await cloud.request('POST', '/v1/enrol', {
          body: enrolBody(code, generateKeyPair()),
        });
        expect(enrolled.status).toBe(201);
        const { mqtt } = await json<{ mqtt: { username: string; password: string } }>(enrolled);
        return { username: mqtt.username, password: mqtt.password };
      };
      let nowMs = cloud.clock.nowMs;
      const identityDeps = {
        db: handle.db,
        kek: cloud.deps.secrets.issuerKek,
        provision: (id: number, username: string, password: string) =>
          broker.provisionScreen(id, username, password),
        remove: (id: number) => broker.revokeScreen(id),
        now: () => new Date(nowMs),
        random: () => 0.5,
      };
      const drainIdentities = async () => {
        for (let pass = 0; pass < 100; pass++)
          if ((await dispatchBrokerIdentities(identityDeps)).claimed === 0) return;
        throw new Error('broker identities still due after 100 passes');
      };
      const first = await enrol();
      await drainIdentities();
      expect(broker.provisioned.get(screenId)).toEqual(first);

      // Revoked while the broker is away: the removal fails and backs off.
      expect(
        (await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator })).status,
      ).toBe(200);
      broker.down = true;
      expect(await dispatchBrokerIdentities(identityDeps)).toMatchObject({ failed: 1 });
      expect(broker.provisioned.get(screenId)).toEqual(first);
      broker.down = false;
      // Reinstated and enrolled again before the removal's retry.
      expect(
        (await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, { token: operator })).status,
      ).toBe(200);
      const second = await enrol();
      const removalsBefore = broker.revoked.filter((id) => id === screenId).length;
      nowMs += 3_600_000;
      await drainIdentities();
      // The old identity went first (its connection cut, as the revocation promised), then the new one
      // was made; nothing removed it after.
      expect(broker.revoked.filter((id) => id === screenId).length).toBe(removalsBefore + 1);
      expect(broker.provisioned.get(screenId)).toEqual(second);
      nowMs += 3_600_000;
      await drainIdentities();
      expect(broker.provisioned.get(screenId)).toEqual(second);
      const left = await queryRows(
        handle.db,
        sql`select 1 from screen_broker_identities where screen_id = ${screenId}`,
      );
      expect(left).toHaveLength(0);

      // The reverse: an identity still wanted (the broker away at enrolment) when the screen is revoked
      // is never created after its removal.
      expect(
        (await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator })).status,
      ).toBe(200);
      expect(
        (await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, { token: operator })).status,
      ).toBe(200);
      broker.down = true;
      await enrol();
      expect(await dispatchBrokerIdentities(identityDeps)).toMatchObject({ failed: 1 });
      broker.down = false;
      expect(
        (await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator })).status,
      ).toBe(200);
      nowMs += 3_600_000;
      await drainIdentities();
      expect(broker.provisioned.has(screenId)).toBe(false);
      expect(broker.revoked.at(-1)).toBe(screenId);
    },
  );

  // 12,000 screens: above the old 10,000 cut. PostgreSQL only (the engine a fleet of that size runs on).
  it.skipIf(!available)(
    'refuses to resume a campaign onto a screen that already runs as many campaigns as a config carries',
    async () => {
      const city = newCity();
      const [screen] = await activeScreens(1, city);
      const campaignId = await activeCampaign({ cities: [city], envelopes: 10 });
      const transition = (to: 'pause' | 'resume') =>
        cloud.request('POST', `/v1/campaigns/${campaignId}/transitions`, {
          token: operator,
          body: { transition: to },
        });
      expect((await transition('pause')).status).toBe(200);
      // 64 other running campaigns on the screen: copies of this one's row, in one statement each.
      const columns = await queryRows<{ column_name: string }>(
        handle.db,
        sql`select column_name from information_schema.columns
            where table_name = 'campaigns' and table_schema = current_schema() and column_name <> 'id'`,
      );
      const list = sql.raw(columns.map((column) => `"${column.column_name}"`).join(', '));
      const copies = await queryRows<{ id: unknown }>(
        handle.db,
        sql`insert into campaigns (${list}) select ${list} from campaigns, generate_series(1, ${SCREEN_CAMPAIGNS_MAX})
            where id = ${campaignId} returning id`,
      );
      const ids = copies.map((row) => int(row.id));
      await handle.db.execute(
        sql`update campaigns set status = 'active'
            where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`,
      );
      await handle.db.execute(
        sql`insert into campaign_screens (campaign_id, screen_id)
            select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint, ${screen}`,
      );
      const refused = await transition('resume');
      expect(refused.status).toBe(409);
      expect((await json<{ error: { code: string } }>(refused)).error.code).toBe('SCREEN_CAMPAIGNS_FULL');
      const [status] = await queryRows<{ status: string }>(
        handle.db,
        sql`select status from campaigns where id = ${campaignId}`,
      );
      expect(status?.status).toBe('paused');
      // One of them ends: there is room again.
      await handle.db.execute(sql`update campaigns set status = 'ended' where id = ${ids[0] ?? 0}`);
      await handle.db.execute(sql`delete from campaign_screens where campaign_id = ${ids[0] ?? 0}`);
      expect((await transition('resume')).status).toBe(200);
      // Leave nothing queued or running for the tests after it.
      expect((await transition('pause')).status).toBe(200);
      await handle.db.execute(
        sql`update campaigns set status = 'ended'
            where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`,
      );
      await handle.db.execute(
        sql`delete from campaign_screens
            where campaign_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`,
      );
    },
  );

  // Only on PostgreSQL: registered there alone, so a PGlite run does not list it as skipped.
  if (engine === 'postgres')
    it.skipIf(!available)(
      'rolls a campaign out to 12,000 targeted screens: every one gets a deck and its config',
      async () => {
        const count = Number(process.env.ROLLOUT_SCREENS ?? 12_000);
        const city = newCity();
        const started = Date.now();
        const screens = await activeScreens(count, city);
        const activating = Date.now();
        const calls = broker.calls;
        const campaignId = await activeCampaign({ cities: [city], envelopes: 3 * count });
        expect(broker.calls).toBe(calls);
        const queuedMs = Date.now() - activating;
        const rolloutBefore = await rollout(campaignId);
        expect(rolloutBefore).toMatchObject({
          screens: count,
          withDeck: 0,
          decksPending: count,
          configsStale: count,
        });

        const decksStarted = Date.now();
        const { issued } = await drainDecks(deckDeps());
        const decksMs = Date.now() - decksStarted;
        const configsStarted = Date.now();
        await drainConfigs();
        const configsMs = Date.now() - configsStarted;
        console.info(
          `12,000-screen rollout on ${engine}: activation ${queuedMs} ms, decks ${decksMs} ms, configs ${configsMs} ms, total ${Date.now() - started} ms`,
        );
        expect(issued).toBe(count);
        const [left] = await queryRows<{ without_deck: unknown; without_config: unknown }>(
          handle.db,
          sql`select count(*) filter (where not exists (
                 select 1 from decks d where d.screen_id = s.id and d.campaign_id = ${campaignId})) as without_deck,
               count(*) filter (where st.published_generation < st.wanted_generation) as without_config
            from screens s join screen_config_state st on st.screen_id = s.id where s.city = ${city}`,
        );
        expect({ withoutDeck: int(left?.without_deck), withoutConfig: int(left?.without_config) }).toEqual({
          withoutDeck: 0,
          withoutConfig: 0,
        });
        expect(screens.filter((id) => !names(id, campaignId))).toEqual([]);
        expect(
          new Set(
            broker.decks.filter((sent) => sent.screenId >= (screens[0] ?? 0)).map((sent) => sent.screenId),
          ).size,
        ).toBe(count);
        expect(await rollout(campaignId)).toMatchObject({
          screens: count,
          withDeck: count,
          decksPending: 0,
          configsStale: 0,
        });
      },
      600_000,
    );
});
