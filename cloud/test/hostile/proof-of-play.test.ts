// Hostile proof of play, on PGlite and PostgreSQL, through the real ingest path (the broker's inbound
// dispatch → the events lane → the screen-event handlers): a screen holding only its own MQTT
// credentials reports another brand's campaign, a draft nobody approved, repeated items of 2^53 − 1
// plays, periods that overlap or lie in the future, and floods of short periods and made-up campaigns.
// Only what its config had it play counts (a version from before versions were recorded counts as in
// effect always), bounded by what one screen shows in the period; refusals carry stable codes and
// never stop the rest of a report; the rows a flood leaves stay one per screen, campaign, creative and
// day; and reports answer over stored sums no JSON number holds.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenTopic } from '@redtap/shared';
import { Inbound } from '../../src/broker/inbound.ts';
import type { ScreenEventMessage } from '../../src/broker/types.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { localDay } from '../../src/local-day.ts';
import { PLAY_PERIODS_PER_HOUR_MAX } from '../../src/services/proof-of-play.ts';
import { markScreenConfigsStale } from '../../src/services/config-dispatcher.ts';
import { dispatchTestConfigs } from '../config-dispatch.ts';
import { wireScreenEvents } from '../../src/services/screen-events.ts';
import { Collector } from '../broker/collector.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { FakeBroker } from '../fake-broker.ts';
import { createTestCloud, json, operatorToken, type TestCloud } from '../harness.ts';
import { buildWorld, tiersPlan, uploadCreative, type Kiosk, type World } from '../money-world.ts';

const engines = await testEngines();
const ROOT = 'redtap/test';
/** Bounded waits, generous because the machine is shared. */
const WAIT_MS = 180_000;
const HOUR_S = 3_600;
const SHOWING_MS = 10_000;
const TIMEZONE = 'Asia/Shanghai';
const FLOOD_EVENTS = 600;
const FLOOD_PERIOD_S = 12;
const FLOOD_FAKE_CAMPAIGNS = 20;
const logger = pino({ level: 'silent' });

/** A broker whose inbound side is the production `Inbound`, fed by the test instead of a socket. */
class EventBroker extends FakeBroker {
  readonly inbound = new Inbound({
    topicRoot: ROOT,
    logger,
    // Room for the whole flood from one screen: fair queuing is test/security/screen-flood.test.ts's.
    limits: { screenQueueLengthMax: FLOOD_EVENTS, queueLengthMax: FLOOD_EVENTS },
  });
  private handled = 0;
  private readonly drained = new Collector<number>();

  override onScreenEvent(handler: (message: ScreenEventMessage) => Promise<void>): void {
    this.inbound.onScreenEvent(async (message) => {
      try {
        await handler(message);
      } finally {
        this.handled += 1;
        this.drained.push(this.handled);
      }
    });
  }

  send(screenId: number, event: unknown): void {
    this.inbound.dispatch(
      screenTopic(screenId, 'events', ROOT),
      new TextEncoder().encode(JSON.stringify(event)),
    );
  }

  /** Waits, with a bound, until the events lane has handled every event it accepted. */
  async drain(): Promise<void> {
    const accepted = this.inbound.stats().eventsAccepted;
    await this.drained.waitFor((handled) => handled >= accepted, WAIT_MS, `event ${accepted} handled`);
  }
}

interface ReportRow {
  key: string;
  impressions: number | null;
  impressionsCapped: boolean;
  impressionsExact: string | null;
}

