// Campaign reports read `tap_rollups`, which triggers keep as taps and claims are written, reviewed or
// deleted and as proof-of-play periods arrive (before or after the taps they rate). On a randomized
// history, every report (each grouping, tenant, campaign filter and range) equals the same report
// recomputed in JavaScript, tap by tap, from the raw tap, claim, period and play rows (not by the report's
// own query), and the migration's backfill rebuilds the same rollups.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import type { TenantScope } from '../src/services/accounts.ts';
import { campaignReport, type ReportDimension, type ReportRow, reportCsv } from '../src/services/reports.ts';
import { openTestDatabase, testEngines } from './databases.ts';

const engines = await testEngines();
const TIMEZONE = 'Asia/Shanghai';
const DAY_S = 86_400;
const HOUR_S = 3_600;
/** Shanghai midnight of 2026-11-01. */
const START_S = Date.UTC(2026, 9, 31, 16) / 1000;
const DAYS = 6;
const STATUSES = ['credited', 'rejected', 'held', 'released', 'refused'] as const;
const CLAIM_PATHS = ['qr', 'reader_tag', 'sticker'] as const;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const below = (n: number) => Math.floor(next() * n);
  return { next, below, pick: <T>(items: readonly T[]): T => items[below(items.length)] as T };
}

const dayOf = (ts: number) => new Date((ts + 8 * HOUR_S) * 1000).toISOString().slice(0, 10);

/** Every raw row a report reads, fetched once per comparison with plain selects (no grouping, no joins). */
interface RawWorld {
  taps: {
    campaignId: number;
    screenId: number;
    walletId: number;
    status: string;
    amountFen: number;
    couponOfferId: number | null;
    tapTs: number;
    tapDay: string;
    city: string;
    path: string;
  }[];
  periods: { screenId: number; start: number; end: number }[];
  plays: { screenId: number; campaignId: number; day: string; plays: number }[];
  screens: Map<number, { name: string; city: string }>;
  campaigns: { id: number; advertiserId: number }[];
}

async function readRaw(handle: DatabaseHandle): Promise<RawWorld> {
  const tapColumns = sql`campaign_id, screen_id, wallet_id, status, amount_fen, coupon_offer_id, tap_ts,
    tap_day::text as tap_day, city`;
  const tapRows = [
    ...(await queryRows<Record<string, unknown>>(
      handle.db,
      sql`select ${tapColumns}, 'tap' as path from redemptions`,
    )),
    ...(await queryRows<Record<string, unknown>>(handle.db, sql`select ${tapColumns}, path from claims`)),
  ];
  const periods = await queryRows<Record<string, unknown>>(
    handle.db,
    sql`select screen_id, period_start, period_end from play_reports`,
  );
  const plays = await queryRows<Record<string, unknown>>(
    handle.db,
    sql`select screen_id, campaign_id, day::text as day, plays from play_stats`,
  );
  const screens = await queryRows<Record<string, unknown>>(
    handle.db,
    sql`select id, name, city from screens`,
  );
  const campaigns = await queryRows<Record<string, unknown>>(
    handle.db,
    sql`select id, advertiser_id from campaigns`,
  );
  return {
    taps: tapRows
      .filter((row) => row.campaign_id !== null)
      .map((row) => ({
        campaignId: int(row.campaign_id),
        screenId: int(row.screen_id),
        walletId: int(row.wallet_id),
        status: String(row.status),
        amountFen: int(row.amount_fen),
        couponOfferId: row.coupon_offer_id === null ? null : int(row.coupon_offer_id),
        tapTs: int(row.tap_ts),
        tapDay: String(row.tap_day),
        city: String(row.city),
        path: String(row.path),
      })),
    periods: periods.map((row) => ({
      screenId: int(row.screen_id),
      start: int(row.period_start),
      end: int(row.period_end),
    })),
    plays: plays.map((row) => ({
      screenId: int(row.screen_id),
      campaignId: int(row.campaign_id),
      day: String(row.day),
      plays: int(row.plays),
    })),
    screens: new Map(screens.map((row) => [int(row.id), { name: String(row.name), city: String(row.city) }])),
    campaigns: campaigns.map((row) => ({ id: int(row.id), advertiserId: int(row.advertiser_id) })),
  };
}

