// The fall-through choice reaches the screens: a campaign publishes `fallThrough: true` in the screen
// config only when its advertiser chose it, and leaves it out otherwise (as configs from before it), so a
// kiosk lets another campaign pay a tap only with the advertiser's consent (docs/kiosk.md, "Which
// campaign a tap pays").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, type TestCloud } from './harness.ts';
import { buildWorld, createActiveCampaign, tiersPlan, type Kiosk, type World } from './money-world.ts';

const engines = await testEngines();

describe.each(engines)('campaign fall-through on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { money: defaultMoneySettings });
    world = await buildWorld(cloud, { cities: ['Shanghai'], plan: tiersPlan(100), budgetFen: 100 });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('publishes the choice only for the campaign whose advertiser made it', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const chosen = await createActiveCampaign(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(100),
      budgetFen: 100,
      fallThrough: true,
      operator: world.operator,
      advertiser: world.advertiser,
      nowS: Math.floor(cloud.clock.nowMs / 1000),
    });
    const campaigns = cloud.broker.configs.get(kiosk.screenId)?.campaigns ?? [];
    const byId = new Map(campaigns.map((campaign) => [campaign.campaignId, campaign]));
    expect(byId.get(chosen.campaignId)?.fallThrough).toBe(true);
    // Created without the field: off, and not in the config at all.
    expect(byId.has(world.campaignId)).toBe(true);
    expect(byId.get(world.campaignId)).not.toHaveProperty('fallThrough');
    // The campaign itself says what was chosen.
    const response = await cloud.request('GET', `/v1/campaigns/${chosen.campaignId}`, {
      token: world.advertiser.token,
    });
    expect(((await response.json()) as { rules: { fallThrough?: boolean } }).rules.fallThrough).toBe(true);
  });
});
