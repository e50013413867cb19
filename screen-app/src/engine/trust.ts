// What the engine trusts, derived once per identity/config: issuer keys, revocations, campaigns.
import type { KeyObject } from 'node:crypto';
import {
  fromHex,
  importPublicKeyRaw,
  parseRevokedEntry,
  type CampaignConfig,
  type NetworkRules,
  type ScreenConfig,
} from '@redtap/shared';
import type { Logger } from 'pino';
import type { ScreenIdentity } from '../store/identity-queries.ts';
import { localDayIn, type LocalDay } from './local-day.ts';

export interface TrustView {
  screenId: number;
  issuerKeys: ReadonlyMap<number, KeyObject>;
  /** Whether a credential (`walletId:serial`) is revoked (docs/protocol.md §5.5). */
  revoked: { has(credential: string): boolean };
  /** Config order: the rotation of campaign-choice.ts runs over it. */
  campaigns: readonly CampaignConfig[];
  campaignById: ReadonlyMap<number, CampaignConfig>;
  /** The cap day of a tap: the network's (rules.capTimezone), or the screen's for a config without rules. */
  localDay: LocalDay;
  /** The network's rules the cloud judges with (docs/protocol.md §5.5); null in a config from before them. */
  rules: NetworkRules | null;
  timezone: string;
  /** cityKey of the screen's city, 0 when the config does not say. */
  cityKey: number;
  deckRefillThreshold: number;
}

/**
 * Keys pinned at enrolment are the trust root. The retained config (published only by the cloud, per
 * the broker ACL) may add keys for rotation, but never replaces a pinned key id.
 */
export function issuerKeysOf(
  identity: ScreenIdentity,
  config: ScreenConfig | null,
  logger?: Logger,
): Map<number, KeyObject> {
  const keys = new Map<number, KeyObject>();
  for (const pinned of identity.issuerKeys) {
    const imported = importPublicKeyRaw(pinned.publicKey);
    if (imported.ok) keys.set(pinned.keyId, imported.value);
    else logger?.error({ keyId: pinned.keyId }, 'pinned issuer key is not a P-256 point');
  }
  for (const offered of config?.issuerKeys ?? []) {
    if (keys.has(offered.keyId)) continue;
    const raw = fromHex(offered.publicKey);
    const imported = raw === null ? null : importPublicKeyRaw(raw);
    if (imported?.ok === true) keys.set(offered.keyId, imported.value);
    else logger?.warn({ keyId: offered.keyId }, 'config issuer key is not a P-256 point');
  }
  return keys;
}

/**
 * The trust view of a config. Revoked: the config's own list (the v1 list of a config from before
 * windows, and the window's entries) and `storedRevoked`, the store's set that deltas and pages build.
 */
export function buildTrust(
  identity: ScreenIdentity,
  config: ScreenConfig,
  logger?: Logger,
  storedRevoked: (credential: string) => boolean = () => false,
): TrustView {
  const inConfig = new Set(config.revocation.credentials ?? []);
  for (const entry of config.revocation.recent ?? []) {
    const parsed = parseRevokedEntry(entry);
    if (parsed !== null) inConfig.add(parsed.credential);
  }
  return {
    screenId: identity.screenId,
    issuerKeys: issuerKeysOf(identity, config, logger),
    revoked: { has: (credential) => inConfig.has(credential) || storedRevoked(credential) },
    campaigns: config.campaigns,
    campaignById: new Map(config.campaigns.map((campaign) => [campaign.campaignId, campaign])),
    localDay: localDayIn(config.rules?.capTimezone ?? config.timezone, logger),
    rules: config.rules ?? null,
    timezone: config.rules?.capTimezone ?? config.timezone,
    cityKey: config.cityKey ?? 0,
    deckRefillThreshold: config.deckRefillThreshold,
  };
}

/**
 * The coupon a tap at `ts` awards: `couponOfferId`, or 0 when the config says that offer's validity
 * ended (validUntil is the first second it is dead). An offer the config does not date is awarded:
 * configs from before offers carried validUntil, and the cloud judges the offer again at settlement.
 */
export function liveCoupon(campaign: CampaignConfig, couponOfferId: number, ts: number): number {
  if (couponOfferId === 0) return 0;
  const offer = campaign.couponOffers.find((candidate) => candidate.couponOfferId === couponOfferId);
  return offer?.validUntil !== undefined && ts >= offer.validUntil ? 0 : couponOfferId;
}
