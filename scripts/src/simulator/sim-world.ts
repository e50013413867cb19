// The simulator's world, set up through the cloud's HTTP API: advertisers with funded active campaigns
// over several cities (each on its own group of screens, as planSimNetwork splits them), screens
// enrolled as kiosks (the kiosk's own enrolment), and phones registered as wallets. Each request carries
// its own X-Forwarded-For, as a fleet of phones and screens would have distinct addresses; the embedded
// cloud trusts it (REDTAP_TRUST_PROXY), so per-address limits hold.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  decodeCredential,
  ENVELOPES_PER_PLAN_MAX,
  fromHex,
  generateKeyPair,
  toHex,
  type ClaimPath,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import { defaultMoneySettings } from '@redtap/cloud';
import { describeRefusal, enrollKiosk } from '@redtap/screen-app';
import { cloudApi, loginUser, type CloudApi } from '../demo/cloud-api.ts';

export const SIM_CITIES = ['Shanghai', 'Hangzhou', 'Beijing', 'Shenzhen'] as const;
/** Parallel registrations and enrolments; the cloud's scrypt and signing are the bottleneck anyway. */
const SETUP_CONCURRENCY = 8;

export interface SimScreen {
  index: number;
  screenId: number;
  city: string;
  dataDir: string;
}

export interface SimPhone {
  walletId: number;
  city: string;
  keyPair: KeyPair;
  credential: WalletCredential;
  /** false: a phone from before GET DAY STATE (answers it 6D 00); true when unset. */
  dayState?: boolean;
}

let addressSequence = 0;
/** A distinct client address per request, from 10.0.0.0/8. */
export function nextClientAddress(): string {
  addressSequence = (addressSequence + 1) % 0xffffff;
  return `10.${(addressSequence >> 16) & 0xff}.${(addressSequence >> 8) & 0xff}.${addressSequence & 0xff}`;
}