/**
 * The report recomputed in JavaScript from the raw rows, tap by tap, by the rules the report states
 * (services/reports.ts): a tap counts when credited, released or held; it is rated when a period its
 * screen reported contains it; cash and coupons are those of credited and released taps; impressions sum
 * the plays of the key (a screen's current city), unknown for paths.
 */
function rawReport(
  raw: RawWorld,
  scope: TenantScope,
  input: { by: ReportDimension; campaignId?: number | undefined; from: string; to: string },
): ReportRow[] {
  const scoped = new Set(
    raw.campaigns
      .filter((c) => scope.kind !== 'advertiser' || c.advertiserId === scope.advertiserId)
      .filter((c) => input.campaignId === undefined || c.id === input.campaignId)
      .map((c) => c.id),
  );
  const inRange = (day: string) => input.from <= day && day <= input.to;
  const rows = new Map<
    string,
    { taps: number; rated: number; wallets: Set<number>; cash: number; coupons: number; plays: number | null }
  >();
  const rowOf = (key: string) => {
    let row = rows.get(key);
    if (row === undefined) {
      row = { taps: 0, rated: 0, wallets: new Set(), cash: 0, coupons: 0, plays: null };
      rows.set(key, row);
    }
    return row;
  };
  for (const tap of raw.taps) {
    if (!scoped.has(tap.campaignId) || !inRange(tap.tapDay)) continue;
    if (!['credited', 'released', 'held'].includes(tap.status)) continue;
    const key = { day: tap.tapDay, city: tap.city, screen: String(tap.screenId), path: tap.path }[input.by];
    const row = rowOf(key);
    row.taps += 1;
    row.wallets.add(tap.walletId);
    if (raw.periods.some((p) => p.screenId === tap.screenId && p.start <= tap.tapTs && tap.tapTs < p.end))
      row.rated += 1;
    if (tap.status === 'credited' || tap.status === 'released') {
      row.cash += tap.amountFen;
      if (tap.couponOfferId !== null) row.coupons += 1;
    }
  }
  if (input.by !== 'path')
    for (const play of raw.plays) {
      if (!scoped.has(play.campaignId) || !inRange(play.day)) continue;
      const city = raw.screens.get(play.screenId)?.city ?? '';
      const key = { day: play.day, city, screen: String(play.screenId) }[input.by];
      const row = rowOf(key);
      row.plays = (row.plays ?? 0) + play.plays;
    }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, row]) => ({
      key,
      label: input.by === 'screen' ? (raw.screens.get(Number(key))?.name ?? key) : key,
      impressions: row.plays,
      impressionsCapped: false,
      impressionsExact: row.plays === null ? null : String(row.plays),
      taps: row.taps,
      ratedTaps: row.rated,
      uniqueWallets: row.wallets.size,
      cashFen: row.cash,
      coupons: row.coupons,
      tapThroughRate: row.plays === null || row.plays === 0 ? null : row.rated / row.plays,
    }));
}

interface History {
  advertisers: number[];
  campaigns: { id: number; advertiserId: number }[];
  screens: number[];
}

