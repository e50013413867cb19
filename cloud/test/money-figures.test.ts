// The money figures the console shows come from the ledger and reconcile with it, on PGlite and
// PostgreSQL: a campaign's funded figure stays what was moved into its budget while the pool is dealt
// into decks, taps spend it and ending returns the rest; an advertiser's statement lists every transfer
// of its account, row by row and page by page, with running balances that end at the ledger's balance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTapBatch } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { settleExpiredDecks } from '../src/services/decks.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, type TestCloud } from './harness.ts';
import {
  buildWorld,
  makeTap,
  nextTransferId,
  oneCreative,
  registerPhone,
  tiersPlan,
  type Kiosk,
  type World,
} from './money-world.ts';

const engines = await testEngines();

interface CampaignMoney {
  fundedFen: number;
  remainingFen: number;
  spentFen: number;
  returnedFen: number;
}

interface StatementLine {
  seq: number;
  transferId: number;
  code: string;
  amountFen: number;
  campaignId: number | null;
  campaignName: string | null;
  fundedByEmail: string | null;
  balanceAfterFen: number;
}

interface StatementPage {
  items: StatementLine[];
  nextBefore: number | null;
  balanceFen: number;
}

async function expectLedgerOk(cloud: TestCloud): Promise<void> {
  const check = await checkLedger(cloud.deps.db);
  expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0 });
}

