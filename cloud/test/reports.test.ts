// Campaign and coupon reports over HTTP: dates are real calendar days, the tap-through rate divides only
// taps from periods that proof of play has reported, rows without any proof of play have no rate, and the
// CSV names its time zone and screens and cannot carry a formula.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { DAY_MAX, DAY_MIN } from '../src/http/schemas.ts';
import { localDay } from '../src/local-day.ts';
import { campaignReport } from '../src/services/reports.ts';
import { openTestDatabase } from './databases.ts';
import { createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';
import {
  buildWorld,
  registerPhone,
  tiersPlan,
  uploadCreative,
  type Kiosk,
  type World,
} from './money-world.ts';

const TIMEZONE = 'Asia/Shanghai';
const HOUR_S = 3_600;

interface Row {
  key: string;
  label: string;
  impressions: number | null;
  taps: number;
  ratedTaps: number;
  tapThroughRate: number | null;
}

describe('reports', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  let reporting: Kiosk;
  let silent: Kiosk;
  // Sessions are checked against the real clock, so the data sits on the latest day whose noon in
  // Shanghai has passed: 11:00–12:00 is reported, the taps from 12:00 fall in an hour nobody has reported.
  const todayNoonS = Math.floor(Date.now() / 86_400_000) * 86_400 + 4 * HOUR_S;
  const noonS = todayNoonS + 120 <= Date.now() / 1000 ? todayNoonS : todayNoonS - 86_400;
  const reportedStartS = noonS - HOUR_S;
  const nowS = noonS;
  const day = localDay(nowS, TIMEZONE);

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    // Proof of play counts what the screen's config had it play in the period: the campaign goes out
    // before the reported hour, and the report comes after it. Sessions outlive the clock's moves.
    cloud = createTestCloud(handle, { sessionTtlS: 3 * 86_400 });
    cloud.clock.nowMs = (reportedStartS - 600) * 1000;
    const creative = await uploadCreative(cloud, await operatorToken(cloud), 1);
    world = await buildWorld(cloud, {
      cities: ['Shanghai', 'Hangzhou'],
      plan: tiersPlan(5_000),
      budgetFen: 5_000,
      creatives: [{ sha256: creative, durationMs: 10_000 }],
    });
    [reporting, silent] = world.kiosks as [Kiosk, Kiosk];
    cloud.clock.nowMs = (nowS + 60) * 1000;
    await cloud.broker.deliverEvent({
      screenId: reporting.screenId,
      event: {
        type: 'proof-of-play',
        periodStart: reportedStartS,
        periodEnd: reportedStartS + HOUR_S,
        items: [{ creativeSha256: creative, campaignId: world.campaignId, plays: 2, durationMs: 20_000 }],
      },
    });
    const phone = await registerPhone(cloud);
    // One tap inside the reported hour, thirteen in the next (no proof of play yet), and five on
    // a screen that never reports: 19 taps over 2 logged plays, which used to read as a 700 % rate.
    const taps = [
      { kiosk: reporting, ts: reportedStartS + 600 },
      ...Array.from({ length: 13 }, (_, i) => ({ kiosk: reporting, ts: nowS + 60 * i })),
      ...Array.from({ length: 5 }, (_, i) => ({ kiosk: silent, ts: nowS + 30 * i })),
    ];
    for (const [i, tap] of taps.entries())
      await cloud.deps.db.execute(
        sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id,
              amount_fen, status, tap_ts, tap_day, city, source, received_at)
            values (${tap.kiosk.screenId}, ${1_000 + i}, ${`hash${String(i)}`}, ${phone.walletId}, ${world.campaignId},
              ${world.advertiser.advertiserId}, 2, 'credited', ${tap.ts}, ${localDay(tap.ts, TIMEZONE)}::date,
              ${tap.kiosk.city}, 'mqtt', now())`,
      );
    await cloud.deps.db.execute(
      sql`update screens set name = ${'=HYPERLINK("http://evil.example","Lift")'} where id = ${reporting.screenId}`,
    );
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  const get = (path: string) => cloud.request('GET', path, { token: world.advertiser.token });

  it('refuses impossible or reversed dates with VALIDATION_FAILED instead of a 500', async () => {
    for (const query of [
      'from=2024-02-30',
      'to=2023-02-29',
      'from=2024-13-01',
      'from=2024-00-10',
      'to=9999-12-31',
      'from=2026-06-15&to=2026-06-14',
    ])
      for (const path of ['/v1/reports', '/v1/reports/coupons']) {
        const response = await get(`${path}?${query}`);
        const body = await json<{ error?: { code: string } }>(response);
        expect([path, query, response.status, body.error?.code]).toEqual([
          path,
          query,
          400,
          'VALIDATION_FAILED',
        ]);
      }
    expect((await get('/v1/reports?from=2024-02-29&to=2024-02-29')).status).toBe(200);
  });

  it('divides only taps from reported periods by impressions, and gives no rate without proof of play', async () => {
    const byDay = await json<{ timezone: string; items: Row[] }>(
      await get(`/v1/reports?by=day&campaignId=${world.campaignId}`),
    );
    expect(byDay.timezone).toBe(TIMEZONE);
    expect(byDay.items).toEqual([
      expect.objectContaining({ key: day, impressions: 2, taps: 19, ratedTaps: 1, tapThroughRate: 0.5 }),
    ]);
    const byScreen = await json<{ items: Row[] }>(
      await get(`/v1/reports?by=screen&campaignId=${world.campaignId}`),
    );
    expect(byScreen.items).toEqual([
      expect.objectContaining({
        key: String(reporting.screenId),
        label: '=HYPERLINK("http://evil.example","Lift")',
        impressions: 2,
        taps: 14,
        tapThroughRate: 0.5,
      }),
      expect.objectContaining({
        key: String(silent.screenId),
        label: 'Lift Hangzhou',
        impressions: null,
        taps: 5,
        ratedTaps: 0,
        tapThroughRate: null,
      }),
    ]);
    for (const row of [...byDay.items, ...byScreen.items])
      if (row.tapThroughRate !== null) expect(row.tapThroughRate).toBeLessThanOrEqual(1);
  });

  it('writes the time zone, screen names, percentages and no formulas into the CSV', async () => {
    const byDay = await (await get(`/v1/reports?by=day&format=csv&campaignId=${world.campaignId}`)).text();
    expect(byDay.split('\n')).toEqual([
      'day (Asia/Shanghai),impressions,taps,taps_in_reported_periods,unique_wallets,cash_fen,cash_yuan,coupons,tap_through_rate',
      `${day},2,19,1,1,38,0.38,0,50%`,
      '',
    ]);
    const byScreen = await (
      await get(`/v1/reports?by=screen&format=csv&campaignId=${world.campaignId}`)
    ).text();
    const lines = byScreen.split('\n');
    expect(lines[0]).toBe(
      'screen_id,screen_name,impressions,taps,taps_in_reported_periods,unique_wallets,cash_fen,cash_yuan,coupons,tap_through_rate',
    );
    expect(lines[1]).toBe(
      `${String(reporting.screenId)},"'=HYPERLINK(""http://evil.example"",""Lift"")",2,14,1,1,28,0.28,0,50%`,
    );
    expect(lines[2]).toBe(`${String(silent.screenId)},Lift Hangzhou,,5,0,1,10,0.10,0,`);
  });

  it('refuses a report past its row limit with REPORT_TOO_LARGE rather than cutting it short', async () => {
    const scope = { kind: 'advertiser', advertiserId: world.advertiser.advertiserId } as const;
    const byScreen = { by: 'screen', from: DAY_MIN, to: DAY_MAX, timezone: TIMEZONE } as const;
    const both = await campaignReport(cloud.deps.db, scope, byScreen, 2);
    expect(both.items).toHaveLength(2);
    await expect(campaignReport(cloud.deps.db, scope, byScreen, 1)).rejects.toMatchObject({
      code: ErrorCode.REPORT_TOO_LARGE,
    });
  });
});
