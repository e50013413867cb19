// Money set-up on an embedded cloud through its HTTP API, as an operator and an advertiser would do it:
// a funded, approved and active campaign over a city, phones registered as wallets, and their balances.
import {
  decodeCredential,
  fromHex,
  generateKeyPair,
  loginMessage,
  sign,
  SignatureLabel,
  toHex,
  type ClaimPath,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import type { TestCloud } from './cloud-harness.ts';

type Call = TestCloud['call'];

async function expectStatus(
  reply: Promise<{ status: number; body: Record<string, unknown> }>,
  status: number,
  what: string,
): Promise<Record<string, unknown>> {
  const { status: seen, body } = await reply;
  if (seen !== status) throw new Error(`${what}: HTTP ${seen} ${JSON.stringify(body)}`);
  return body;
}

let transferIds = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

export interface ActiveCampaign {
  campaignId: number;
  advertiserToken: string;
  /** The ids of the campaign's coupon offers, in the order given. */
  couponOfferIds: number[];
}

export interface CampaignCouponOffer {
  title: string;
  valueFen: number;
  stock: number;
  validityDays?: number;
}

export interface CampaignRules {
  cashPerWalletPerDay: number;
  couponsPerWalletPerDay: number;
  fallbackCouponOfferIndex: number | null;
  /** Where its prizes may be won; absent: every path, with a claim reserve kept out of the decks. */
  claimPaths?: ClaimPath[];
}

/**
 * An advertiser funds a campaign over `city` with fixed tiers of `amountFen` packets, the operator
 * approves it, and it is activated: the cloud issues decks to the targeted screens and republishes
 * their configs. Screens should be enrolled (and connected) first so they receive their deck.
 */
export async function activeCampaign(
  call: Call,
  options: {
    city: string;
    /** Every city the campaign targets; `city` alone by default. */
    cities?: string[];
    amountFen: number;
    count: number;
    name?: string;
    /** The brand the screens and the wallet name; 'Tea Co' by default. */
    sponsor?: string;
    /** Screen groups the campaign targets (with the cities, when any are given). */
    screenGroupIds?: number[];
    couponOffers?: CampaignCouponOffer[];
    rules?: CampaignRules;
    /**
     * What the screens play: creatives the advertiser uploads (`POST /v1/content`) first; a 1×1 PNG for
     * 15 s by default.
     */
    creatives?: { bytes: Uint8Array; durationMs: number }[];
  },
): Promise<ActiveCampaign> {
  const budgetFen = options.amountFen * options.count;
  const email = `brand-${Date.now().toString(36)}-${(transferIds++).toString(36)}@example.com`;
  const advertiser = await expectStatus(
    call('POST', '/v1/advertisers', { name: `Brand ${email}`, email, password: 'advertiser-password' }),
    201,
    'create advertiser',
  );
  const advertiserId = Number(advertiser.id);
  await expectStatus(
    call('POST', `/v1/advertisers/${advertiserId}/funding`, {
      amountFen: budgetFen * 2,
      transferId: transferIds++,
    }),
    200,
    'fund advertiser',
  );
  const login = await expectStatus(
    call('POST', '/v1/auth/login', { email, password: 'advertiser-password' }),
    200,
    'advertiser login',
  );
  const advertiserToken = String(login.token);
  // The API refuses a campaign that plays nothing: without creatives of its own it plays the default one.
  const creatives: { sha256: string; durationMs: number }[] = [];
  for (const creative of options.creatives ?? [{ bytes: DEFAULT_CREATIVE_PNG, durationMs: 15_000 }])
    creatives.push({
      sha256: await uploadCreative(call, advertiserToken, creative.bytes),
      durationMs: creative.durationMs,
    });
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await expectStatus(
    call(
      'POST',
      '/v1/campaigns',
      {
        name: options.name ?? 'Spring tea',
        sponsor: options.sponsor ?? 'Tea Co',
        startsAt: nowS - 3_600,
        endsAt: nowS + 30 * 86_400,
        targeting: {
          cities: options.cities ?? (options.city === '' ? [] : [options.city]),
          buildings: [],
          screenGroupIds: options.screenGroupIds ?? [],
        },
        budgetFen,
        prizePlan: { kind: 'tiers', tiers: [{ amountFen: options.amountFen, count: options.count }] },
        couponOffers: (options.couponOffers ?? []).map((offer) => ({
          title: offer.title,
          valueFen: offer.valueFen,
          stock: offer.stock,
          validUntil: nowS + 60 * 86_400,
          validityDays: offer.validityDays ?? 7,
        })),
        rules: options.rules ?? {
          cashPerWalletPerDay: 1,
          couponsPerWalletPerDay: 1,
          fallbackCouponOfferIndex: null,
        },
        creatives,
      },
      advertiserToken,
    ),
    201,
    'create campaign',
  );
  const campaignId = Number(campaign.id);
  const couponOfferIds = (campaign.couponOffers as { id: number }[]).map((offer) => offer.id);
  const transition = (name: string, token?: string) =>
    expectStatus(
      call('POST', `/v1/campaigns/${campaignId}/transitions`, { transition: name }, token),
      200,
      `campaign ${name}`,
    );
  await transition('submit', advertiserToken);
  await transition('approve');
  await expectStatus(
    call(
      'POST',
      `/v1/campaigns/${campaignId}/funding`,
      { amountFen: budgetFen, transferId: transferIds++ },
      advertiserToken,
    ),
    200,
    'fund campaign',
  );
  await transition('activate', advertiserToken);
  return { campaignId, advertiserToken, couponOfferIds };
}

/** A 1×1 red PNG: a campaign's creative unless it names its own. */
export const DEFAULT_CREATIVE_PNG = new Uint8Array(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
  ),
);

