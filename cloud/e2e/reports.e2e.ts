// The reports page as an operator sees it, over seeded data where taps outnumber the plays screens
// have reported: the rate divides only taps from reported hours (50 %, not 700 %), a screen that never
// reported shows — for impressions and rate, days carry their time zone, screens their names, and the
// CSV has the zone in its header, percentages, and no formula a spreadsheet would run.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { generateKeyPair, toHex } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { localDay } from '../src/local-day.ts';
import { callApi, OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

const TIMEZONE = 'Asia/Shanghai';
const HOUR_S = 3_600;
const FORMULA_NAME = '=1+1 大堂';

let env: ConsoleCloud;
let reportingId = 0;
let silentId = 0;

test.describe.serial('reports', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    const operator = await loginToken(env.url, OPERATOR);
    const brandId = await seedAdvertiser(env.url, operator, {
      name: 'Report brand',
      email: 'reports@brand.test',
      password: 'report-brand-pass-1',
    });
    const screen = (name: string, city: string) =>
      seedScreen(env.url, operator, { name, city, building: 'Tower', elevator: 'E1' });
    reportingId = await screen(FORMULA_NAME, '上海');
    silentId = await screen('西湖 2 号梯', '杭州');
    const nowS = Math.floor(Date.now() / 1000);
    const campaign = await seedCampaign(env.url, operator, {
      advertiserId: brandId,
      name: 'Report campaign',
      sponsor: 'Brand',
      startsAt: nowS - 86_400,
      endsAt: nowS + 86_400,
    });
    const wallet = await callApi<{ walletId: number }>(env.url, '/v1/wallets', {
      body: { publicKey: toHex(generateKeyPair().publicKeyRaw) },
      status: 201,
    });
    // Today, 11:00–12:00 in Shanghai is reported (2 plays, 1 tap); 13 taps after 12:00 are not yet, and
    // the Hangzhou screen never reports (5 taps).
    const noonS = Math.floor(Date.now() / 86_400_000) * 86_400 + 4 * HOUR_S;
    const db = env.cloud.database.db;
    await db.execute(
      sql`insert into play_reports (screen_id, period_start, period_end) values (${reportingId}, ${noonS - HOUR_S}, ${noonS})`,
    );
    await db.execute(
      sql`insert into play_stats (screen_id, campaign_id, day, creative_sha256, plays, duration_ms)
          values (${reportingId}, ${campaign.id}, ${localDay(noonS - HOUR_S, TIMEZONE)}::date, ${'a'.repeat(64)}, 2, 20000)`,
    );
    const taps = [
      { screenId: reportingId, city: '上海', ts: noonS - 600 },
      ...Array.from({ length: 13 }, (_, i) => ({ screenId: reportingId, city: '上海', ts: noonS + 60 * i })),
      ...Array.from({ length: 5 }, (_, i) => ({ screenId: silentId, city: '杭州', ts: noonS + 30 * i })),
    ];
    for (const [i, tap] of taps.entries())
      await db.execute(
        sql`insert into redemptions (screen_id, counter, token_hash, wallet_id, campaign_id, advertiser_id,
              amount_fen, status, tap_ts, tap_day, city, source, received_at)
            values (${tap.screenId}, ${i + 1}, ${`hash${String(i)}`}, ${wallet.walletId}, ${campaign.id}, ${brandId},
              2, 'credited', ${tap.ts}, ${localDay(tap.ts, TIMEZONE)}::date, ${tap.city}, 'mqtt', now())`,
      );
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('shows a true rate, — where plays are unknown, the time zone and screen names; the CSV matches', async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/reports');
    await expect(page.getByTestId('kpi-拍拍次数')).toHaveText('19');
    await expect(page.getByTestId('kpi-曝光')).toHaveText('2');
    await expect(page.getByTestId('kpi-拍拍率')).toHaveText('50%');
    await expect(page.getByTestId('report-zone-note')).toContainText('Asia/Shanghai');
    await expect(page.getByRole('columnheader', { name: '日期（Asia/Shanghai）' })).toBeVisible();

    const byDay = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 CSV' }).click();
    // UTF-8 with a byte order mark, for Excel.
    const dayText = readFileSync(await (await byDay).path(), 'utf8');
    expect(dayText.startsWith('\uFEFF')).toBe(true);
    const dayCsv = dayText.slice(1).split('\n');
    expect(dayCsv[0]).toBe(
      'day (Asia/Shanghai),impressions,taps,taps_in_reported_periods,unique_wallets,cash_fen,cash_yuan,coupons,tap_through_rate',
    );
    expect(dayCsv[1]).toMatch(/^\d{4}-\d{2}-\d{2},2,19,1,1,38,0\.38,0,50%$/);

    await page.getByRole('tab', { name: '按屏幕' }).click();
    const reporting = page.getByTestId(`report-row-${String(reportingId)}`);
    await expect(reporting).toContainText(FORMULA_NAME);
    await expect(reporting.getByTestId('report-ctr')).toHaveText('50%');
    const silent = page.getByTestId(`report-row-${String(silentId)}`);
    await expect(silent).toContainText('西湖 2 号梯');
    await expect(silent.getByTestId('report-ctr')).toHaveText('—');
    await expect(silent.locator('td').nth(1)).toHaveText('—');

    const byScreen = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 CSV' }).click();
    const screenCsv = readFileSync(await (await byScreen).path(), 'utf8')
      .slice(1)
      .split('\n');
    expect(screenCsv[0]).toMatch(/^screen_id,screen_name,impressions,/);
    expect(screenCsv).toContain(`${String(reportingId)},"'${FORMULA_NAME}",2,14,1,1,28,0.28,0,50%`);
    expect(screenCsv).toContain(`${String(silentId)},西湖 2 号梯,,5,0,1,10,0.10,0,`);
    await page.context().close();
  });
});
