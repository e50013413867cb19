// A small world for money tests: an advertiser with a funded, active campaign, enrolled kiosks holding
// its decks, registered phones, and helpers that make signed tap tokens as a real kiosk would.
import {
  decodeDeck,
  encodeChallenge,
  ENVELOPE_INDEX_NONE,
  generateKeyPair,
  SignatureLabel,
  sign,
  signTapToken,
  toHex,
  type ClaimPath,
  type Deck,
  type KeyPair,
  type PrizePlan,
} from '@redtap/shared';
import { advertiserSession, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

export interface Kiosk {
  screenId: number;
  key: KeyPair;
  city: string;
  counter: number;
  decks: Deck[];
  /** The next unused envelope per deck, as the kiosk's cursor. */
  cursor: Map<number, number>;
}

export interface Phone {
  walletId: number;
  serial: number;
  key: KeyPair;
}

/** The HTTP side of a cloud, in process (`TestCloud`) or over a socket to a running one. */
export type CloudRequest = Pick<TestCloud, 'request'>;

/** What enrolment hands the kiosk for the broker (docs/protocol.md §3.7). */
export interface MqttGrant {
  url: string;
  username: string;
  password: string;
  topicRoot: string;
}

let transferIds = 5_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
export function nextTransferId(): number {
  transferIds += 1;
  return transferIds;
}

async function ok<T>(response: Response, status = 200): Promise<T> {
  if (response.status !== status) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return json<T>(response);
}

export async function enrolKiosk(
  cloud: CloudRequest,
  operator: string,
  city: string,
  building = 'Tower',
): Promise<Kiosk & { mqtt: MqttGrant }> {
  const created = await ok<{ id: number }>(
    await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: `Lift ${city}`, city, building, elevator: 'E1' },
    }),
    201,
  );
  const { code } = await ok<{ code: string }>(
    await cloud.request('POST', `/v1/screens/${created.id}/enrolment-codes`, { token: operator }),
    201,
  );
  const key = generateKeyPair();
  const { mqtt } = await ok<{ mqtt: MqttGrant }>(
    await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code, key),
    }),
    201,
  );
  return { screenId: created.id, key, city, counter: 0, decks: [], cursor: new Map(), mqtt };
}

export async function registerPhone(cloud: CloudRequest): Promise<Phone> {
  const key = generateKeyPair();
  const issued = await ok<{ walletId: number; credentialSerial: number }>(
    await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(key.publicKeyRaw) } }),
    201,
  );
  return { walletId: issued.walletId, serial: issued.credentialSerial, key };
}

export interface World {
  operator: string;
  advertiser: { token: string; advertiserId: number };
  campaignId: number;
  couponOfferId: number;
  budgetFen: number;
  kiosks: Kiosk[];
}

export const tiersPlan = (budgetFen: number): PrizePlan => ({
  kind: 'tiers',
  tiers: [
    { amountFen: 88, count: Math.floor(budgetFen / 176) },
    { amountFen: 2, count: Math.floor((budgetFen - Math.floor(budgetFen / 176) * 88) / 2) },
    { amountFen: 1, count: (budgetFen - Math.floor(budgetFen / 176) * 88) % 2 },
  ],
});

export interface CampaignOptions {
  cities: string[];
  plan: PrizePlan;
  budgetFen: number;
  cashPerWalletPerDay?: number;
  couponStock?: number;
  /** The campaign's fall-through choice; left out of the request (the default, off) when absent. */
  fallThrough?: boolean;
  /** Where its prizes may be won, and the share decks leave for claims; left out when absent. */
  claimPaths?: ClaimPath[];
  claimReservePercent?: number;
  /** What its screens play (uploaded first, see uploadCreative); one tiny PNG for 15 s when absent. */
  creatives?: { sha256: string; durationMs: number }[];
}

/** Uploads a tiny PNG that differs by `seed` and answers its hash, for a campaign's creatives. */
export async function uploadCreative(cloud: CloudRequest, token: string, seed: number): Promise<string> {
  const png = new Uint8Array(64);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  new DataView(png.buffer).setUint32(60, seed);
  const response = await cloud.request('POST', '/v1/content', {
    token,
    body: new Blob([png], { type: 'image/png' }),
  });
  return (await ok<{ sha256: string }>(response, response.status === 200 ? 200 : 201)).sha256;
}

/** One uploaded creative played 15 s, the least a campaign body must hold. */
export async function oneCreative(
  cloud: CloudRequest,
  token: string,
): Promise<{ sha256: string; durationMs: number }[]> {
  return [{ sha256: await uploadCreative(cloud, token, 0), durationMs: 15_000 }];
}

/**
 * Creates, submits, approves, funds and activates a campaign over `cities`; activation publishes a deck to
 * every enrolled screen there.
 */