async function seedWorld(handle: DatabaseHandle): Promise<History> {
  const history: History = { advertisers: [], campaigns: [], screens: [] };
  for (let a = 0; a < 2; a++) {
    const [account] = await queryRows<{ id: unknown }>(
      handle.db,
      sql`insert into ledger_accounts (kind) values ('advertiser') returning id`,
    );
    const [advertiser] = await queryRows<{ id: unknown }>(
      handle.db,
      sql`insert into advertisers (name, ledger_account_id) values (${`Advertiser ${a}`}, ${int(account?.id)})
          returning id`,
    );
    const advertiserId = int(advertiser?.id);
    history.advertisers.push(advertiserId);
    for (let c = 0; c < 2; c++) {
      const [budget] = await queryRows<{ id: unknown }>(
        handle.db,
        sql`insert into ledger_accounts (kind) values ('campaign_budget') returning id`,
      );
      const [campaign] = await queryRows<{ id: unknown }>(
        handle.db,
        sql`insert into campaigns (advertiser_id, name, sponsor, starts_at, ends_at, dayparts, targeting,
              budget_fen, prize_plan, rules, creatives, budget_account_id)
            values (${advertiserId}, ${`Campaign ${a}.${c}`}, 'Sponsor', ${START_S}, ${START_S + DAYS * DAY_S},
              '[]'::jsonb, '{}'::jsonb, 100, '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, ${int(budget?.id)})
            returning id`,
      );
      history.campaigns.push({ id: int(campaign?.id), advertiserId });
    }
  }
  for (let s = 0; s < 4; s++) {
    const [screen] = await queryRows<{ id: unknown }>(
      handle.db,
      sql`insert into screens (name, city, building, elevator, timezone)
          values (${`Screen ${s}`}, ${s % 2 === 0 ? 'Shanghai' : 'Hangzhou'}, 'B', 'E', ${TIMEZONE}) returning id`,
    );
    history.screens.push(int(screen?.id));
  }
  return history;
}

/** Non-overlapping periods per screen, each within one UTC hour, some before the taps and some after. */
function periodsOf(rng: ReturnType<typeof random>, screens: number[]) {
  const periods: { screenId: number; start: number; end: number }[] = [];
  for (const screenId of screens)
    for (let hour = 0; hour < DAYS * 24; hour++) {
      if (rng.next() < 0.6) continue;
      const hourStart = START_S + hour * HOUR_S;
      // Whole hours, or one or two shorter periods inside the hour.
      if (rng.next() < 0.5) periods.push({ screenId, start: hourStart, end: hourStart + HOUR_S });
      else {
        const cut = 300 + rng.below(3_000);
        periods.push({ screenId, start: hourStart, end: hourStart + cut });
        if (rng.next() < 0.5)
          periods.push({ screenId, start: hourStart + cut + 60, end: hourStart + HOUR_S });
      }
    }
  return periods;
}

async function insertPeriods(
  handle: DatabaseHandle,
  periods: { screenId: number; start: number; end: number }[],
) {
  if (periods.length === 0) return;
  await handle.db.execute(
    sql`insert into play_reports (screen_id, period_start, period_end)
        select s, a, b from jsonb_to_recordset(${JSON.stringify(
          periods.map((p) => ({ s: p.screenId, a: p.start, b: p.end })),
        )}::jsonb) as t(s bigint, a bigint, b bigint)`,
  );
}