/** Uploads a creative's bytes (`POST /v1/content`, the raw body; the cloud reads the type from them). */
export async function uploadCreative(call: Call, token: string, bytes: Uint8Array): Promise<string> {
  const { status, body } = await call('POST', '/v1/content', bytes, token);
  // 201 stored, 200 when the same bytes were stored before.
  if (status !== 201 && status !== 200)
    throw new Error(`upload creative: HTTP ${status} ${JSON.stringify(body)}`);
  return String(body.sha256);
}

export interface TestWallet {
  walletId: number;
  keyPair: KeyPair;
  credential: WalletCredential;
  /** The 147-byte credential as the cloud sent it, hex. */
  credentialHex: string;
}

/** A phone registers its key with the cloud (`POST /v1/wallets`) and gets its credential. */
export async function registerWallet(call: Call): Promise<TestWallet> {
  const keyPair = generateKeyPair();
  const issued = await expectStatus(
    call('POST', '/v1/wallets', { publicKey: toHex(keyPair.publicKeyRaw) }, ''),
    201,
    'register wallet',
  );
  const credentialHex = String(issued.credential);
  const decoded = decodeCredential(fromHex(credentialHex) ?? new Uint8Array());
  if (!decoded.ok) throw new Error(`the cloud issued a credential that does not decode: ${decoded.code}`);
  return { walletId: decoded.value.walletId, keyPair, credential: decoded.value, credentialHex };
}

/** Logs in as the wallet (a signed nonce) and reads its cash balance. */
export async function walletBalanceFen(call: Call, wallet: TestWallet): Promise<number> {
  const me = await expectStatus(
    call('GET', '/v1/wallets/me', undefined, await walletSession(call, wallet)),
    200,
    'me',
  );
  return Number(me.balanceFen);
}

/** Logs in as the wallet (or uses its `session`) and lists the coupons the cloud issued it (newest first). */
export async function walletCoupons(
  call: Call,
  wallet: TestWallet,
  session?: string,
): Promise<{ couponOfferId: number; title: string; status: string }[]> {
  const page = await expectStatus(
    call('GET', '/v1/wallets/me/coupons', undefined, session ?? (await walletSession(call, wallet))),
    200,
    'wallet coupons',
  );
  return page.items as { couponOfferId: number; title: string; status: string }[];
}

export interface WalletHistoryItem {
  id: number;
  screenId: number;
  counter: number;
  tapTs: number;
  amountFen: number;
  status: string;
  reason: string | null;
  /** The brand of the tap's campaign: its sponsor, else its advertiser's name. */
  brand: string | null;
  couponTitle: string | null;
}

/**
 * Logs in as the wallet (or uses its `session`) and reads its tap history: each tap's final result
 * (newest first).
 */
export async function walletHistory(
  call: Call,
  wallet: TestWallet,
  session?: string,
): Promise<WalletHistoryItem[]> {
  const page = await expectStatus(
    call('GET', '/v1/wallets/me/history', undefined, session ?? (await walletSession(call, wallet))),
    200,
    'wallet history',
  );
  return page.items as WalletHistoryItem[];
}

/**
 * A wallet session: the login challenge's nonce signed with the phone key. The cloud limits logins per
 * client and minute, so a test reading a wallet more than once keeps its session.
 */
export async function walletSession(call: Call, wallet: TestWallet): Promise<string> {
  const challenge = await expectStatus(
    call('GET', `/v1/wallets/${wallet.walletId}/login-challenge`, undefined, ''),
    200,
    'login challenge',
  );
  const nonce = String(challenge.nonce);
  const signature = sign(
    SignatureLabel.login,
    loginMessage(wallet.walletId, fromHex(nonce) ?? new Uint8Array()),
    wallet.keyPair.privateKey,
  );
  const session = await expectStatus(
    call('POST', `/v1/wallets/${wallet.walletId}/login`, { nonce, signature: toHex(signature) }, ''),
    200,
    'wallet login',
  );
  return String(session.token);
}
