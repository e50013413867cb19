// The simulator's scenarios. `fidelity` (the default) is the network a commuter meets: two cities with
// phones travelling between them, overlapping campaigns of two brands with small per-wallet caps and
// fallback coupons, one campaign on a screen group, every campaign with its own creative, and screens
// whose link is cut for a while mid-run. `load` is the large even network sized so that every tap can be
// credited (planSimNetwork). Both end with the promise-fidelity line (./fidelity.ts).
import { defaultMoneySettings } from '@redtap/cloud';
import type { Random } from '@redtap/tap-reader';
import type { CloudApi } from '../demo/cloud-api.ts';
import {
  createSimAdvertiser,
  createSimCampaign,
  SIM_CITIES,
  SIM_MEAN_ENVELOPE_FEN,
  type SimPhone,
  type SimScreen,
} from './sim-world.ts';

export const SCENARIO_NAMES = ['fidelity', 'load'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioPreset {
  description: string;
  cities: readonly string[];
  screens: number;
  phones: number;
  taps: number;
  /** Share of screens whose link is cut… */
  offlineRatio: number;
  /** …from this share of the taps on… */
  offlineFrom: number;
  /** …until this share. */
  offlineUntil: number;
  rate: number;
  concurrency: number;
  /** Share of phones that take a train to the other city once during the run. */
  travellerShare: number;
}

export const SCENARIOS: Record<ScenarioName, ScenarioPreset> = {
  fidelity: {
    description:
      'two cities with travellers, two brands with overlapping capped campaigns, a group campaign, links cut mid-run',
    cities: ['Shanghai', 'Hangzhou'],
    screens: 6,
    phones: 30,
    taps: 450,
    offlineRatio: 0.34,
    offlineFrom: 0.25,
    offlineUntil: 0.6,
    rate: 20,
    concurrency: 6,
    travellerShare: 0.15,
  },
  load: {
    description: 'an even network in four cities, enough campaigns that every tap can be credited',
    cities: SIM_CITIES,
    screens: 20,
    phones: 400,
    taps: 3_000,
    offlineRatio: 0.3,
    offlineFrom: 0,
    offlineUntil: 0.5,
    rate: 80,
    concurrency: 16,
    travellerShare: 0,
  },
};

/** Each campaign's creative plays this long before the next one on the screen's playlist. */
const CREATIVE_MS = 3_000;
/** Funded envelopes per expected tap of a campaign: pools are ample, the caps are what bind. */
const ENVELOPES_PER_TAP = 1.5;
const ENVELOPES_MIN = 100;

export interface SimCampaignInfo {
  campaignId: number;
  advertiserId: number;
  brand: string;
  name: string;
  envelopes: number;
  screens: number;
  rules: string;
}

/**
 * The fidelity scenario's network: Tea Co runs a campaign on every screen of both cities and another on
 * Hangzhou's only (the two share Tea Co's per-wallet cap across its campaigns), GreenLeaf runs one on a
 * screen group spanning both cities. Small per-wallet daily caps, each with a fallback coupon under its
 * own coupon cap, so an honest phone soon meets every rule.
 */
export async function createFidelityCampaigns(
  api: CloudApi,
  operator: string,
  screens: readonly SimScreen[],
  taps: number,
  claims = 0,
): Promise<SimCampaignInfo[]> {
  const inCity = (city: string) => screens.filter((screen) => screen.city === city).length;
  // Half the screens, in both cities: with 6 screens, screens 1, 2, 5 and 6.
  const grouped = screens.filter((screen) => screen.index % 4 < 2);
  const tag = Date.now().toString(36);
  const group = await api.call<{ id: number }>('POST', '/v1/screen-groups', {
    token: operator,
    body: { name: `GreenLeaf towers (${tag})` },
  });
  await api.call('PUT', `/v1/screen-groups/${group.id}/screens`, {
    token: operator,
    body: { screenIds: grouped.map((screen) => screen.screenId) },
  });
  const teaCo = await createSimAdvertiser(api, operator, { name: 'Tea Co' });
  const greenLeaf = await createSimAdvertiser(api, operator, { name: 'GreenLeaf' });
  const envelopesFor = (share: number) =>
    Math.min(65_535, Math.max(ENVELOPES_MIN, Math.ceil(taps * share * ENVELOPES_PER_TAP)));
  // Online claims draw from the pool that decks have not taken (docs/protocol.md §7a), and a screen takes
  // its fair share of the pool with every deck: with claims, each campaign funds its screens' first two
  // decks at the default tap rate on top, and an envelope for every claim.
  const money = defaultMoneySettings;
  const firstDeck = Math.min(
    money.deckSizeMax,
    Math.max(money.deckSizeMin, Math.ceil((money.tapRatePerHourDefault * money.deckHorizonS) / 3600)),
  );
  const claimReserve = (screenCount: number) => (claims === 0 ? 0 : screenCount * 2 * firstDeck + claims);
  const plans = [
    {
      advertiser: teaCo,
      name: 'Tea Co rush hour',
      cities: ['Shanghai', 'Hangzhou'],
      screens: screens.length,
      envelopes: envelopesFor(0.5) + claimReserve(screens.length),
      cashPerWalletPerDay: 5,
      couponsPerWalletPerDay: 2,
    },
    {
      advertiser: greenLeaf,
      name: 'GreenLeaf launch',
      cities: ['Shanghai', 'Hangzhou'],
      screenGroupIds: [group.id],
      screens: grouped.length,
      envelopes: envelopesFor(0.3) + claimReserve(grouped.length),
      cashPerWalletPerDay: 3,
      couponsPerWalletPerDay: 1,
    },
    {
      advertiser: teaCo,
      name: 'Tea Co Hangzhou',
      cities: ['Hangzhou'],
      screens: inCity('Hangzhou'),
      envelopes: envelopesFor(0.3) + claimReserve(inCity('Hangzhou')),
      cashPerWalletPerDay: 8,
      couponsPerWalletPerDay: 2,
    },
  ];
  const made: SimCampaignInfo[] = [];
  for (const plan of plans) {
    const { campaignId, advertiserId } = await createSimCampaign(api, operator, {
      ...plan,
      budgetFen: plan.envelopes * SIM_MEAN_ENVELOPE_FEN,
      couponStock: 500,
      creativeMs: CREATIVE_MS,
    });
    made.push({
      campaignId,
      advertiserId,
      brand: plan.advertiser.name,
      name: plan.name,
      envelopes: plan.envelopes,
      screens: plan.screens,
      rules: `cash ${plan.cashPerWalletPerDay}/wallet/day, fallback coupon ${plan.couponsPerWalletPerDay}/wallet/day`,
    });
  }
  return made;
}

/**
 * Whose turn it is in each city: phones take turns in a seeded order, reshuffled every round, so each
 * taps about as often as the others, and a phone busy on one screen is skipped (never on two at once).
 * A traveller moves to the other city's turns.
 */
export class PhoneTurns {
  private readonly turns = new Map<string, { phones: SimPhone[]; next: number }>();
  private readonly busy = new Set<number>();
  private readonly cityOf = new Map<number, string>();
  private readonly random: Random;

  constructor(phones: readonly SimPhone[], random: Random) {
    this.random = random;
    for (const phone of phones) this.add(phone, phone.city);
  }

  private add(phone: SimPhone, city: string): void {
    const turn = this.turns.get(city) ?? { phones: [], next: 0 };
    turn.phones.push(phone);
    this.turns.set(city, turn);
    this.cityOf.set(phone.walletId, city);
  }

  /** The next free phone in `city` (or any city when it has none), marked busy; undefined if all are busy. */
  take(city: string): SimPhone | undefined {
    const turn = this.turns.get(city) ?? [...this.turns.values()].find((t) => t.phones.length > 0);
    if (turn === undefined) return undefined;
    for (let tried = 0; tried < turn.phones.length; tried++) {
      if (turn.next === 0) turn.phones.sort(() => this.random.next() - 0.5);
      const phone = turn.phones[turn.next];
      turn.next = (turn.next + 1) % turn.phones.length;
      if (phone !== undefined && !this.busy.has(phone.walletId)) {
        this.busy.add(phone.walletId);
        return phone;
      }
    }
    return undefined;
  }

  release(phone: SimPhone): void {
    this.busy.delete(phone.walletId);
  }

  city(phone: SimPhone): string {
    return this.cityOf.get(phone.walletId) ?? phone.city;
  }

  /** The phone now taps in `city`. */
  move(phone: SimPhone, city: string): void {
    const from = this.turns.get(this.city(phone));
    if (from !== undefined) {
      const at = from.phones.indexOf(phone);
      if (at >= 0) {
        from.phones.splice(at, 1);
        if (at < from.next) from.next -= 1;
        if (from.next >= from.phones.length) from.next = 0;
      }
    }
    this.add(phone, city);
  }
}

/** Which traveller boards the train before which tap (1-based tap numbers), seeded. */
export function planTravel(
  phones: readonly SimPhone[],
  taps: number,
  share: number,
  random: Random,
): Map<number, SimPhone> {
  const travellers = phones.filter(() => random.next() < share);
  const plan = new Map<number, SimPhone>();
  for (const phone of travellers) {
    // Somewhere in the middle of the run, one traveller per tap number.
    let at = Math.floor(taps * (0.2 + 0.6 * random.next())) + 1;
    while (plan.has(at)) at += 1;
    plan.set(at, phone);
  }
  return plan;
}