async function seedHistory(handle: DatabaseHandle, world: History, seed: number): Promise<void> {
  const rng = random(seed);
  const periods = periodsOf(rng, world.screens);
  const early = periods.filter(() => rng.next() < 0.5);
  const late = periods.filter((period) => !early.includes(period));
  // Half the periods arrive before the taps they rate, in several statements.
  for (let i = 0; i < early.length; i += 50) await insertPeriods(handle, early.slice(i, i + 50));
  const tapRow = (n: number) => {
    const ts = START_S + rng.below(DAYS * DAY_S);
    const status = rng.pick(STATUSES);
    const paid = status === 'credited' || status === 'released' || status === 'held';
    return {
      screen_id: rng.pick(world.screens),
      counter: n,
      wallet_id: 1 + rng.below(25),
      campaign_id: rng.pick(world.campaigns).id,
      amount_fen: paid && rng.next() < 0.7 ? 1 + rng.below(500) : 0,
      coupon_offer_id: rng.next() < 0.3 ? 1 + rng.below(3) : null,
      status,
      tap_ts: ts,
      tap_day: dayOf(ts),
      city: rng.pick(['Shanghai', 'Hangzhou', 'Suzhou']),
    };
  };
  // Taps in batches of varying size, as redemption groups write them.
  let counter = 1;
  while (counter <= 600) {
    const batch = Array.from({ length: 1 + rng.below(60) }, () => tapRow(counter++));
    await handle.db.execute(
      sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id, amount_fen,
            coupon_offer_id, status, tap_ts, tap_day, city, source, received_at)
          select screen_id, counter, md5(counter::text), wallet_id, campaign_id, null, amount_fen, coupon_offer_id,
                 status, tap_ts, tap_day, city, 'mqtt', now()
          from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as t(screen_id bigint, counter bigint,
            wallet_id bigint, campaign_id bigint, amount_fen bigint, coupon_offer_id int, status text, tap_ts bigint,
            tap_day date, city text)`,
    );
  }
  // Claims one by one, as the claim path writes them; some name no campaign.
  for (let n = 0; n < 150; n++) {
    const row = tapRow(n);
    await handle.db.execute(
      sql`insert into claims (claim_key, screen_id, wallet_id, campaign_id, path, status, amount_fen, coupon_offer_id,
            tap_ts, tap_day, city, claimed_at)
          values (${`t:${row.screen_id}:${n}`}, ${row.screen_id}, ${row.wallet_id},
            ${rng.next() < 0.1 ? null : row.campaign_id}, ${rng.pick(CLAIM_PATHS)}, ${row.status}, ${row.amount_fen},
            ${row.coupon_offer_id}, ${row.tap_ts}, ${row.tap_day}::date, ${row.city}, now())`,
    );
  }
  // The other half of the periods arrive after the taps.
  for (let i = 0; i < late.length; i += 40) await insertPeriods(handle, late.slice(i, i + 40));
  // Held taps and claims are decided, several per statement and one by one; one period is taken back.
  await handle.db.execute(
    sql`update redemptions set status = 'released' where status = 'held' and counter % 3 = 0`,
  );
  await handle.db.execute(
    sql`update redemptions set status = 'refused', amount_fen = 0 where status = 'held' and counter % 3 = 1`,
  );
  await handle.db.execute(
    sql`update claims set status = 'refused', amount_fen = 0
        where id = (select min(id) from claims where status = 'held')`,
  );
  await handle.db.execute(sql`update claims set status = 'released' where status = 'held' and id % 2 = 0`);
  await handle.db.execute(sql`delete from redemptions where counter % 97 = 0`);
  await handle.db.execute(
    sql`delete from play_reports where (screen_id, period_start) = (select screen_id, period_start from play_reports
        order by period_start, screen_id limit 1)`,
  );
  // Proof of play for the impressions column.
  for (let i = 0; i < 60; i++)
    await handle.db.execute(
      sql`insert into play_stats (screen_id, campaign_id, day, creative_sha256, plays, duration_ms)
          values (${rng.pick(world.screens)}, ${rng.pick(world.campaigns).id},
            ${dayOf(START_S + rng.below(DAYS * DAY_S))}::date, ${`c${rng.below(2)}`}, ${1 + rng.below(50)}, 1000)
          on conflict do nothing`,
    );
}

describe.each(engines)('report rollups on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let world: History;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    world = await seedWorld(handle);
    await seedHistory(handle, world, engine === 'pglite' ? 7 : 11);
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function compareEveryReport(): Promise<number> {
    const scopes: TenantScope[] = [
      { kind: 'all' },
      ...world.advertisers.map((advertiserId): TenantScope => ({ kind: 'advertiser', advertiserId })),
    ];
    const ranges = [
      { from: dayOf(START_S), to: dayOf(START_S + (DAYS - 1) * DAY_S) },
      { from: dayOf(START_S + DAY_S), to: dayOf(START_S + 2 * DAY_S) },
      { from: '2000-01-01', to: '2099-12-31' },
    ];
    const raw = await readRaw(handle);
    let compared = 0;
    for (const scope of scopes)
      for (const campaignId of [undefined, ...world.campaigns.map((c) => c.id)])
        for (const by of ['day', 'city', 'screen', 'path'] as const)
          for (const range of ranges) {
            const input = { by, campaignId, ...range };
            const report = await campaignReport(handle.db, scope, { ...input, timezone: TIMEZONE });
            expect(report.items, JSON.stringify({ scope, input })).toEqual(rawReport(raw, scope, input));
            compared += report.items.length;
          }
    return compared;
  }

  it.skipIf(!available)(
    'every report equals its recomputation from the raw taps and claims',
    async () => {
      // The history is rich enough that the comparison covers taps of every kind.
      const [counts] = await queryRows<{ taps: unknown; rated: unknown; cash: unknown; coupons: unknown }>(
        handle.db,
        sql`select sum(taps) as taps, sum(rated_taps) as rated, sum(cash_fen) as cash, sum(coupons) as coupons
          from tap_rollups`,
      );
      expect(int(counts?.taps)).toBeGreaterThan(300);
      expect(int(counts?.rated)).toBeGreaterThan(50);
      expect(int(counts?.rated)).toBeLessThan(int(counts?.taps));
      expect(int(counts?.coupons)).toBeGreaterThan(20);
      expect(await compareEveryReport()).toBeGreaterThan(400);
    },
    300_000,
  );

  it.skipIf(!available)(
    'past the counted-taps bound unique wallets are unknown, and every other measure is the same',
    async () => {
      const range = { from: dayOf(START_S), to: dayOf(START_S + (DAYS - 1) * DAY_S) };
      for (const by of ['day', 'screen'] as const) {
        const input = { by, ...range, timezone: TIMEZONE };
        const exact = await campaignReport(handle.db, { kind: 'all' }, input);
        const taps = exact.items.reduce((sum, row) => sum + row.taps, 0);
        expect((await campaignReport(handle.db, { kind: 'all' }, input, 5_000, taps)).items).toEqual(
          exact.items,
        );
        const bounded = await campaignReport(handle.db, { kind: 'all' }, input, 5_000, taps - 1);
        expect(bounded.items).toEqual(
          exact.items.map((row) => ({ ...row, uniqueWallets: row.taps === 0 ? 0 : null })),
        );
        // The CSV leaves an unknown count empty, as it does unknown impressions, never 0.
        const lines = reportCsv(by, bounded).trim().split('\n');
        const column = lines[0]?.split(',').indexOf('unique_wallets') ?? -1;
        expect(column).toBeGreaterThan(0);
        expect(lines.slice(1).map((line) => line.split(',')[column])).toEqual(
          bounded.items.map((row) => (row.taps === 0 ? '0' : '')),
        );
      }
    },
  );

  it.skipIf(!available)(
    'the migration backfill rebuilds the same rollups from the taps and claims',
    async () => {
      const kept = await queryRows<Record<string, unknown>>(
        handle.db,
        sql`select * from tap_rollups where taps <> 0 or rated_taps <> 0 or cash_fen <> 0 or coupons <> 0
          order by campaign_id, tap_day, screen_id, city, path`,
      );
      const migration = readFileSync(
        new URL('../drizzle/0027_tap_rollup_triggers.sql', import.meta.url),
        'utf8',
      );
      const backfill = migration.split('--> statement-breakpoint').at(-1) ?? '';
      expect(backfill).toContain('INSERT INTO "tap_rollups"');
      await handle.db.execute(sql`delete from tap_rollups`);
      await handle.db.execute(sql.raw(backfill));
      const rebuilt = await queryRows<Record<string, unknown>>(
        handle.db,
        sql`select * from tap_rollups order by campaign_id, tap_day, screen_id, city, path`,
      );
      expect(rebuilt).toEqual(kept);
      expect(await compareEveryReport()).toBeGreaterThan(400);
    },
    300_000,
  );
});