describe.each(engines)('money figures on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  const budgetFen = 560;

  async function campaignMoney(): Promise<CampaignMoney & { status: string }> {
    const campaign = await json<{ status: string; money: CampaignMoney }>(
      await cloud.request('GET', `/v1/campaigns/${world.campaignId}`, { token: world.advertiser.token }),
    );
    const { fundedFen, remainingFen, spentFen, returnedFen } = campaign.money;
    // What the console shows always adds up.
    expect(remainingFen + spentFen + returnedFen).toBe(fundedFen);
    return { status: campaign.status, ...campaign.money };
  }

  async function transition(name: string): Promise<void> {
    const response = await cloud.request('POST', `/v1/campaigns/${world.campaignId}/transitions`, {
      token: world.advertiser.token,
      body: { transition: name },
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }

  async function statementPage(limit: number, before: number): Promise<StatementPage> {
    const response = await cloud.request(
      'GET',
      `/v1/advertisers/${world.advertiser.advertiserId}/fundings?limit=${limit}&before=${before}`,
      { token: world.operator },
    );
    expect(response.status, await response.clone().text()).toBe(200);
    return json<StatementPage>(response);
  }

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    // The advertiser gets 2 × 560; ¥5.60 goes into the campaign, whose pool is dealt into a deck (whole:
    // it keeps no claim reserve).
    world = await buildWorld(cloud, {
      cities: ['Chengdu'],
      plan: tiersPlan(budgetFen),
      budgetFen,
      claimReservePercent: 0,
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    "shows a running campaign's funded figure as the transfers into its budget, and spent, remaining and returned that reconcile",
    async () => {
      // Active, its whole pool dealt into the screen's deck: the budget account itself holds nothing.
      expect(await campaignMoney()).toEqual({
        status: 'active',
        fundedFen: budgetFen,
        remainingFen: budgetFen,
        spentFen: 0,
        returnedFen: 0,
      });
      await expectLedgerOk(cloud);

      const kiosk = world.kiosks[0] as Kiosk;
      const phone = await registerPhone(cloud);
      const tokens = [makeTap(kiosk, phone, cloud.clock.nowMs), makeTap(kiosk, phone, cloud.clock.nowMs)];
      const from = cloud.broker.acks.length;
      await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
      const ack = await cloud.broker.nextAck(kiosk.screenId, from);
      const paidFen = ack.results
        .filter((result) => result.status === 'credited')
        .reduce((sum, result) => sum + (result.amountFen ?? 0), 0);
      expect(paidFen).toBeGreaterThan(0);
      expect(await campaignMoney()).toMatchObject({
        fundedFen: budgetFen,
        spentFen: paidFen,
        remainingFen: budgetFen - paidFen,
      });
      await expectLedgerOk(cloud);

      await transition('pause');
      expect(await campaignMoney()).toMatchObject({
        status: 'paused',
        fundedFen: budgetFen,
        spentFen: paidFen,
      });
      await expectLedgerOk(cloud);

      // Ending returns the budget at once and the deck's escrow as it settles.
      await transition('end');
      const ended = await campaignMoney();
      expect(ended).toMatchObject({ status: 'ended', fundedFen: budgetFen, spentFen: paidFen });
      expect(ended.returnedFen + ended.remainingFen).toBe(budgetFen - paidFen);
      await expectLedgerOk(cloud);
      // Past the deck's validity and grace its escrow settles back, and all of it is returned.
      // (The service itself: the sessions would have expired by then.)
      await settleExpiredDecks(
        cloud.deps.db,
        cloud.deps.settings.money,
        new Date(cloud.clock.nowMs + 90 * 86_400_000),
      );
      expect(await campaignMoney()).toEqual({
        status: 'ended',
        fundedFen: budgetFen,
        spentFen: paidFen,
        remainingFen: 0,
        returnedFen: budgetFen - paidFen,
      });
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)(
    "lists every transfer of the advertiser's account with a running balance that ends at the ledger's, page by page",
    async () => {
      // More lines than a page: a few more fundings, and a second campaign funded in two steps.
      for (const amountFen of [100, 250, 7])
        expect(
          (
            await cloud.request('POST', `/v1/advertisers/${world.advertiser.advertiserId}/funding`, {
              token: world.operator,
              body: { amountFen, transferId: nextTransferId() },
            })
          ).status,
        ).toBe(200);
      const draft = await json<{ id: number }>(
        await cloud.request('POST', '/v1/campaigns', {
          token: world.advertiser.token,
          body: {
            name: 'Autumn tea',
            sponsor: 'Tea Co',
            startsAt: Math.floor(cloud.clock.nowMs / 1000) + 3600,
            endsAt: Math.floor(cloud.clock.nowMs / 1000) + 7 * 86_400,
            targeting: { cities: ['Chengdu'], buildings: [], screenGroupIds: [] },
            budgetFen: 300,
            prizePlan: tiersPlan(300),
            couponOffers: [],
            rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 0, fallbackCouponOfferIndex: null },
            creatives: await oneCreative(cloud, world.advertiser.token),
          },
        }),
      );
      for (const amountFen of [120, 180])
        expect(
          (
            await cloud.request('POST', `/v1/campaigns/${draft.id}/funding`, {
              token: world.advertiser.token,
              body: { amountFen, transferId: nextTransferId() },
            })
          ).status,
        ).toBe(200);

      const whole = await statementPage(100, 0);
      expect(whole.nextBefore).toBeNull();
      const oldestFirst = [...whole.items].reverse();
      // fund 1120, −560 into the first campaign, its return, +100 +250 +7, −120 −180 into the second.
      expect(oldestFirst.map((line) => line.code)).toEqual([
        'fund_advertiser',
        'fund_campaign',
        'refund_campaign',
        'fund_advertiser',
        'fund_advertiser',
        'fund_advertiser',
        'fund_campaign',
        'fund_campaign',
      ]);
      expect(oldestFirst[1]).toMatchObject({
        amountFen: -budgetFen,
        campaignId: world.campaignId,
        campaignName: 'Spring tea',
      });
      expect(oldestFirst.slice(-2).map((line) => [line.amountFen, line.campaignId])).toEqual([
        [-120, draft.id],
        [-180, draft.id],
      ]);
      expect(oldestFirst[0]?.fundedByEmail).toMatch(/^operator-/);
      // Row by row: each balance is the one before plus the line's amount, from zero.
      let balanceFen = 0;
      for (const [index, line] of oldestFirst.entries()) {
        balanceFen += line.amountFen;
        expect(line, `line ${index + 1}`).toMatchObject({ seq: index + 1, balanceAfterFen: balanceFen });
      }
      const ledger = await json<{ balanceFen: number }>(
        await cloud.request('GET', `/v1/advertisers/${world.advertiser.advertiserId}/balance`, {
          token: world.operator,
        }),
      );
      expect(balanceFen).toBe(ledger.balanceFen);
      expect(whole.balanceFen).toBe(ledger.balanceFen);

      // Paged by three: the same lines, none repeated or cut off, and the last page says so.
      const paged: StatementLine[] = [];
      let before = 0;
      for (let pages = 0; pages < 10; pages++) {
        const page = await statementPage(3, before);
        paged.push(...page.items);
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      expect(paged).toEqual(whole.items);
      // A cursor past every line (or past 2^31) is simply the newest page.
      expect((await statementPage(3, Number.MAX_SAFE_INTEGER - 1)).items).toEqual(whole.items.slice(0, 3));
      await expectLedgerOk(cloud);
    },
  );
});
