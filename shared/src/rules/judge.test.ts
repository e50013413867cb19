// The judge on its own: the case table, then properties over random taps and knowledge, no database.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { localDay } from '../time-rules.ts';
import { applyVerdict, judgeTap } from './judge.ts';
import {
  baseKnowledge,
  baseTap,
  CASE_NOW_S,
  caseKnowledge,
  caseRules,
  caseTap,
  caseWorld,
  decklessTap,
  ruleCases,
} from './cases.ts';
import { emptyWalletDay, type TapFacts, type TapKnowledge, type WalletDay } from './knowledge.ts';
import { capDay, cityKey, NetworkRulesSchema } from './network-rules.ts';

describe('the case table', () => {
  it('is dated in the cap zone as it says', () => {
    expect(localDay(CASE_NOW_S, caseRules.capTimezone)).toBe('2026-12-01');
    expect(NetworkRulesSchema.parse(caseRules)).toEqual(caseRules);
  });

  for (const ruleCase of ruleCases) {
    it(`${ruleCase.rule}: ${ruleCase.name}`, () => {
      const knowledge = caseKnowledge(ruleCase);
      const tap = caseTap(ruleCase);
      for (const earlier of ruleCase.earlier?.(tap) ?? []) {
        applyVerdict(knowledge, earlier, judgeTap(earlier, knowledge, caseRules), caseRules);
      }
      expect(judgeTap(tap, knowledge, caseRules)).toMatchObject(ruleCase.expected);
    });
  }

  it('covers every code the judge can give', () => {
    const judged = new Set(ruleCases.map((ruleCase) => ruleCase.rule));
    for (const code of [
      ErrorCode.DECK_UNKNOWN,
      ErrorCode.DECK_WRONG_SCREEN,
      ErrorCode.ENVELOPE_OUT_OF_RANGE,
      ErrorCode.ENVELOPE_MISMATCH,
      ErrorCode.ENVELOPE_REUSED,
      ErrorCode.DECK_EXPIRED,
      ErrorCode.FALLBACK_NOT_ALLOTTED,
      ErrorCode.COUPON_NOT_GRANTED,
      ErrorCode.COUPON_OUT_OF_STOCK,
      ErrorCode.CLOCK_SKEW,
      ErrorCode.TAP_BEFORE_CAMPAIGN,
      ErrorCode.TAP_BEFORE_CREDENTIAL,
      ErrorCode.TAP_TOO_OLD,
      ErrorCode.CAP_WALLET_DAILY_COUNT,
      ErrorCode.CAP_WALLET_DAILY_AMOUNT,
      ErrorCode.CAP_CAMPAIGN_WALLET,
      ErrorCode.CAP_ADVERTISER_WALLET,
      ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL,
      ErrorCode.FRAUD_TOO_MANY_SCREENS,
      ErrorCode.FRAUD_COUNTER_GAP,
      ErrorCode.FRAUD_TAP_RATE,
      ErrorCode.FRAUD_ENVELOPE_ORDER,
    ])
      expect(judged.has(code), code).toBe(true);
  });
});

describe('screens a day state names only by number', () => {
  it('this screen among 40 may pay again, a 41st may not', () => {
    const knowledge = baseKnowledge();
    const day = emptyWalletDay();
    day.cashCount = 3;
    day.cashScreens.add(caseWorld.screenId);
    day.cashScreensUnlisted = 39;
    knowledge.walletDay = day;
    expect(judgeTap(baseTap(), knowledge, caseRules)).toMatchObject({ status: 'credited' });
    day.cashScreens.clear();
    day.cashScreensUnlisted = 40;
    expect(judgeTap(baseTap(), knowledge, caseRules)).toMatchObject({
      code: ErrorCode.FRAUD_TOO_MANY_SCREENS,
    });
  });
});

describe('cityKey', () => {
  it('is a u32 of the trimmed, lower-cased name', () => {
    expect(cityKey(' Shanghai ')).toBe(cityKey('shanghai'));
    expect(cityKey('Shanghai')).not.toBe(cityKey('Hangzhou'));
    // FNV-1a of the empty string is its offset basis.
    expect(cityKey('')).toBe(0x811c9dc5);
    fc.assert(
      fc.property(fc.string(), (city) => {
        const key = cityKey(city);
        return Number.isInteger(key) && key >= 0 && key <= 0xffffffff;
      }),
    );
  });
});

