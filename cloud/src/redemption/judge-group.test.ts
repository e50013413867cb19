// The shared case table (one case per rule, @redtap/shared/rules) through the cloud's judging of a
// group: a snapshot as the loader builds it from the case's knowledge, every token in (screen, counter)
// order, the results and effects as the applier would write them. Cases whose knowledge only a kiosk
// can lack (a lower bound of the day, no wallet or screen state) are the kiosk's, not the cloud's.
import { describe, expect, it } from 'vitest';
import {
  capDay,
  caseKnowledge,
  caseRules,
  caseTap,
  caseWorld,
  ruleCases,
  type TapFacts,
  type TapKnowledge,
} from '@redtap/shared';
import { caseRecordable } from '../../test/case-tokens.ts';
import { judgeGroup } from './judge-group.ts';
import type { RedemptionSnapshot } from './snapshot.ts';

const ESCROW_ACCOUNT = 500;
const BUDGET_ACCOUNT = 600;
const WALLET_ACCOUNT = 700;

function snapshotOf(knowledge: TapKnowledge, taps: TapFacts[]): RedemptionSnapshot {
  const snapshot: RedemptionSnapshot = {
    days: taps.map((tap) => capDay(tap.ts, caseRules)),
    existing: new Map(),
    decks: new Map(),
    campaigns: new Map(),
    walletDays: new Map(),
    wallets: new Map(),
    screens: new Map(),
    fallbackStock: new Map(),
    fallbackTargets: new Set(),
  };
  const { deck, campaign } = knowledge;
  if (deck !== null)
    snapshot.decks.set(deck.deckId, {
      facts: deck,
      escrowAccountId: ESCROW_ACCOUNT,
      loadedLastCounter: deck.lastCounter,
    });
  if (campaign !== null) {
    snapshot.campaigns.set(campaign.campaignId, {
      facts: campaign,
      budgetAccountId: BUDGET_ACCOUNT,
      validityDays: new Map([...campaign.offers.keys()].map((offerId) => [offerId, 7])),
    });
    if (knowledge.targetsScreen === true)
      snapshot.fallbackTargets.add(`${campaign.campaignId}:${caseWorld.screenId}`);
    const available = knowledge.fallbackPool?.available ?? 0;
    snapshot.fallbackStock.set(`${campaign.campaignId}:${campaign.fallbackCouponOfferId}`, {
      pool: { available },
      positions: Array.from({ length: available }, (_, index) => index + 1),
    });
  }
  for (const tap of taps) {
    if (knowledge.walletDay !== null)
      snapshot.walletDays.set(`${tap.walletId}|${capDay(tap.ts, caseRules)}`, knowledge.walletDay);
    if (knowledge.travel !== null)
      snapshot.wallets.set(tap.walletId, { travel: knowledge.travel, lastCity: '' });
  }
  if (knowledge.screen !== null) snapshot.screens.set(caseWorld.screenId, knowledge.screen);
  return snapshot;
}

/** Knowledge the cloud always has: complete day counts, the wallet's and the screen's state. */
function cloudKnows(knowledge: TapKnowledge): boolean {
  return (
    knowledge.walletDay?.complete === true &&
    knowledge.travel !== null &&
    knowledge.screen !== null &&
    knowledge.credentialIssuedAt !== null
  );
}

describe('the case table through the cloud’s judging of a group', () => {
  // Cases of partial knowledge are the kiosk's: the cloud always knows the whole wallet day.
  for (const ruleCase of ruleCases.filter((candidate) => cloudKnows(caseKnowledge(candidate)))) {
    const knowledge = caseKnowledge(ruleCase);
    it(`${ruleCase.rule}: ${ruleCase.name}`, () => {
      const tap = caseTap(ruleCase);
      const taps = [...(ruleCase.earlier?.(tap) ?? []), tap];
      const items = taps.map((entry) =>
        caseRecordable(entry, { walletAccountId: WALLET_ACCOUNT, credentialIssuedAtS: null }),
      );
      // The credential's issue time reaches the cloud with the token.
      for (const item of items) item.credentialIssuedAtS = knowledge.credentialIssuedAt;
      const { results, effects } = judgeGroup(items, snapshotOf(knowledge, taps), caseRules);
      const result = results.at(-1);
      const expected = ruleCase.expected;
      expect(result?.status).toBe(expected.status);
      if (expected.status !== 'credited') expect(result?.code).toBe(expected.code);
      if (expected.amountFen !== undefined && expected.status !== 'rejected')
        expect(result?.amountFen).toBe(expected.amountFen);
      if (expected.couponOfferId !== undefined)
        expect(result?.couponCode !== undefined).toBe(expected.couponOfferId !== 0);

      const row = effects.rows.at(-1);
      expect(row).toMatchObject({ counter: tap.counter, status: expected.status });
      if (expected.consumed !== undefined) expect(row?.deck_id !== null).toBe(expected.consumed);
      // A consumed cash envelope leaves escrow whatever the result; a rejected one goes back.
      const move = effects.moves.find((entry) => entry.reference === `tap:${tap.screenId}:${tap.counter}`);
      if (row?.deck_id != null && tap.amountFen > 0) {
        const credit = { credited: WALLET_ACCOUNT, held: 'review_hold', rejected: BUDGET_ACCOUNT }[
          expected.status ?? 'credited'
        ];
        expect(move).toMatchObject({ debitAccountId: ESCROW_ACCOUNT, creditAccountId: credit });
      } else expect(move).toBeUndefined();
      if (expected.status === 'rejected' && expected.consumed === true)
        expect(effects.returned.at(-1)).toMatchObject({ amountFen: tap.amountFen });
      if (expected.poolCoupon === true) expect(effects.stockTaken).toHaveLength(1);
    });
  }
});
