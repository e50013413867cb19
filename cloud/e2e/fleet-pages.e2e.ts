// The operator's fleet pages over a network of more than one page of screens (275): the counts and the
// long-offline alert cover every screen, not the first 100; the list loads more until its last row; its
// filters live in the URL, so a reload keeps them; a long name is cut in its cell with the whole name in
// its title; a screen's page shows its place, presence and taps, and moves it; a group is renamed, and
// deleted only once no campaign that has not ended targets it.
import { expect, test, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { createScreen } from '../src/services/screens.ts';
import { OPERATOR, callApi, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { docScreenshot, signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign } from './support/seed.ts';

let env: ConsoleCloud;
let operator: string;
const FLEET = { online: 150, longOffline: 115, pending: 10 };
const FLEET_SIZE = FLEET.online + FLEET.longOffline + FLEET.pending;
const LONG_NAME = `上海环球金融中心 B 座 ${'东侧观光电梯厅'.repeat(8)} 末尾`;
const ids = { long: 0, first: 0 };

test.describe.serial('fleet pages', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    operator = await loginToken(env.url, OPERATOR);
    const db = env.cloud.database.db;
    // Through the service layer, one call per screen, then marked active with a heartbeat in one go.
    const seed = async (count: number, prefix: string, city: string) => {
      const made: number[] = [];
      for (let i = 0; i < count; i++)
        made.push(
          (
            await createScreen(db, {
              name: `${prefix} ${String(i).padStart(3, '0')}`,
              city,
              building: `${city}中心`,
              elevator: `E${i}`,
              timezone: 'Asia/Shanghai',
            })
          ).id,
        );
      return made;
    };
    const online = await seed(FLEET.online, '在线屏', '上海');
    const gone = await seed(FLEET.longOffline - 1, '失联屏', '北京');
    ids.long = (
      await createScreen(db, {
        name: LONG_NAME,
        city: '北京',
        building: '国贸',
        elevator: 'E1',
        timezone: 'Asia/Shanghai',
      })
    ).id;
    gone.push(ids.long);
    await seed(FLEET.pending, '待装屏', '深圳');
    ids.first = online[0] ?? 0;
    const heartbeat = async (screenIds: number[], ageS: number) => {
      await db.execute(
        sql`update screens set status = 'active' where id in (select jsonb_array_elements_text(${JSON.stringify(screenIds)}::jsonb)::bigint)`,
      );
      await db.execute(
        sql`insert into screen_health (screen_id, last_seen_at, app_version, tap_counter, backlog, clock_skew_s, decks)
            select id::bigint, now() - make_interval(secs => ${ageS}), '1.0.0', 10, 0, 0, '[]'::jsonb
            from jsonb_array_elements_text(${JSON.stringify(screenIds)}::jsonb) as id`,
      );
    };
    await heartbeat(online, 5);
    await heartbeat(gone, 1200);
  });

  test.afterAll(async () => {
    await env.stop();
  });

  /** Clicks "load more" on a settled list, a page at a time, until all `rows` rows are shown. */
  async function loadToEnd(page: Page, rows: number) {
    const shown = page.locator('[data-testid^="screen-row-"]');
    for (let loaded = 100; loaded < rows; loaded += 100) {
      await expect(shown).toHaveCount(loaded);
      await page.getByRole('button', { name: '加载更多' }).click();
    }
    await expect(shown).toHaveCount(rows);
    await expect(page.getByTestId('list-end')).toBeVisible();
  }

  test('counts every screen and pages the list to its last row', async ({ browser }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/operator/screens');
    await expect(page.getByTestId('stat-屏幕总数')).toHaveText(String(FLEET_SIZE));
    await expect(page.getByTestId('stat-在线')).toHaveText(String(FLEET.online));
    await expect(page.getByTestId('stat-离线')).toHaveText(String(FLEET.longOffline));
    await expect(page.getByTestId('stat-待激活')).toHaveText(String(FLEET.pending));
    await expect(page.getByTestId('offline-alert')).toContainText(`离线屏幕：${FLEET.longOffline} 台`);
    await expect(page.getByTestId('offline-alert')).toContainText(`等另外 ${FLEET.longOffline - 10} 台`);

    await expect(page.getByTestId('list-shown')).toHaveText(`已显示 100 / ${FLEET_SIZE} 条`);
    await loadToEnd(page, FLEET_SIZE);
    await expect(page.getByTestId('list-shown')).toHaveText(`已显示 ${FLEET_SIZE} / ${FLEET_SIZE} 条`);
    await page.context().close();
  });

  test('keeps its filters in the URL across a reload', async ({ browser }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/operator/screens');
    await page.getByTestId('offline-alert').getByRole('button', { name: '查看这些屏幕' }).click();
    await expect(page).toHaveURL(/connection=long-offline/);
    // A filtered list has no total to show: its foot says only how many rows are loaded.
    await expect(page.getByTestId('list-shown')).toHaveText('已显示 100 条');
    await loadToEnd(page, FLEET.longOffline);

    await page.reload();
    await expect(page.getByTestId('list-shown')).toHaveText('已显示 100 条');
    await loadToEnd(page, FLEET.longOffline);

    await page.getByLabel('搜索').fill('失联屏 01');
    await expect(page).toHaveURL(/q=/);
    await expect(page.locator('[data-testid^="screen-row-"]')).toHaveCount(10);
    await page.reload();
    await expect(page.getByLabel('搜索')).toHaveValue('失联屏 01');
    await expect(page.locator('[data-testid^="screen-row-"]')).toHaveCount(10);
    await expect(page.getByTestId('list-end')).toBeVisible();
    await page.context().close();
  });

  test('cuts a long name in its cell and keeps the whole name in its title', async ({ browser }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto(`/operator/screens?q=${encodeURIComponent('末尾')}`);
    const name = page.getByTestId(`screen-name-${String(ids.long)}`);
    await expect(name).toHaveAttribute('title', LONG_NAME);
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      // The e2e tsconfig has no DOM types: the check reads plain numbers from the nodes.
      const cut = await name.evaluate(
        (node: { scrollWidth: number; clientWidth: number }) => node.scrollWidth > node.clientWidth,
      );
      expect(cut, `name cut at ${String(width)} px`).toBe(true);
      const row = await page
        .getByTestId(`screen-row-${String(ids.long)}`)
        .evaluate(
          (node: { getBoundingClientRect(): { height: number } }) => node.getBoundingClientRect().height,
        );
      expect(row, `one-line row at ${String(width)} px`).toBeLessThan(200);
    }
    await page.context().close();
  });

  test("shows a screen's page and moves the screen", async ({ browser }) => {
    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/operator/screens');
    await page.getByTestId(`screen-name-${String(ids.first)}`).click();
    await expect(page).toHaveURL(new RegExp(`/operator/screens/${String(ids.first)}$`));
    await expect(page.getByTestId('screen-title')).toHaveText('在线屏 000');
    await expect(page.getByTestId('screen-location')).toContainText('上海');
    await expect(page.getByTestId('now-playing')).toContainText('正在播放');
    await expect(page.getByTestId('presence-history')).toContainText('消息服务器尚未报告此屏幕的连接');
    await expect(page.getByText('还没有碰一碰。')).toBeVisible();
    await docScreenshot(page, 'screen-detail');

    await page.getByRole('button', { name: '改名或迁移' }).click();
    const form = page.getByRole('form', { name: '改名或迁移' });
    await form.getByLabel('名称').fill('杭州西湖 1 号梯');
    await form.getByLabel('城市').fill('杭州');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(page.getByTestId('screen-title')).toHaveText('杭州西湖 1 号梯');
    await expect(page.getByTestId('screen-location')).toContainText('杭州');

    await page.goto('/operator/screens');
    await expect(page.getByTestId('city-counts')).toContainText('杭州 · 1');
    await page.context().close();
  });

  test('renames a group and deletes it once no live campaign targets it', async ({ browser }) => {
    const group = await callApi<{ id: number }>(env.url, '/v1/screen-groups', {
      token: operator,
      body: { name: '试点楼宇' },
      status: 201,
    });
    const brandId = await seedAdvertiser(env.url, operator, {
      name: '茶饮品牌',
      email: 'brand-fleet@redtap.test',
      password: 'brand-password-1',
    });
    const nowS = Math.floor(Date.now() / 1000);
    const campaign = await seedCampaign(env.url, operator, {
      advertiserId: brandId,
      name: '试点活动',
      sponsor: '茶饮品牌',
      startsAt: nowS + 3600,
      endsAt: nowS + 30 * 86_400,
      targeting: { cities: [], buildings: [], screenGroupIds: [group.id] },
    });

    const page = await signIn(browser, env.url, OPERATOR);
    await page.goto('/operator/groups');
    const row = page.getByTestId(`group-row-${String(group.id)}`);
    await row.getByRole('button', { name: '改名' }).click();
    await page.getByRole('dialog').getByLabel('名称').fill('试点楼宇（一期）');
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    await expect(row).toContainText('试点楼宇（一期）');

    // Members are found by a search on the server and added one at a time.
    await row.getByRole('button', { name: '编辑成员' }).click();
    const members = page.getByRole('dialog');
    await members.getByRole('textbox', { name: '添加屏幕' }).fill('在线屏 149');
    await page.getByRole('option', { name: /在线屏 149/ }).click();
    await expect(members.locator('[data-testid^="member-"]')).toHaveCount(1);
    await expect(members.locator('[data-testid^="member-"]')).toContainText('在线屏 149');
    await members.getByRole('button', { name: '关闭' }).click();
    await expect(page.getByTestId(`group-screens-${String(group.id)}`)).toHaveText('1');

    await row.getByRole('button', { name: '删除' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '删除' }).click();
    await expect(page.getByRole('dialog').getByRole('alert')).toHaveAttribute(
      'data-error-code',
      'SCREEN_GROUP_IN_USE',
    );
    await expect(page.getByRole('dialog')).toContainText('有尚未结束的活动投放到此分组');
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

    await env.cloud.database.db.execute(sql`update campaigns set status = 'ended' where id = ${campaign.id}`);
    await row.getByRole('button', { name: '删除' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '删除' }).click();
    await expect(row).toHaveCount(0);
    await page.context().close();
  });
});