/** A random tap on screen 11 or 12 from one of the world's envelopes, or deck-less. */
const arbitraryTap = fc
  .record({
    counter: fc.integer({ min: 1, max: 40 }),
    offsetS: fc.integer({ min: -3 * 86_400, max: 600 }),
    receivedLagS: fc.integer({ min: 0, max: 3 * 86_400 }),
    envelopeIndex: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    couponOfferId: fc.constantFrom(0, caseWorld.fallbackOfferId, caseWorld.otherOfferId),
    otherCity: fc.boolean(),
    screenId: fc.constantFrom(11, 11, 12),
    priorCode: fc.constantFrom(null, null, null, ErrorCode.CREDENTIAL_EXPIRED),
  })
  .map((input): TapFacts => {
    const ts = CASE_NOW_S + input.offsetS;
    const common = {
      counter: input.counter,
      ts,
      receivedAt: ts + input.receivedLagS,
      screenId: input.screenId,
      cityKey: cityKey(input.otherCity ? caseWorld.otherCity : caseWorld.city),
      priorCode: input.priorCode,
    };
    if (input.envelopeIndex === null) return decklessTap({ ...common, couponOfferId: input.couponOfferId });
    const [amountFen, couponOfferId] = caseWorld.envelopes[input.envelopeIndex] ?? [1, 0];
    return { ...baseTap(), ...common, envelopeIndex: input.envelopeIndex, amountFen, couponOfferId };
  });

const arbitraryDay = fc
  .record({
    cashCount: fc.integer({ min: 0, max: 32 }),
    cashFen: fc.integer({ min: 0, max: 10_100 }),
    campaignCash: fc.integer({ min: 0, max: 6 }),
    advertiserCash: fc.integer({ min: 0, max: 11 }),
    coupons: fc.integer({ min: 0, max: 3 }),
    screens: fc.integer({ min: 0, max: 41 }),
  })
  .map((input): WalletDay => {
    const day = emptyWalletDay();
    day.cashCount = input.cashCount;
    day.cashFen = input.cashFen;
    day.cashByCampaign.set(caseWorld.campaignId, input.campaignCash);
    day.cashByAdvertiser.set(caseWorld.advertiserId, input.advertiserCash);
    day.couponsByCampaign.set(caseWorld.campaignId, input.coupons);
    for (let index = 0; index < input.screens; index++) day.cashScreens.add(2000 + index);
    return day;
  });

function copyDay(day: WalletDay): WalletDay {
  return {
    ...day,
    cashByCampaign: new Map(day.cashByCampaign),
    couponsByCampaign: new Map(day.couponsByCampaign),
    cashByAdvertiser: new Map(day.cashByAdvertiser),
    cashScreens: new Set(day.cashScreens),
  };
}

function knowledgeWith(day: WalletDay): TapKnowledge {
  const knowledge = baseKnowledge();
  knowledge.walletDay = day;
  return knowledge;
}

describe('judgeTap properties', () => {
  it('a verdict moves nothing on a refusal, never more than the envelope, and holds only cash', () => {
    fc.assert(
      fc.property(arbitraryTap, arbitraryDay, (tap, day) => {
        const verdict = judgeTap(tap, knowledgeWith(day), caseRules);
        if (verdict.status === 'rejected') {
          expect(verdict.amountFen).toBe(0);
          expect(verdict.couponOfferId).toBe(0);
          expect(verdict.poolCoupon).toBe(false);
          expect(verdict.code).not.toBeNull();
        }
        if (verdict.status === 'held') expect(verdict.amountFen).toBeGreaterThan(0);
        if (verdict.status === 'credited') expect(verdict.code).toBeNull();
        expect(verdict.amountFen).toBeLessThanOrEqual(tap.amountFen);
        if (verdict.consumed) expect(tap.deckId).toBe(caseWorld.deckId);
        if (verdict.amountFen > 0) expect(verdict.consumed).toBe(true);
        // Full knowledge: the judge always rules.
        expect(verdict.certain).toBe(true);
      }),
    );
  });

  it('judging does not change the knowledge', () => {
    fc.assert(
      fc.property(arbitraryTap, arbitraryDay, (tap, day) => {
        const knowledge = knowledgeWith(day);
        const first = judgeTap(tap, knowledge, caseRules);
        expect(judgeTap(tap, knowledge, caseRules)).toEqual(first);
        expect(knowledge.walletDay).toEqual(day);
      }),
    );
  });

  it('taps judged and applied in turn never pass a cap', () => {
    fc.assert(
      fc.property(fc.array(arbitraryTap, { maxLength: 60 }), (taps) => {
        const knowledge = baseKnowledge();
        let counter = 0;
        for (const tap of taps) {
          counter += 1;
          const next = { ...tap, counter, screenId: 11 };
          applyVerdict(knowledge, next, judgeTap(next, knowledge, caseRules), caseRules);
        }
        const day = knowledge.walletDay;
        const campaign = knowledge.campaign;
        if (day === null || campaign === null) throw new Error('lost knowledge');
        expect(day.cashByCampaign.get(caseWorld.campaignId) ?? 0).toBeLessThanOrEqual(
          campaign.cashPerWalletPerDay,
        );
        expect(day.cashCount).toBeLessThanOrEqual(caseRules.walletDailyCashCountMax);
        expect(day.cashFen).toBeLessThanOrEqual(caseRules.walletDailyCashFenMax);
        expect(knowledge.fallbackPool?.available ?? 0).toBeGreaterThanOrEqual(0);
        // Each envelope leaves the deck once.
        expect(knowledge.deck?.usedNow.size ?? 0).toBeLessThanOrEqual(caseWorld.envelopes.length);
      }),
    );
  });

  it('a verdict certain on a lower bound of the day is the verdict on the whole day', () => {
    fc.assert(
      fc.property(
        arbitraryTap,
        arbitraryDay,
        fc.record({ cash: fc.nat(6), fen: fc.nat(200), coupons: fc.nat(2), screens: fc.nat(3) }),
        (tap, day, missing) => {
          const full = judgeTap(tap, knowledgeWith(day), caseRules);
          const partial = copyDay(day);
          partial.complete = false;
          partial.cashCount = Math.max(0, day.cashCount - missing.cash);
          partial.cashFen = Math.max(0, day.cashFen - missing.fen);
          partial.cashByCampaign.set(
            caseWorld.campaignId,
            Math.max(0, (day.cashByCampaign.get(caseWorld.campaignId) ?? 0) - missing.cash),
          );
          partial.couponsByCampaign.set(
            caseWorld.campaignId,
            Math.max(0, (day.couponsByCampaign.get(caseWorld.campaignId) ?? 0) - missing.coupons),
          );
          for (const screenId of [...partial.cashScreens].slice(0, missing.screens))
            partial.cashScreens.delete(screenId);
          const kiosk = judgeTap(tap, knowledgeWith(partial), caseRules);
          // Certain is about the outcome; a refusal's code may be another cap's that a fuller day reaches first.
          if (kiosk.certain) {
            expect(kiosk.status).toBe(full.status);
            expect(kiosk.amountFen).toBe(full.amountFen);
            expect(kiosk.couponOfferId).toBe(full.couponOfferId);
            if (kiosk.status !== 'rejected') expect(kiosk.code).toBe(full.code);
          }
        },
      ),
    );
  });

  it('counts a tap on its own cap day', () => {
    // 23:59:59 and 00:00:00 in Shanghai fall on two days, whenever the taps arrive.
    const midnight = CASE_NOW_S + 14 * 3600;
    expect(capDay(midnight - 1, caseRules)).toBe('2026-12-01');
    expect(capDay(midnight, caseRules)).toBe('2026-12-02');
  });
});

