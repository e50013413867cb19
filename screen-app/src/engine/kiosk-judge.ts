// The kiosk's side of the one judge (docs/protocol.md §7): before a prize is drawn, the shared judge
// rules on the tap the kiosk is about to sign, over what the kiosk knows (kiosk-knowledge.ts). Cash the
// cloud would refuse is never drawn, a fallback coupon it would refuse is never put in the token, and a
// prize that rests on something the kiosk does not know is shown as "confirming", not as paid.
import {
  capsStep,
  ENVELOPE_INDEX_NONE,
  judgeTap,
  type ErrorCode,
  type CampaignConfig,
  type DayState,
  type NetworkRules,
  type ScreenTapState,
  type TapFacts,
  type TapKnowledge,
  type Verdict,
  type WalletDay,
  type WalletTravel,
} from '@redtap/shared';
import type { DrawableDeckFacts } from '../store/tap-commit-queries.ts';
import { campaignFactsOf, travelOf, walletDayOf, type LocalCampaignCounts } from './kiosk-knowledge.ts';

export type Certainty = 'firm' | 'confirming';

const COUNT_MAX = 0xffffffff;

/**
 * Rules for a config from before the cloud published its own: no global cap or fraud rule can be
 * judged, so every prize rests on the cloud (the knowledge built with them is incomplete).
 */
function rulesUnknown(capTimezone: string): NetworkRules {
  return {
    capTimezone,
    walletDailyCashCountMax: COUNT_MAX,
    walletDailyCashFenMax: COUNT_MAX,
    advertiserWalletDailyCashMax: COUNT_MAX,
    travelWindowS: 0,
    screensPerWalletPerDayMax: COUNT_MAX,
    clockFutureMaxS: COUNT_MAX,
    clockPastSlackS: COUNT_MAX,
    decklessTapAgeMaxS: COUNT_MAX,
    tapRateWindow: COUNT_MAX,
    tapIntervalMinS: 0,
    counterGapMax: COUNT_MAX,
  };
}

export interface KioskJudgeInput {
  screenId: number;
  cityKey: number;
  /** The config's rules; null for a config from before them. */
  rules: NetworkRules | null;
  /** The zone local caps count in when the config has no rules. */
  timezone: string;
  walletId: number;
  counter: number;
  ts: number;
  dayState: DayState | null;
  /** This screen's own counts for the wallet on the tap's cap day. */
  local: readonly LocalCampaignCounts[];
  campaigns: readonly CampaignConfig[];
  screen: ScreenTapState;
}

/** One envelope the kiosk could put in the token: a deck's next envelope or an allotment slot. */
export interface Candidate {
  campaign: CampaignConfig;
  deck: DrawableDeckFacts;
  envelopeIndex: number;
  amountFen: number;
  couponOfferId: number;
}

/** The judge over one session's knowledge, for any campaign and candidate envelope of the config. */
export class KioskJudge {
  readonly rules: NetworkRules;
  private readonly input: KioskJudgeInput;
  private readonly walletDay: WalletDay;
  private readonly travel: WalletTravel | null;

  constructor(input: KioskJudgeInput) {
    this.input = input;
    this.rules = input.rules ?? rulesUnknown(input.timezone);
    const advertisers = new Map(
      input.campaigns.map((campaign) => [campaign.campaignId, campaign.advertiserId] as const),
    );
    this.walletDay = walletDayOf({
      dayState: input.dayState,
      local: input.local,
      screenId: input.screenId,
      advertiserOf: (campaignId) => advertisers.get(campaignId),
    });
    // Without the cloud's rules, the global caps and travel cannot be judged here.
    if (input.rules === null) this.walletDay.complete = false;
    this.travel = input.rules === null ? null : travelOf(input.dayState);
  }

  /** The judge's verdict on signing this candidate now. */
  judge(candidate: Candidate | null, campaign: CampaignConfig): Verdict {
    return judgeTap(this.tapOf(candidate, campaign), this.knowledgeOf(candidate, campaign), this.rules);
  }

  /**
   * Why the day caps refuse this wallet any cash of the campaign now (the judge's caps step on a cash
   * tap), or null: a screen with no envelope left still says "already grabbed" to a capped wallet.
   */
  cashCapped(campaign: CampaignConfig): ErrorCode | null {
    const step = capsStep(this.tapOf(null, campaign), this.knowledgeOf(null, campaign), this.rules, {
      cashFen: 1,
      allotment: false,
      consumed: true,
    });
    return step.kind === 'refuse' ? step.code : null;
  }

  private tapOf(candidate: Candidate | null, campaign: CampaignConfig): TapFacts {
    const { input } = this;
    return {
      screenId: input.screenId,
      counter: input.counter,
      ts: input.ts,
      campaignId: campaign.campaignId,
      walletId: input.walletId,
      deckId: candidate?.deck.deckId ?? 0,
      envelopeIndex: candidate?.envelopeIndex ?? ENVELOPE_INDEX_NONE,
      amountFen: candidate?.amountFen ?? 0,
      couponOfferId: candidate?.couponOfferId ?? 0,
      receivedAt: input.ts,
      cityKey: input.cityKey,
      priorCode: null,
    };
  }

  private knowledgeOf(candidate: Candidate | null, campaign: CampaignConfig): TapKnowledge {
    const { input } = this;
    return {
      walletDay: this.walletDay,
      travel: this.travel,
      campaign: campaignFactsOf(campaign),
      deck:
        candidate === null
          ? null
          : {
              deckId: candidate.deck.deckId,
              campaignId: campaign.campaignId,
              screenId: input.screenId,
              validFrom: candidate.deck.validFrom,
              validUntil: candidate.deck.validUntil,
              envelopeCount: candidate.deck.count,
              fallbackCount: candidate.deck.fallbackCount,
              // The store hands out each envelope once, in order: the one drawn is unused.
              envelope: (index) =>
                index === candidate.envelopeIndex
                  ? [candidate.amountFen, candidate.couponOfferId]
                  : undefined,
              used: () => false,
              usedNow: new Set(),
              status: 'open',
              closedUsedCount: null,
              lastCounter: 0,
              lastEnvelopeIndex: 0,
            },
      // The config names only campaigns that target this screen.
      targetsScreen: true,
      fallbackPool: null,
      credentialIssuedAt: null,
      screen: { ...input.screen },
    };
  }
}

/** What the screen may say of a prize the judge let through. */
export function certaintyOf(verdict: Verdict): Certainty {
  return verdict.status === 'credited' && verdict.certain ? 'firm' : 'confirming';
}
