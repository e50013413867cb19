// The shared case table (one case per rule, @redtap/shared/rules) through real settlement on PGlite
// and PostgreSQL: each case's knowledge becomes rows (campaign, offers, deck and escrow, the wallet's
// day counters and last tap, the screen's counters, the pool's fallback stock), its taps go through
// redeemGroup (load → judge → apply), and the transaction is rolled back, so every case starts alike.
// Cases whose knowledge only a kiosk can lack are the kiosk's.
import { refreshScreenCampaigns, screenIdsIn } from '../src/services/campaign-screens.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  CASE_NOW_S,
  caseKnowledge,
  caseRules,
  caseTap,
  caseWorld,
  cityKey,
  ruleCases,
  type RuleCase,
  type TapKnowledge,
} from '@redtap/shared';
import type { Database, DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { createLedgerAccount, systemLedgerAccount } from '../src/ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../src/ledger/post-transfers.ts';
import { redeemGroup, type SettledResult } from '../src/redemption/redeem-group.ts';
import { caseRecordable } from './case-tokens.ts';
import { openTestDatabase, testEngines } from './databases.ts';

const engines = await testEngines();
const json = (value: unknown) => JSON.stringify(value);
/** Another campaign of the case's advertiser, and one of another advertiser, for counts beyond its own. */
const SIBLING_CAMPAIGN = 8;
const OTHER_CAMPAIGN = 9;
const OTHER_ADVERTISER = 4;
const ESCROW_FEN = 10_000;

class RolledBack extends Error {
  readonly results: SettledResult[];
  readonly coupons: number;
  constructor(results: SettledResult[], coupons: number) {
    super('rolled back');
    this.results = results;
    this.coupons = coupons;
  }
}

function cloudKnows(knowledge: TapKnowledge): boolean {
  return (
    knowledge.walletDay?.complete === true &&
    knowledge.walletDay.cashScreensUnlisted === 0 &&
    knowledge.travel !== null &&
    knowledge.screen !== null &&
    knowledge.credentialIssuedAt !== null
  );
}

/** The case's knowledge as rows; returns the wallet's cash account. */
async function seed(tx: Database, knowledge: TapKnowledge): Promise<number> {
  const funding = await systemLedgerAccount(tx, 'external_funding');
  const fund = async (accountId: number, amountFen: number) => {
    const [id = 0] = await allocateTransferIds(tx, 1);
    const [result] = await postTransfers(tx, [
      { id, debitAccountId: funding, creditAccountId: accountId, amountFen, code: 'fund' },
    ]);
    expect(result?.status).toBe('posted');
  };
  const walletAccount = await createLedgerAccount(tx, 'wallet_cash', caseWorld.walletId);
  for (const advertiserId of [caseWorld.advertiserId, OTHER_ADVERTISER]) {
    const account = await createLedgerAccount(tx, 'advertiser', advertiserId);
    await tx.execute(
      sql`insert into advertisers (id, name, ledger_account_id) overriding system value
          values (${advertiserId}, ${`Brand ${advertiserId}`}, ${account})`,
    );
  }
  await tx.execute(
    sql`insert into screens (id, name, city, building, elevator, timezone, status) overriding system value
        values (${caseWorld.screenId}, 'Case lift', ${caseWorld.city}, 'Tower', 'E1', ${caseRules.capTimezone}, 'active')`,
  );
  const { campaign, deck } = knowledge;
  const insertCampaign = async (
    id: number,
    advertiserId: number,
    facts: { status: string; startsAt: number; endsAt: number; rules: object; targets: boolean },
  ) => {
    const budget = await createLedgerAccount(tx, 'campaign_budget', id);
    await tx.execute(
      sql`insert into campaigns (id, advertiser_id, name, sponsor, status, starts_at, ends_at, dayparts, targeting,
            budget_fen, prize_plan, rules, creatives, budget_account_id, pool_built_at) overriding system value
          values (${id}, ${advertiserId}, 'Case', 'Tea Co', ${facts.status}, ${facts.startsAt}, ${facts.endsAt}, '[]',
            ${json({ cities: facts.targets ? [] : ['Beijing'], buildings: [], screenGroupIds: [] })}::jsonb, 1000,
            ${json({ kind: 'tiers', tiers: [{ amountFen: 1, count: 1000 }] })}::jsonb, ${json(facts.rules)}::jsonb,
            '[]', ${budget}, now())`,
    );
  };
  const siblingFacts = {
    status: 'active',
    startsAt: CASE_NOW_S - 86_400,
    endsAt: CASE_NOW_S + 86_400,
    rules: { cashPerWalletPerDay: 100, couponsPerWalletPerDay: 100, fallbackCouponOfferId: 0 },
    targets: true,
  };
  await insertCampaign(SIBLING_CAMPAIGN, caseWorld.advertiserId, siblingFacts);
  await insertCampaign(OTHER_CAMPAIGN, OTHER_ADVERTISER, siblingFacts);
  if (campaign !== null) {
    await insertCampaign(campaign.campaignId, campaign.advertiserId, {
      status: campaign.status,
      startsAt: campaign.startsAt,
      endsAt: campaign.endsAt,
      rules: {
        cashPerWalletPerDay: campaign.cashPerWalletPerDay,
        couponsPerWalletPerDay: campaign.couponsPerWalletPerDay,
        fallbackCouponOfferId: campaign.fallbackCouponOfferId,
        ...(campaign.claimPaths === undefined ? {} : { claimPaths: campaign.claimPaths }),
      },
      targets: knowledge.targetsScreen !== false,
    });
    for (const [offerId, offer] of campaign.offers) {
      await tx.execute(
        sql`insert into coupon_offers (id, campaign_id, title, value_fen, stock, valid_until, validity_days, terms)
            overriding system value
            values (${offerId}, ${campaign.campaignId}, 'Offer', 500, 10, ${offer.validUntil}, 7, 'none')`,
      );
    }
    const stock = Array.from({ length: knowledge.fallbackPool?.available ?? 0 }, () => ({
      c: campaign.fallbackCouponOfferId,
    }));
    if (stock.length > 0)
      await tx.execute(
        sql`insert into campaign_envelopes (campaign_id, amount_fen, coupon_offer_id)
            select ${campaign.campaignId}, 0, c from jsonb_to_recordset(${json(stock)}::jsonb) as t(c int)`,
      );
  }
  // The campaigns' targeted screens, resolved as the cloud resolves them after any change.
  await refreshScreenCampaigns(tx, screenIdsIn([caseWorld.screenId]));
  if (deck !== null) {
    const escrow = await createLedgerAccount(tx, 'deck_escrow', deck.deckId);
    await fund(escrow, ESCROW_FEN);
    const envelopes = Array.from({ length: deck.envelopeCount }, (_, index) => deck.envelope(index));
    await tx.execute(
      sql`insert into decks (id, campaign_id, screen_id, valid_from, valid_until, envelopes, fallback_count,
            escrow_account_id, reserved_fen, issuer_key_id, signed, status, closed_used_count, last_counter,
            last_envelope_index)
          values (${deck.deckId}, ${deck.campaignId}, ${deck.screenId}, ${deck.validFrom}, ${deck.validUntil},
            ${json(envelopes)}::jsonb, ${deck.fallbackCount}, ${escrow}, ${ESCROW_FEN}, 1, '00', ${deck.status},
            ${deck.closedUsedCount}, ${deck.lastCounter}, ${deck.lastEnvelopeIndex})`,
    );
  }
  // The day's counts, split over the case's campaign, a sibling of its advertiser and another brand's.
  const day = knowledge.walletDay;
  if (day !== null) {
    const own = campaign?.campaignId ?? caseWorld.campaignId;
    const ownCash = day.cashByCampaign.get(own) ?? 0;
    const advertiserCash = day.cashByAdvertiser.get(caseWorld.advertiserId) ?? 0;
    const siblingCash = Math.max(0, advertiserCash - ownCash);
    const otherCash = Math.max(0, day.cashCount - ownCash - siblingCash);
    const rows = [
      {
        c: own,
        a: caseWorld.advertiserId,
        n: ownCash,
        f: day.cashFen,
        k: day.couponsByCampaign.get(own) ?? 0,
      },
      { c: SIBLING_CAMPAIGN, a: caseWorld.advertiserId, n: siblingCash, f: 0, k: 0 },
      { c: OTHER_CAMPAIGN, a: OTHER_ADVERTISER, n: otherCash, f: 0, k: 0 },
    ];
    await tx.execute(
      sql`insert into wallet_day_totals (wallet_id, tap_day, campaign_id, advertiser_id, cash_count, cash_fen, coupon_count)
          select ${caseWorld.walletId}, ${'2026-12-01'}::date, c, a, n, f, k
          from jsonb_to_recordset(${json(rows)}::jsonb) as t(c bigint, a bigint, n int, f bigint, k int)`,
    );
    const screens = [...day.cashScreens].map((s) => ({ s }));
    if (screens.length > 0)
      await tx.execute(
        sql`insert into wallet_day_screens (wallet_id, tap_day, screen_id, cash_count)
            select ${caseWorld.walletId}, ${'2026-12-01'}::date, s, 1
            from jsonb_to_recordset(${json(screens)}::jsonb) as t(s bigint)`,
      );
  }
  const last = knowledge.travel?.lastTap ?? null;
  if (last !== null) {
    const city = [caseWorld.city, caseWorld.otherCity, ' shanghai '].find(
      (name) => cityKey(name) === last.cityKey,
    );
    await tx.execute(
      sql`insert into wallet_tap_state (wallet_id, last_ts, last_city, last_screen_id)
          values (${caseWorld.walletId}, ${last.ts}, ${city ?? 'elsewhere'}, ${last.screenId})`,
    );
  }
  const screen = knowledge.screen;
  if (screen !== null)
    await tx.execute(
      sql`insert into screen_tap_state (screen_id, counter_max, ts_at_counter_max, window_counter, window_ts)
          values (${caseWorld.screenId}, ${screen.counterMax}, ${screen.tsAtCounterMax}, ${screen.windowCounter},
            ${screen.windowTs})`,
    );
  return walletAccount;
}

async function settleCase(
  db: Database,
  ruleCase: RuleCase,
): Promise<{ result: SettledResult; coupons: number }> {
  const knowledge = caseKnowledge(ruleCase);
  const tap = caseTap(ruleCase);
  const taps = [...(ruleCase.earlier?.(tap) ?? []), tap];
  try {
    await db.transaction(async (tx) => {
      const walletAccount = await seed(tx, knowledge);
      const items = taps.map((entry) =>
        caseRecordable(entry, {
          walletAccountId: walletAccount,
          credentialIssuedAtS: knowledge.credentialIssuedAt,
        }),
      );
      const results = await redeemGroup(tx, items, caseRules, new Date(CASE_NOW_S * 1000));
      const [coupons] = await queryRows<{ n: unknown }>(
        tx,
        sql`select count(*) as n from coupons where screen_id = ${tap.screenId} and counter = ${tap.counter}`,
      );
      throw new RolledBack(results, int(coupons?.n ?? 0));
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
    const result = error.results.at(-1);
    if (result === undefined) throw new Error('no result', { cause: error });
    return { result, coupons: error.coupons };
  }
  throw new Error('the case transaction was not rolled back');
}

describe.each(engines)('the case table through settlement on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (available) handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  // Cases of partial knowledge are the kiosk's: the cloud always knows the whole wallet day.
  for (const ruleCase of ruleCases.filter((candidate) => cloudKnows(caseKnowledge(candidate)))) {
    it.skipIf(!available)(`${ruleCase.rule}: ${ruleCase.name}`, async () => {
      const { result, coupons } = await settleCase(handle.db, ruleCase);
      const expected = ruleCase.expected;
      expect(result.status).toBe(expected.status);
      if (expected.status !== 'credited') expect(result.code).toBe(expected.code);
      if (expected.amountFen !== undefined && expected.status !== 'rejected')
        expect(result.amountFen).toBe(expected.amountFen);
      if (expected.couponOfferId !== undefined) {
        expect(result.couponCode !== undefined).toBe(expected.couponOfferId !== 0);
        expect(coupons).toBe(expected.couponOfferId !== 0 ? 1 : 0);
      }
    });
  }
});