export function fleetApi(baseUrl: string, timeoutMs?: number): CloudApi {
  return cloudApi(baseUrl, {
    headers: () => ({ 'x-forwarded-for': nextClientAddress() }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

const fleetFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('x-forwarded-for', nextClientAddress());
  return fetch(input, { ...init, headers });
};

export async function inBatches<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R>,
  onDone?: () => void,
  concurrency = SETUP_CONCURRENCY,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      results[index] = await run(item, index);
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Cash packets per wallet per day in every simulated campaign's rules, as a brand would set them. */
export const SIM_CASH_PER_WALLET_PER_DAY = 10;
/** The mean envelope of a simulated campaign, in fen. */
export const SIM_MEAN_ENVELOPE_FEN = 30;
/** Taps land on screens at random, so a busy screen takes this much more than the mean. */
const TAP_SPREAD_MARGIN = 1.3;

/** How the simulated network is split between advertisers, sized for the taps it will take. */
export interface SimNetworkPlan {
  /** Campaigns, each of its own advertiser and on its own group of screens. */
  campaigns: number;
  /** Envelopes funded for each screen of a campaign's group. */
  envelopesPerScreen: number;
  /** The campaign (0-based) whose group screen `screenIndex` belongs to. */
  campaignOf(screenIndex: number): number;
}

/**
 * Enough campaigns that every tap can draw a funded envelope and that a phone's taps stay well inside
 * each campaign's per-wallet daily cap. A campaign's pool holds at most ENVELOPES_PER_PLAN_MAX envelopes,
 * and a screen may ask for a refill near the end of the run that the cloud cuts at its largest deck size,
 * mostly unused when the run stops. Groups are made of consecutive screens, one per city in turn, so each
 * campaign reaches every city and a phone (which stays in its city) meets all of them.
 */
export function planSimNetwork(input: { screens: number; phones: number; taps: number }): SimNetworkPlan {
  const tapsPerScreen = Math.ceil(input.taps / input.screens);
  const envelopesPerScreen = Math.ceil(tapsPerScreen * TAP_SPREAD_MARGIN) + defaultMoneySettings.deckSizeMax;
  const screensPerPool = Math.max(1, Math.floor(ENVELOPES_PER_PLAN_MAX / envelopesPerScreen));
  const forEnvelopes = Math.ceil(input.screens / screensPerPool);
  // A phone's taps split over the campaigns at random: at a third of the cap per campaign on average,
  // hardly any phone reaches a campaign's cap by chance.
  const tapsPerPhone = Math.ceil(input.taps / input.phones);
  const forCaps = Math.ceil((tapsPerPhone * 3) / SIM_CASH_PER_WALLET_PER_DAY);
  const cityRounds = Math.max(1, Math.floor(input.screens / SIM_CITIES.length));
  const campaigns = Math.min(cityRounds, Math.max(1, forEnvelopes, forCaps));
  return {
    campaigns,
    envelopesPerScreen,
    campaignOf: (screenIndex) => Math.floor(screenIndex / SIM_CITIES.length) % campaigns,
  };
}

/** One screen group per campaign of the plan; returns the group ids by campaign index. */
export async function groupSimScreens(
  api: CloudApi,
  operator: string,
  screens: readonly SimScreen[],
  plan: SimNetworkPlan,
): Promise<number[]> {
  const tag = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const groupIds: number[] = [];
  for (let campaign = 0; campaign < plan.campaigns; campaign++) {
    const group = await api.call<{ id: number }>('POST', '/v1/screen-groups', {
      token: operator,
      body: { name: `Simulated network ${campaign + 1} (${tag})` },
    });
    await api.call('PUT', `/v1/screen-groups/${group.id}/screens`, {
      token: operator,
      body: {
        screenIds: screens
          .filter((screen) => plan.campaignOf(screen.index) === campaign)
          .map((screen) => screen.screenId),
      },
    });
    groupIds.push(group.id);
  }
  return groupIds;
}

export interface SimCampaignPlan {
  budgetFen: number;
  envelopes: number;
  /** Screen groups the campaign targets; every screen of the cities when empty or unset. */
  screenGroupIds?: number[];
  /** Cities targeted; every simulated city when unset. */
  cities?: readonly string[];
  /** The brand paying; a new advertiser of its own when unset. */
  advertiser?: SimAdvertiser;
  name?: string;
  cashPerWalletPerDay?: number;
  couponsPerWalletPerDay?: number;
  /** The fallback coupon offer's stock; as many as the envelopes (at most 65,535) when unset. */
  couponStock?: number;
  /** How long the campaign's creative (uploaded for it) plays; 10 s when unset. */
  creativeMs?: number;
  /** Where its prizes may be won (rules.claimPaths); every path when unset. */
  claimPaths?: ClaimPath[];
  /** false: created, approved and funded, but left for the caller to activate. */
  activate?: boolean;
}

export interface SimAdvertiser {
  advertiserId: number;
  name: string;
  /** The advertiser's own login. */
  token: string;
}

/** Distinct ledger transfer ids for the fundings of this process, apart from other runs' ids. */
let transferSequence = (Date.now() % 1_000_000_000) * 1_000;

/** Creates an advertiser (a brand) with its own login, funded with `fundingFen` when given. */
export async function createSimAdvertiser(
  api: CloudApi,
  operator: string,
  input: { name?: string; fundingFen?: number } = {},
): Promise<SimAdvertiser> {
  const email = `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('base64url');
  const name = input.name ?? `Simulated brand ${email}`;
  const advertiser = await api.call<{ id: number }>('POST', '/v1/advertisers', {
    token: operator,
    body: { name, email, password },
  });
  if (input.fundingFen !== undefined && input.fundingFen > 0)
    await api.call('POST', `/v1/advertisers/${advertiser.id}/funding`, {
      token: operator,
      body: { amountFen: input.fundingFen, transferId: ++transferSequence },
    });
  return { advertiserId: advertiser.id, name, token: await loginUser(api, email, password) };
}

/**
 * Uploads a distinct tiny PNG as the advertiser's creative and returns its SHA-256. The cloud sniffs the
 * type from the signature; a kiosk plays it as its ad without decoding it.
 */
export async function uploadSimCreative(api: CloudApi, token: string): Promise<string> {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  bytes.set(randomBytes(32), 32);
  const response = await fleetFetch(`${api.baseUrl}/v1/content`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: bytes,
  });
  if (response.status !== 201)
    throw new Error(`uploading a creative: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return ((await response.json()) as { sha256: string }).sha256;
}

/** Creates a funded campaign over every city (or the given cities or groups), and activates it. */
export async function createSimCampaign(
  api: CloudApi,
  operator: string,
  plan: SimCampaignPlan,
): Promise<{ campaignId: number; advertiserId: number; advertiserToken: string; couponOfferIds: number[] }> {
  const advertiser =
    plan.advertiser ?? (await createSimAdvertiser(api, operator, { fundingFen: plan.budgetFen }));
  if (plan.advertiser !== undefined)
    await api.call('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
      token: operator,
      body: { amountFen: plan.budgetFen, transferId: ++transferSequence },
    });
  const token = advertiser.token;
  // Every campaign plays a creative: the API refuses one without.
  const creatives = [{ sha256: await uploadSimCreative(api, token), durationMs: plan.creativeMs ?? 10_000 }];
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await api.call<{ id: number; couponOffers: { id: number }[] }>('POST', '/v1/campaigns', {
    token,
    body: {
      name: plan.name ?? 'Simulated rush hour',
      sponsor: plan.advertiser?.name ?? 'Simulated brand',
      startsAt: nowS - 3_600,
      endsAt: nowS + 30 * 86_400,
      targeting: {
        cities: [...(plan.cities ?? SIM_CITIES)],
        buildings: [],
        screenGroupIds: plan.screenGroupIds ?? [],
      },
      budgetFen: plan.budgetFen,
      prizePlan: {
        kind: 'lucky',
        totalFen: plan.budgetFen,
        count: plan.envelopes,
        minFen: 1,
        maxFen: Math.min(10_000, Math.ceil((plan.budgetFen / plan.envelopes) * 3)),
      },
      couponOffers: [
        {
          title: `${plan.advertiser?.name ?? 'Simulated'} coupon`,
          valueFen: 300,
          stock: plan.couponStock ?? Math.min(65_535, plan.envelopes),
          validUntil: nowS + 60 * 86_400,
          validityDays: 7,
          terms: '',
        },
      ],
      rules: {
        cashPerWalletPerDay: plan.cashPerWalletPerDay ?? SIM_CASH_PER_WALLET_PER_DAY,
        couponsPerWalletPerDay: plan.couponsPerWalletPerDay ?? 10,
        fallbackCouponOfferIndex: 0,
        ...(plan.claimPaths === undefined ? {} : { claimPaths: plan.claimPaths }),
      },
      creatives,
    },
  });
  const transition = (name: string, by: string) =>
    api.call('POST', `/v1/campaigns/${campaign.id}/transitions`, { token: by, body: { transition: name } });
  await transition('submit', token);
  await transition('approve', operator);
  await api.call('POST', `/v1/campaigns/${campaign.id}/funding`, {
    token,
    body: { amountFen: plan.budgetFen, transferId: ++transferSequence },
  });
  if (plan.activate !== false) await transition('activate', token);
  return {
    campaignId: campaign.id,
    advertiserId: advertiser.advertiserId,
    advertiserToken: token,
    couponOfferIds: campaign.couponOffers.map((offer) => offer.id),
  };
}

export async function enrolSimScreens(
  api: CloudApi,
  operator: string,
  count: number,
  dataRoot: string,
  onDone: () => void,
  cities: readonly string[] = SIM_CITIES,
): Promise<SimScreen[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    async (i) => {
      const city = cities[i % cities.length] ?? 'Shanghai';
      const created = await api.call<{ id: number }>('POST', '/v1/screens', {
        token: operator,
        body: {
          name: `Sim lift ${i + 1}`,
          city,
          building: `Tower ${Math.floor(i / 8) + 1}`,
          elevator: `E${i % 8}`,
        },
      });
      const { code } = await api.call<{ code: string }>('POST', `/v1/screens/${created.id}/enrolment-codes`, {
        token: operator,
      });
      const dataDir = join(dataRoot, `kiosk-${i + 1}`);
      const enrolled = await enrollKiosk({ dataDir, cloudUrl: api.baseUrl, code, fetch: fleetFetch });
      if (!enrolled.ok) throw new Error(`enrolling screen ${i + 1}: ${describeRefusal(enrolled)}`);
      return { index: i, screenId: created.id, city, dataDir };
    },
    onDone,
  );
}

export async function registerSimPhones(
  api: CloudApi,
  count: number,
  onDone: () => void,
  cities: readonly string[] = SIM_CITIES,
): Promise<SimPhone[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    async (i) => {
      const keyPair = generateKeyPair();
      const issued = await api.call<{ walletId: number; credential: string }>('POST', '/v1/wallets', {
        body: { publicKey: toHex(keyPair.publicKeyRaw) },
      });
      const credential = decodeCredential(fromHex(issued.credential) ?? new Uint8Array());
      if (!credential.ok) throw new Error('the cloud issued a credential that does not decode');
      return {
        walletId: issued.walletId,
        city: cities[i % cities.length] ?? 'Shanghai',
        keyPair,
        credential: credential.value,
      };
    },
    onDone,
  );
}
