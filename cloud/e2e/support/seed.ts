// Seeding for browser tests through the cloud's own API, as an operator or advertiser would: sign-ins,
// advertisers, screens and campaigns, each failing loudly when the cloud does not answer as expected.
import { callApi } from './console-cloud.ts';

export interface Credentials {
  email: string;
  password: string;
}

/** A console user's bearer token, signed in through the API (for setup; the tests sign in on the page). */
export async function loginToken(baseUrl: string, user: Credentials): Promise<string> {
  const { token } = await callApi<{ token: string }>(baseUrl, '/v1/auth/login', {
    body: { email: user.email, password: user.password },
  });
  return token;
}

/** POSTs a new resource with the token's role and returns the id the cloud gave it (201 Created). */
async function createdId(baseUrl: string, path: string, token: string, body: unknown): Promise<number> {
  const { id } = await callApi<{ id: number }>(baseUrl, path, { token, body, status: 201 });
  return id;
}

/** Creates an advertiser with its first user, as the operator; returns the advertiser's id. */
export function seedAdvertiser(
  baseUrl: string,
  operatorToken: string,
  advertiser: Credentials & { name: string },
): Promise<number> {
  return createdId(baseUrl, '/v1/advertisers', operatorToken, advertiser);
}

export interface ScreenPlace {
  name: string;
  city: string;
  building: string;
  elevator: string;
}

/** Provisions a screen (pending until a kiosk enrols), as the operator; returns its id. */
export function seedScreen(baseUrl: string, operatorToken: string, place: ScreenPlace): Promise<number> {
  return createdId(baseUrl, '/v1/screens', operatorToken, place);
}

export interface CampaignSeed {
  name: string;
  sponsor: string;
  startsAt: number;
  endsAt: number;
  /** Any other field of the create-campaign body (advertiserId, targeting, couponOffers, rules, …). */
  [field: string]: unknown;
}

/** The prizes of a seeded campaign unless it says otherwise: ten ¥1 envelopes, a ¥10 budget. */
export const TEN_ONE_YUAN_ENVELOPES = {
  budgetFen: 1_000,
  prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
} as const;

/** A 1×1 red PNG: a seeded campaign's creative unless it names its own. */
export const SEED_CREATIVE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** Uploads a creative's bytes as the token's role (`POST /v1/content`, the raw body) and answers its hash. */
export async function seedCreative(baseUrl: string, token: string, png = SEED_CREATIVE_PNG): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/content`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: png,
  });
  const text = await response.text();
  // 201 stored, 200 when the same bytes were stored before.
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`/v1/content → ${String(response.status)} ${text}`);
  return (JSON.parse(text) as { sha256: string }).sha256;
}

/**
 * Creates a draft campaign with the token's role (an operator names the advertiserId). It plays the seed
 * creative for 15 s unless it names its own creatives: the API refuses a campaign without one.
 */
export async function seedCampaign(
  baseUrl: string,
  token: string,
  campaign: CampaignSeed,
): Promise<{ id: number; couponOffers: { id: number }[] }> {
  const creatives = campaign.creatives ?? [
    { sha256: await seedCreative(baseUrl, token), durationMs: 15_000 },
  ];
  return callApi(baseUrl, '/v1/campaigns', {
    token,
    body: { ...TEN_ONE_YUAN_ENVELOPES, ...campaign, creatives },
    status: 201,
  });
}
