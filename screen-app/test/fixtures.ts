// Test fixtures for the kiosk: a temp store with an enrolled identity and config, credentials, decks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeHello,
  HelloFlag,
  sign,
  SignatureLabel,
  signCredential,
  signDeck,
  toHex,
  type CampaignConfig,
  type Envelope,
  type KeyPair,
  caseRules,
  type NetworkRules,
  type ScreenConfig,
} from '@redtap/shared';
import { testKeys } from '@redtap/shared/test-vectors';
import { saveConfig } from '../src/store/config-queries.ts';
import { saveIdentity } from '../src/store/identity-queries.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { TapEngine, type TapEngineOptions } from '../src/engine/tap-engine.ts';

export const SCREEN_ID = 1001;
export const CAMPAIGN_ID = 12;
export const FALLBACK_COUPON = 5;
/** 2026-11-21T00:00:00Z, 08:00 in Asia/Shanghai. */
export const T0 = 1_795_219_200;

export const keys = testKeys();

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'redtap-kiosk-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function campaign(overrides: Partial<CampaignConfig> = {}): CampaignConfig {
  return {
    campaignId: CAMPAIGN_ID,
    name: 'Spring tea',
    sponsor: 'Tea Co',
    cashPerWalletPerDay: 1,
    fallbackCouponOfferId: FALLBACK_COUPON,
    couponOffers: [{ couponOfferId: FALLBACK_COUPON, title: '¥2 off', valueFen: 200 }],
    ...overrides,
  };
}

/** The network's rules as a cloud of today publishes them in every config (docs/protocol.md §5.5). */
export const networkRules: NetworkRules = caseRules;

export function screenConfig(overrides: Partial<ScreenConfig> = {}): ScreenConfig {
  return {
    version: 1,
    issuedAt: T0,
    timezone: 'Asia/Shanghai',
    issuerKeys: [{ keyId: 1, publicKey: toHex(keys.issuer.publicKeyRaw) }],
    campaigns: [campaign()],
    playlist: [],
    creatives: [],
    revocation: { version: 1, credentials: [] },
    deckRefillThreshold: 10,
    ...overrides,
  };
}

export function enrolStore(store: Store, config: ScreenConfig | null = screenConfig()): void {
  saveIdentity(store, {
    screenId: SCREEN_ID,
    keyPath: '/dev/null',
    publicKey: keys.screen.publicKeyRaw,
    mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'screen-1001', password: 'x', topicRoot: 'redtap/v1' },
    issuerKeys: [{ keyId: 1, publicKey: keys.issuer.publicKeyRaw }],
    enrolledAt: T0,
  });
  if (config !== null) saveConfig(store, config, T0);
}

export interface Clock {
  now: () => number;
  set: (ts: number) => void;
}

export function clock(start = T0): Clock {
  let ts = start;
  return { now: () => ts, set: (value) => (ts = value) };
}

export function engineFor(store: Store, options: Partial<TapEngineOptions> = {}): TapEngine {
  return new TapEngine({
    store,
    screenKey: keys.screen.privateKey,
    screenPublicKeyRaw: keys.screen.publicKeyRaw,
    ...options,
  });
}

export function kiosk(
  dir: string,
  options: Partial<TapEngineOptions> & { config?: ScreenConfig | null } = {},
) {
  const store = openStore({ path: join(dir, 'kiosk.db') });
  enrolStore(store, options.config === undefined ? screenConfig() : options.config);
  const { config: _config, ...engineOptions } = options;
  return { store, engine: engineFor(store, engineOptions) };
}

export interface HelloOptions {
  walletId?: number;
  serial?: number;
  expiresAt?: number;
  issuerKeyId?: number;
  issuer?: KeyPair;
  phone?: KeyPair;
  online?: boolean;
}

export function hello(options: HelloOptions = {}): Uint8Array {
  const credential = signCredential(
    {
      walletId: options.walletId ?? 4242,
      credentialSerial: options.serial ?? 1,
      phonePublicKey: (options.phone ?? keys.phone).publicKeyRaw,
      expiresAt: options.expiresAt ?? T0 + 365 * 86_400,
      issuerKeyId: options.issuerKeyId ?? 1,
    },
    (options.issuer ?? keys.issuer).privateKey,
  );
  return encodeHello({ flags: options.online === true ? HelloFlag.phoneOnline : 0, credential });
}

export function phoneSign(challenge: Uint8Array, phone: KeyPair = keys.phone): Uint8Array {
  return sign(SignatureLabel.challenge, challenge, phone.privateKey);
}

export interface DeckOptions {
  deckId?: number;
  campaignId?: number;
  screenId?: number;
  validFrom?: number;
  validUntil?: number;
  envelopes?: Envelope[];
  /** Fallback-coupon allotment slots after the envelopes (docs/protocol.md §3.4); 4 unless told. */
  fallbackCount?: number;
  fallbackCouponOfferId?: number;
  issuer?: KeyPair;
  issuerKeyId?: number;
}

export function deckBytes(options: DeckOptions = {}): Uint8Array {
  return signDeck(
    {
      deckId: options.deckId ?? 900,
      campaignId: options.campaignId ?? CAMPAIGN_ID,
      screenId: options.screenId ?? SCREEN_ID,
      validFrom: options.validFrom ?? T0 - 3_600,
      validUntil: options.validUntil ?? T0 + 86_400,
      envelopes: [
        ...(options.envelopes ?? [
          { amountFen: 120, couponOfferId: 0 },
          { amountFen: 35, couponOfferId: 5 },
          { amountFen: 200, couponOfferId: 0 },
          { amountFen: 88, couponOfferId: 5 },
        ]),
        ...Array.from({ length: options.fallbackCount ?? 4 }, () => ({
          amountFen: 0,
          couponOfferId: options.fallbackCouponOfferId ?? FALLBACK_COUPON,
        })),
      ],
      fallbackCount: options.fallbackCount ?? 4,
      issuerKeyId: options.issuerKeyId ?? 1,
    },
    (options.issuer ?? keys.issuer).privateKey,
  ).bytes;
}

/** One whole tap through the engine, as a driver would run it. */
export async function tap(engine: TapEngine, helloBytes: Uint8Array = hello(), phone: KeyPair = keys.phone) {
  const begun = await engine.beginTap(helloBytes);
  if (!begun.ok) return begun;
  return engine.completeTap(begun.session, phoneSign(begun.session.challenge, phone));
}
