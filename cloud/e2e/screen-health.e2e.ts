// The screens page's fleet health over seeded heartbeats: a screen silent for 2 min 40 s (past
// 2.5 heartbeat intervals) is offline although it was seen under 3 min ago, one that just reported is
// online with its age in seconds and the backlog its kiosk reported, a screen silent for 10 min raises
// the offline alert, and no status badge is cut short.
import { expect, test } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { signIn } from './support/console-pages.ts';
import { loginToken, seedScreen } from './support/seed.ts';

let env: ConsoleCloud;
const ids = { fresh: 0, quiet: 0, gone: 0 };

test.describe.serial('screen health', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    const operator = await loginToken(env.url, OPERATOR);
    const db = env.cloud.database.db;
    const seed = async (name: string, ageS: number, backlog: number): Promise<number> => {
      const id = await seedScreen(env.url, operator, {
        name,
        city: '上海',
        building: '国金中心',
        elevator: 'E1',
      });
      await db.execute(sql`update screens set status = 'active' where id = ${id}`);
      await db.execute(
        sql`insert into screen_health (screen_id, last_seen_at, app_version, tap_counter, backlog, clock_skew_s, decks)
            values (${id}, now() - make_interval(secs => ${ageS}), '1.0.0', 10, ${backlog}, 0, '[]'::jsonb)`,
      );
      return id;
    };
    ids.fresh = await seed('刚上报 1 号梯', 12, 7);
    ids.quiet = await seed('断网 2 号梯', 160, 0);
    ids.gone = await seed('失联 3 号梯', 600, 3);
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('derives online from the last-seen age, shows the kiosk backlog and alerts on long silence', async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/operator/screens');
    const fresh = page.getByTestId(`screen-row-${String(ids.fresh)}`);
    const quiet = page.getByTestId(`screen-row-${String(ids.quiet)}`);
    const gone = page.getByTestId(`screen-row-${String(ids.gone)}`);
    await expect(fresh.getByText('在线', { exact: true })).toBeVisible();
    await expect(page.getByTestId(`last-seen-${String(ids.fresh)}`)).toContainText('秒');
    await expect(page.getByTestId(`backlog-${String(ids.fresh)}`)).toHaveText('7');
    // Seen 2 min 40 s ago: past 2.5 heartbeat intervals, so offline, and its backlog is only a floor.
    await expect(quiet.getByText('离线', { exact: true })).toBeVisible();
    await expect(page.getByTestId(`backlog-${String(ids.quiet)}`)).toHaveText('≥ 0');
    await expect(gone.getByText('离线', { exact: true })).toBeVisible();
    await expect(page.getByTestId('stat-在线')).toHaveText('1');
    await expect(page.getByTestId('stat-离线')).toHaveText('2');
    const alert = page.getByTestId('offline-alert');
    await expect(alert).toContainText('离线屏幕：1 台');
    await expect(alert).toContainText('失联 3 号梯');
    await expect(alert).not.toContainText('断网 2 号梯');

    // Every badge in the table shows its whole label, in a narrow window too.
    for (const width of [1440, 1024, 800]) {
      await page.setViewportSize({ width, height: 900 });
      // The e2e tsconfig has no DOM types: the check reads plain numbers from each label.
      const labels = page.locator('table .mantine-Badge-label');
      const cut: string[] = [];
      for (const label of await labels.all()) {
        const widths = await label.evaluate(
          (node: { scrollWidth: number; clientWidth: number }) =>
            [node.scrollWidth, node.clientWidth] as const,
        );
        if (widths[0] > widths[1] + 1) cut.push(await label.innerText());
      }
      expect(cut, `cut badges at ${String(width)} px`).toEqual([]);
    }
    await page.context().close();
  });
});
