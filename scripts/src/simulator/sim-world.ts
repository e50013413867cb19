// The simulator's world, set up through the cloud's HTTP API: an advertiser and a funded active campaign
// over several cities, screens enrolled as kiosks (the kiosk's own enrolment), and phones registered as
// wallets. Each request carries its own X-Forwarded-For, as a fleet of phones and screens would have
// distinct addresses; the embedded cloud trusts it (REDTAP_TRUST_PROXY), so per-address limits hold.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  decodeCredential,
  fromHex,
  generateKeyPair,
  toHex,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
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
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, items.length) }, worker));
  return results;
}

export interface SimCampaignPlan {
  budgetFen: number;
  envelopes: number;
}

/** Creates an advertiser, funds it and a campaign over every city, and activates it. */
export async function createSimCampaign(
  api: CloudApi,
  operator: string,
  plan: SimCampaignPlan,
): Promise<{ campaignId: number }> {
  const email = `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('base64url');
  const advertiser = await api.call<{ id: number }>('POST', '/v1/advertisers', {
    token: operator,
    body: { name: `Simulated brand ${email}`, email, password },
  });
  const transferBase = 1 + (Date.now() % 1_000_000_000) * 2;
  await api.call('POST', `/v1/advertisers/${advertiser.id}/funding`, {
    token: operator,
    body: { amountFen: plan.budgetFen, transferId: transferBase },
  });
  const token = await loginUser(api, email, password);
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await api.call<{ id: number }>('POST', '/v1/campaigns', {
    token,
    body: {
      name: 'Simulated rush hour',
      sponsor: 'Simulated brand',
      startsAt: nowS - 3_600,
      endsAt: nowS + 30 * 86_400,
      targeting: { cities: [...SIM_CITIES], buildings: [], screenGroupIds: [] },
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
          title: 'Simulated coupon',
          valueFen: 300,
          stock: Math.min(65_535, plan.envelopes),
          validUntil: nowS + 60 * 86_400,
          validityDays: 7,
          terms: '',
        },
      ],
      rules: { cashPerWalletPerDay: 10, couponsPerWalletPerDay: 10, fallbackCouponOfferIndex: 0 },
    },
  });
  const transition = (name: string, by: string) =>
    api.call('POST', `/v1/campaigns/${campaign.id}/transitions`, { token: by, body: { transition: name } });
  await transition('submit', token);
  await transition('approve', operator);
  await api.call('POST', `/v1/campaigns/${campaign.id}/funding`, {
    token,
    body: { amountFen: plan.budgetFen, transferId: transferBase + 1 },
  });
  await transition('activate', token);
  return { campaignId: campaign.id };
}

export async function enrolSimScreens(
  api: CloudApi,
  operator: string,
  count: number,
  dataRoot: string,
  onDone: () => void,
): Promise<SimScreen[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    async (i) => {
      const city = SIM_CITIES[i % SIM_CITIES.length] ?? 'Shanghai';
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
        city: SIM_CITIES[i % SIM_CITIES.length] ?? 'Shanghai',
        keyPair,
        credential: credential.value,
      };
    },
    onDone,
  );
}
