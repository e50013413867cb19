// Campaign reports read `tap_rollups`, which triggers keep as taps and claims are written, reviewed or
// deleted and as proof-of-play periods arrive (before or after the taps they rate). On a randomized
// history, every report (each grouping, tenant, campaign filter and range) equals the same report
// recomputed from the raw tap and claim rows, and the migration's backfill rebuilds the same rollups.
import { readFileSync } from 'node:fs';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import type { TenantScope } from '../src/services/accounts.ts';
import {
  campaignReport,
  type ReportDimension,
  type ReportRow,
  tapThroughRate,
} from '../src/services/reports.ts';
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

/** The report as it was computed before rollups: from every tap and claim row of the range. */
async function rawReport(
  handle: DatabaseHandle,
  scope: TenantScope,
  input: { by: ReportDimension; campaignId?: number | undefined; from: string; to: string },
): Promise<ReportRow[]> {
  const tenant: SQL = scope.kind === 'advertiser' ? sql`c.advertiser_id = ${scope.advertiserId}` : sql`true`;
  const campaign: SQL = input.campaignId === undefined ? sql`true` : sql`c.id = ${input.campaignId}`;
  const tapKey = {
    day: sql`r.tap_day::text`,
    city: sql`r.city`,
    screen: sql`r.screen_id::text`,
    path: sql`r.path`,
  }[input.by];
  const playKey = {
    day: sql`p.day::text`,
    city: sql`s.city`,
    screen: sql`p.screen_id::text`,
    path: sql`null::text`,
  }[input.by];
  const label =
    input.by === 'screen'
      ? sql`(select n.name from screens n where n.id::text = coalesce(t.key, p.key))`
      : sql`coalesce(t.key, p.key)`;
  const rows = await queryRows<Record<string, unknown>>(
    handle.db,
    sql`with scoped as (select c.id from campaigns c where ${tenant} and ${campaign}),
        taps as (
          select ${tapKey} as key, count(*) as taps, count(distinct r.wallet_id) as wallets,
                 count(*) filter (where exists (
                   select 1 from play_reports pr where pr.screen_id = r.screen_id
                     and pr.period_start <= r.tap_ts and r.tap_ts < pr.period_end)) as rated_taps,
                 coalesce(sum(r.amount_fen) filter (where r.status in ('credited', 'released')), 0) as cash,
                 count(*) filter (where r.coupon_offer_id is not null and r.status in ('credited', 'released')) as coupons
          from (
            select t.tap_day, t.city, t.screen_id, t.wallet_id, t.tap_ts, t.amount_fen, t.coupon_offer_id,
                   t.status, 'tap' as path
            from redemptions t where t.campaign_id in (select id from scoped)
              and t.tap_day between ${input.from}::date and ${input.to}::date
              and t.status in ('credited', 'released', 'held')
            union all
            select k.tap_day, k.city, k.screen_id, k.wallet_id, k.tap_ts, k.amount_fen, k.coupon_offer_id,
                   k.status, k.path
            from claims k where k.campaign_id in (select id from scoped)
              and k.tap_day between ${input.from}::date and ${input.to}::date
              and k.status in ('credited', 'released', 'held')
          ) r
          group by 1),
        plays as (
          select ${playKey} as key, sum(p.plays) as impressions
          from play_stats p join screens s on s.id = p.screen_id
          where p.campaign_id in (select id from scoped) and p.day between ${input.from}::date and ${input.to}::date
            and ${input.by !== 'path'}
          group by 1)
        select coalesce(t.key, p.key) as key, ${label} as label, p.impressions::text as impressions,
               coalesce(t.taps, 0) as taps, coalesce(t.rated_taps, 0) as rated_taps,
               coalesce(t.wallets, 0) as wallets, coalesce(t.cash, 0) as cash, coalesce(t.coupons, 0) as coupons
        from taps t full outer join plays p on p.key = t.key
        order by 1`,
  );
  return rows.map((row) => {
    const impressions = row.impressions === null ? null : int(row.impressions);
    const ratedTaps = int(row.rated_taps);
    return {
      key: String(row.key),
      label: typeof row.label === 'string' ? row.label : String(row.key),
      impressions,
      impressionsCapped: false,
      impressionsExact: impressions === null ? null : String(impressions),
      taps: int(row.taps),
      ratedTaps,
      uniqueWallets: int(row.wallets),
      cashFen: int(row.cash),
      coupons: int(row.coupons),
      tapThroughRate: tapThroughRate(ratedTaps, impressions),
    };
  });
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
    let compared = 0;
    for (const scope of scopes)
      for (const campaignId of [undefined, ...world.campaigns.map((c) => c.id)])
        for (const by of ['day', 'city', 'screen', 'path'] as const)
          for (const range of ranges) {
            const input = { by, campaignId, ...range };
            const report = await campaignReport(handle.db, scope, { ...input, timezone: TIMEZONE });
            expect(report.items, JSON.stringify({ scope, input })).toEqual(
              await rawReport(handle, scope, input),
            );
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