export async function createActiveCampaign(
  cloud: CloudRequest,
  input: CampaignOptions & {
    operator: string;
    advertiser: { token: string };
    nowS: number;
  },
): Promise<{ campaignId: number; couponOfferId: number }> {
  const { operator, advertiser, nowS } = input;
  // A campaign plays at least one creative: the API refuses one without.
  const creatives = input.creatives ?? (await oneCreative(cloud, advertiser.token));
  const campaign = await ok<{ id: number; couponOffers: { id: number }[] }>(
    await cloud.request('POST', '/v1/campaigns', {
      token: advertiser.token,
      body: {
        name: 'Spring tea',
        sponsor: 'Tea Co',
        startsAt: nowS - 3600,
        endsAt: nowS + 30 * 86_400,
        targeting: { cities: input.cities, buildings: [], screenGroupIds: [] },
        budgetFen: input.budgetFen,
        prizePlan: input.plan,
        // A coupon stock of 0 is a campaign without coupons: an offer of no stock is refused.
        couponOffers:
          input.couponStock === 0
            ? []
            : [
                {
                  title: '10% off',
                  valueFen: 500,
                  stock: input.couponStock ?? 3,
                  validUntil: nowS + 60 * 86_400,
                  validityDays: 7,
                  terms: 'one per visit',
                },
              ],
        rules: {
          cashPerWalletPerDay: input.cashPerWalletPerDay ?? 5,
          couponsPerWalletPerDay: 2,
          fallbackCouponOfferIndex: input.couponStock === 0 ? null : 0,
          ...(input.fallThrough === undefined ? {} : { fallThrough: input.fallThrough }),
          ...(input.claimPaths === undefined ? {} : { claimPaths: input.claimPaths }),
          ...(input.claimReservePercent === undefined
            ? {}
            : { claimReservePercent: input.claimReservePercent }),
        },
        creatives,
      },
    }),
    201,
  );
  const run = (transition: string, token: string) =>
    cloud.request('POST', `/v1/campaigns/${campaign.id}/transitions`, { token, body: { transition } });
  await ok(await run('submit', advertiser.token));
  await ok(await run('approve', operator));
  await ok(
    await cloud.request('POST', `/v1/campaigns/${campaign.id}/funding`, {
      token: advertiser.token,
      body: { amountFen: input.budgetFen, transferId: nextTransferId() },
    }),
  );
  await ok(await run('activate', advertiser.token));
  return { campaignId: campaign.id, couponOfferId: campaign.couponOffers[0]?.id ?? 0 };
}

/** Creates, funds and activates a campaign over `cities`; each kiosk receives a deck. */
export async function buildWorld(cloud: TestCloud, options: CampaignOptions): Promise<World> {
  const operator = await operatorToken(cloud);
  const advertiser = await advertiserSession(cloud, operator);
  await ok(
    await cloud.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
      token: operator,
      body: { amountFen: options.budgetFen * 2, transferId: nextTransferId() },
    }),
  );
  const kiosks: Kiosk[] = [];
  for (const city of options.cities) kiosks.push(await enrolKiosk(cloud, operator, city));
  const before = cloud.broker.decks.length;
  const { campaignId, couponOfferId } = await createActiveCampaign(cloud, {
    ...options,
    operator,
    advertiser,
    nowS: Math.floor(cloud.clock.nowMs / 1000),
  });
  for (const published of cloud.broker.decks.slice(before)) {
    const decoded = decodeDeck(published.deck);
    if (!decoded.ok) throw new Error('published deck does not decode');
    kiosks.find((kiosk) => kiosk.screenId === published.screenId)?.decks.push(decoded.value);
  }
  return { operator, advertiser, campaignId, couponOfferId, budgetFen: options.budgetFen, kiosks };
}

export interface TapOptions {
  ts?: number;
  counter?: number;
  deck?: Deck | null;
  envelopeIndex?: number;
  amountFen?: number;
  couponOfferId?: number;
  campaignId?: number;
  phoneKey?: KeyPair;
  screenKey?: KeyPair;
  serial?: number;
  flags?: number;
}

/** A signed token as the kiosk would commit it; takes the deck's next envelope unless told otherwise. */
export function makeTap(kiosk: Kiosk, phone: Phone, nowMs: number, options: TapOptions = {}): Uint8Array {
  const deck = options.deck === undefined ? kiosk.decks[0] : options.deck;
  const counter = options.counter ?? (kiosk.counter += 1);
  let envelopeIndex = ENVELOPE_INDEX_NONE;
  let amountFen = 0;
  let couponOfferId = options.couponOfferId ?? 0;
  if (deck !== null && deck !== undefined) {
    envelopeIndex = options.envelopeIndex ?? kiosk.cursor.get(deck.deckId) ?? 0;
    if (options.envelopeIndex === undefined) kiosk.cursor.set(deck.deckId, envelopeIndex + 1);
    const envelope = deck.envelopes[envelopeIndex];
    amountFen = options.amountFen ?? envelope?.amountFen ?? 0;
    couponOfferId = options.couponOfferId ?? envelope?.couponOfferId ?? 0;
  }
  const challenge = {
    screenId: kiosk.screenId,
    counter,
    // Three seconds per committed tap from the deck's start: a human pace, never in the future.
    ts:
      options.ts ??
      Math.min(Math.floor(nowMs / 1000), (deck?.validFrom ?? Math.floor(nowMs / 1000) - 300) + 3 * counter),
    nonce: new Uint8Array(16).map((_, i) => (counter * 7 + i) & 0xff),
    campaignId: options.campaignId ?? deck?.campaignId ?? 0,
  };
  const phoneSignature = sign(
    SignatureLabel.challenge,
    encodeChallenge(challenge),
    (options.phoneKey ?? phone.key).privateKey,
  );
  return signTapToken(
    {
      ...challenge,
      walletId: phone.walletId,
      credentialSerial: options.serial ?? phone.serial,
      phoneSignature,
      deckId: deck?.deckId ?? 0,
      envelopeIndex,
      amountFen,
      couponOfferId,
      flags: options.flags ?? 0,
    },
    (options.screenKey ?? kiosk.key).privateKey,
  ).bytes;
}