describe.each(engines)('hostile proof of play on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let broker: EventBroker;
  let metrics: Registry;
  let brandA: World;
  let brandB: World;
  let kiosk: Kiosk;
  let creativeA: string;
  let creativeB: string;
  let draft: { id: number; sha256: string };
  // Twelve hours ago on the hour: configs go out then, and each test reports hours of its own after it.
  const baseS = Math.floor(Date.now() / 1000 / HOUR_S) * HOUR_S - 12 * HOUR_S;
  const hour = (n: number) => baseS + n * HOUR_S;
  const reportingNowMs = (hour(9) + 60) * 1000;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    // Sessions outlive the clock moves below.
    cloud = createTestCloud(handle, { sessionTtlS: 7 * 86_400 });
    cloud.clock.nowMs = (baseS + 60) * 1000;
    metrics = new Registry();
    broker = new EventBroker();
    wireScreenEvents({ ...cloud.deps, broker, metrics });
    const uploader = await operatorToken(cloud);
    creativeA = await uploadCreative(cloud, uploader, 1);
    creativeB = await uploadCreative(cloud, uploader, 2);
    const plan = { plan: tiersPlan(1_000), budgetFen: 1_000 };
    brandA = await buildWorld(cloud, {
      cities: ['Shanghai'],
      ...plan,
      creatives: [{ sha256: creativeA, durationMs: SHOWING_MS }],
    });
    brandB = await buildWorld(cloud, {
      cities: ['Beijing'],
      ...plan,
      creatives: [{ sha256: creativeB, durationMs: SHOWING_MS }],
    });
    kiosk = brandA.kiosks[0] as Kiosk;
    // Brand A's draft for the same city: never submitted, approved or activated.
    const sha256 = await uploadCreative(cloud, uploader, 3);
    const nowS = baseS + 60;
    const created = await cloud.request('POST', '/v1/campaigns', {
      token: brandA.advertiser.token,
      body: {
        name: 'Draft tea',
        sponsor: 'Tea Co',
        startsAt: nowS - HOUR_S,
        endsAt: nowS + 30 * 86_400,
        targeting: { cities: ['Shanghai'], buildings: [], screenGroupIds: [] },
        budgetFen: 1_000,
        prizePlan: tiersPlan(1_000),
        couponOffers: [],
        rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 0 },
        creatives: [{ sha256, durationMs: SHOWING_MS }],
      },
    });
    expect(created.status).toBe(201);
    draft = { id: (await json<{ id: number }>(created)).id, sha256 };
    cloud.clock.nowMs = reportingNowMs;
  }, 180_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const report = async (token: string, query: string) => {
    const response = await cloud.request('GET', `/v1/reports?${query}`, { token });
    return {
      status: response.status,
      items: response.status === 200 ? (await json<{ items: ReportRow[] }>(response)).items : [],
    };
  };
  /** Impressions of a campaign over all days, as its advertiser's report says. */
  const impressionsOf = async (world: World, campaignId = world.campaignId): Promise<number> => {
    const { status, items } = await report(world.advertiser.token, `by=screen&campaignId=${campaignId}`);
    expect(status).toBe(200);
    return items.reduce((sum, row) => sum + (row.impressions ?? 0), 0);
  };
  const play = (
    campaignId: number,
    creativeSha256: string,
    plays: number,
    durationMs = plays * SHOWING_MS,
  ) => ({
    campaignId,
    creativeSha256,
    plays,
    durationMs,
  });
  const send = async (periodStart: number, periodEnd: number, items: unknown[]) => {
    broker.send(kiosk.screenId, { type: 'proof-of-play', periodStart, periodEnd, items });
    await broker.drain();
  };
  const noted = async (code: string): Promise<number> => {
    const metric = await metrics.getSingleMetricAsString('redtap_proof_of_play_item_notes_total');
    const line = metric.split('\n').find((text) => text.includes(`code="${code}"`));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  it.skipIf(!available)(
    "counts no other brand's campaign and no draft, merges repeats, bounds plays, and reports answer",
    async () => {
      const huge = Number.MAX_SAFE_INTEGER;
      await send(hour(1), hour(2), [
        play(brandB.campaignId, creativeB, huge, huge),
        play(brandB.campaignId, creativeB, huge, huge),
        play(brandA.campaignId, creativeA, huge, huge),
        play(brandA.campaignId, creativeA, huge, huge),
        play(draft.id, draft.sha256, 100),
      ]);
      expect(broker.inbound.stats().handlerErrors).toBe(0);
      for (const token of [brandA.operator, brandB.advertiser.token, brandA.advertiser.token])
        expect((await report(token, 'by=screen')).status).toBe(200);
      expect(await impressionsOf(brandB)).toBe(0);
      expect(await impressionsOf(brandA, draft.id)).toBe(0);
      // One screen shows a 10 s creative at most 361 times in an hour (the last may run past its end).
      const own = await impressionsOf(brandA);
      expect(own).toBeGreaterThan(300);
      expect(own).toBeLessThanOrEqual(HOUR_S / (SHOWING_MS / 1000) + 1);
      expect(await noted('PLAY_NOT_IN_CONFIG')).toBe(3);
      expect(await noted('PLAY_ITEM_REPEATED')).toBe(1);
      expect(await noted('PLAY_BEYOND_PERIOD')).toBe(1);
    },
  );

  it.skipIf(!available)(
    'counts a redelivered period once and refuses overlapping, straddling and future periods',
    async () => {
      const before = await impressionsOf(brandA);
      await send(hour(5), hour(5) + 1_800, [play(brandA.campaignId, creativeA, 10)]);
      expect(await impressionsOf(brandA)).toBe(before + 10);
      await send(hour(5), hour(5) + 1_800, [play(brandA.campaignId, creativeA, 10)]);
      await send(hour(5) + 900, hour(5) + 2_700, [play(brandA.campaignId, creativeA, 10)]);
      await send(hour(5) + 3_000, hour(5) + 4_000, [play(brandA.campaignId, creativeA, 10)]);
      const futureS = Math.floor(cloud.clock.nowMs / 1000 / HOUR_S) * HOUR_S + HOUR_S;
      await send(futureS, futureS + 600, [play(brandA.campaignId, creativeA, 10)]);
      expect(await impressionsOf(brandA)).toBe(before + 10);
      const refused = await metrics.getSingleMetricAsString('redtap_proof_of_play_reports_total');
      for (const code of ['PLAY_PERIOD_OVERLAP', 'PLAY_PERIOD_INVALID', 'PLAY_PERIOD_FUTURE'])
        expect(refused).toContain(`code="${code}"`);
      expect(refused).toMatch(/outcome="duplicate"/);
    },
  );

  it.skipIf(!available)(
    'keeps a flood to one row per screen, campaign, creative and day, and a bounded number of periods',
    async () => {
      const rows = async () => {
        const [stats] = await queryRows<{ n: unknown }>(
          cloud.deps.db,
          sql`select count(*) as n from play_stats where screen_id = ${kiosk.screenId}`,
        );
        const [periods] = await queryRows<{ n: unknown }>(
          cloud.deps.db,
          sql`select count(*) as n from play_reports where screen_id = ${kiosk.screenId}
              and period_start >= ${hour(3)} and period_start < ${hour(5)}`,
        );
        return { stats: int(stats?.n), periods: int(periods?.n) };
      };
      const before = await rows();
      const impressionsBefore = await impressionsOf(brandA);
      for (let i = 0; i < FLOOD_EVENTS; i++) {
        const start = hour(3) + i * FLOOD_PERIOD_S;
        broker.send(kiosk.screenId, {
          type: 'proof-of-play',
          periodStart: start,
          periodEnd: start + FLOOD_PERIOD_S,
          items: [
            play(brandA.campaignId, creativeA, 1_000),
            ...Array.from({ length: FLOOD_FAKE_CAMPAIGNS }, (_, k) =>
              play(1_000_000 + i * FLOOD_FAKE_CAMPAIGNS + k, k % 2 === 0 ? creativeA : 'f'.repeat(64), 1_000),
            ),
          ],
        });
      }
      await broker.drain();
      expect(broker.inbound.stats().handlerErrors).toBe(0);
      const after = await rows();
      // Two hours of flood: the one configured campaign and creative, on at most two local days.
      const days = new Set([localDay(hour(3), TIMEZONE), localDay(hour(5) - 1, TIMEZONE)]).size;
      expect(after.stats - before.stats).toBeLessThanOrEqual(days);
      expect(after.periods - before.periods).toBe(2 * PLAY_PERIODS_PER_HOUR_MAX);
      // Each 12 s period holds at most two 10 s showings.
      const added = (await impressionsOf(brandA)) - impressionsBefore;
      expect(added).toBeGreaterThan(0);
      expect(added).toBeLessThanOrEqual(2 * PLAY_PERIODS_PER_HOUR_MAX * 2);
    },
    WAIT_MS,
  );

  it.skipIf(!available)(
    'counts a campaign in the periods a config the screen held had it, and not after it left',
    async () => {
      const before = await impressionsOf(brandA);
      // Paused ten minutes into hour 6: the screen's config drops the campaign then.
      cloud.clock.nowMs = (hour(6) + 600) * 1000;
      const paused = await cloud.request('POST', `/v1/campaigns/${brandA.campaignId}/transitions`, {
        token: brandA.advertiser.token,
        body: { transition: 'pause' },
      });
      expect(paused.status).toBe(200);
      expect(cloud.broker.configs.get(kiosk.screenId)?.campaigns).toEqual([]);
      cloud.clock.nowMs = reportingNowMs;
      await send(hour(6), hour(7), [play(brandA.campaignId, creativeA, 5)]);
      expect(await impressionsOf(brandA)).toBe(before + 5);
      await send(hour(7), hour(8), [play(brandA.campaignId, creativeA, 5)]);
      expect(await impressionsOf(brandA)).toBe(before + 5);
    },
  );

  it.skipIf(!available)(
    'takes a version published before versions were recorded as in effect since always',
    async () => {
      const other = brandB.kiosks[0] as Kiosk;
      // Ending eleven minutes before the campaign's config went out, inside the campaign's dates.
      const periodStart = baseS - HOUR_S;
      const report = { type: 'proof-of-play', periodStart, periodEnd: periodStart + 3_000 };
      const items = [play(brandB.campaignId, creativeB, 3)];
      broker.send(other.screenId, { ...report, items });
      await broker.drain();
      expect(await impressionsOf(brandB)).toBe(0);
      // As after an upgrade: no history, and the start's publish finds the content unchanged.
      await cloud.deps.db.execute(
        sql`delete from screen_config_versions where screen_id = ${other.screenId}`,
      );
      const version = cloud.broker.configs.get(other.screenId)?.version;
      await markScreenConfigsStale(cloud.deps.db, [other.screenId]);
      await dispatchTestConfigs(cloud);
      expect(cloud.broker.configs.get(other.screenId)?.version).toBe(version);
      broker.send(other.screenId, { ...report, items });
      await broker.drain();
      expect(await impressionsOf(brandB)).toBe(3);
    },
  );

  it.skipIf(!available)(
    'answers reports over stored sums beyond 2^53 with the bound and a flag, and keeps counting',
    async () => {
      // A row stored before plays were bounded, near the top of int8, on the day hour 2 falls on: the
      // next report's sum would overflow int8.
      const nearMax = 9_223_372_036_854_775_757n;
      await cloud.deps.db.execute(
        sql`insert into play_stats (screen_id, campaign_id, day, creative_sha256, plays, duration_ms)
            values (${kiosk.screenId}, ${brandA.campaignId}, ${localDay(hour(2), TIMEZONE)}::date, ${creativeA},
              ${nearMax.toString()}::bigint, 0)
            on conflict (screen_id, campaign_id, day, creative_sha256)
              do update set plays = excluded.plays`,
      );
      await send(hour(2), hour(3), [play(brandA.campaignId, creativeA, 100)]);
      expect(broker.inbound.stats().handlerErrors).toBe(0);
      for (const token of [brandA.operator, brandA.advertiser.token]) {
        const { status, items } = await report(token, `by=day&campaignId=${brandA.campaignId}`);
        expect(status).toBe(200);
        const capped = items.find((row) => row.impressionsCapped);
        expect(capped?.impressions).toBe(Number.MAX_SAFE_INTEGER);
        expect(BigInt(capped?.impressionsExact ?? '0')).toBeGreaterThan(nearMax);
      }
      const csv = await cloud.request(
        'GET',
        `/v1/reports?by=day&format=csv&campaignId=${brandA.campaignId}`,
        {
          token: brandA.advertiser.token,
        },
      );
      expect(csv.status).toBe(200);
      expect(await csv.text()).toMatch(/,9223372036854775\d{3},/);
    },
  );
});