describe('the rules entry', () => {
  it('imports nothing of node, so a browser can load it', () => {
    const seen = new Set<string>();
    const visit = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, 'utf8');
      for (const [, specifier = ''] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)';/gm)) {
        expect(specifier.startsWith('node:'), `${url.pathname} imports ${specifier}`).toBe(false);
        if (specifier.startsWith('.')) visit(new URL(specifier, url));
      }
    };
    visit(new URL('./index.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(4);
  });
});

describe('the coupon cap in tap order (the cloud knows each coupon tap’s time)', () => {
  /** A wallet day as the cloud loads it: two coupon taps of the campaign, made at `times`. */
  const knowledgeWith = (times: number[], fallbacks: number): TapKnowledge => {
    const knowledge = baseKnowledge();
    const day: WalletDay = {
      ...emptyWalletDay(),
      couponsByCampaign: new Map([[caseWorld.campaignId, times.length]]),
      couponTimesByCampaign: new Map([[caseWorld.campaignId, times]]),
      fallbacksByCampaign: new Map([[caseWorld.campaignId, fallbacks]]),
    };
    return { ...knowledge, walletDay: day };
  };

  it('issues a fallback coupon tapped before coupon taps that reached the cloud first', () => {
    // The kiosk judged it in tap order, when the wallet had no coupon yet; the later taps (deck
    // envelopes holding only a coupon, which nothing refuses) arrived first.
    const tap = decklessTap();
    const later = [CASE_NOW_S + 60, CASE_NOW_S + 120];
    expect(judgeTap(tap, knowledgeWith(later, 0), caseRules)).toMatchObject({
      status: 'credited',
      couponOfferId: caseWorld.fallbackOfferId,
    });
    // Taps made before it count as they always did.
    const earlier = [CASE_NOW_S - 120, CASE_NOW_S - 60];
    expect(judgeTap(tap, knowledgeWith(earlier, 0), caseRules)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.CAP_CAMPAIGN_WALLET,
    });
  });

  it('never lets a day hold more fallback coupons than the cap, whatever their times', () => {
    // Fallback coupons sent in reverse time order would each see none before them.
    const later = [CASE_NOW_S + 60, CASE_NOW_S + 120];
    expect(judgeTap(decklessTap(), knowledgeWith(later, 2), caseRules)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.CAP_CAMPAIGN_WALLET,
    });
  });

  it('counts what it issues, so the next verdict of the group sees it', () => {
    const knowledge = knowledgeWith([], 0);
    const first = decklessTap({ ts: CASE_NOW_S + 30 });
    applyVerdict(knowledge, first, judgeTap(first, knowledge, caseRules), caseRules);
    expect(knowledge.walletDay?.couponTimesByCampaign?.get(caseWorld.campaignId)).toEqual([CASE_NOW_S + 30]);
    expect(knowledge.walletDay?.fallbacksByCampaign?.get(caseWorld.campaignId)).toBe(1);
  });
});
