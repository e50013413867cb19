// The retained per-screen config (shared ScreenConfig, docs/protocol.md §5.5): issuer keys, time zone,
// the credential revocation list, and the active campaigns that target the screen with their playlist
// and creatives manifest.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ScreenConfig, cityKey, type ConfigRevocation, type IssuerKey } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { screens } from '../db/schema/screens.ts';
import { pinnedIssuerKeys } from './issuer-keys.ts';
import { configRevocation } from './revocations.ts';
import { SCREEN_CAMPAIGNS_MAX } from './campaign-screens.ts';
import { int, queryRows } from '../db/rows.ts';
import type { CampaignConfig, CreativeEntry, PlaylistItem } from '@redtap/shared';
import type { CampaignCreative, CampaignRules } from '../db/schema/campaigns.ts';
import { sql } from 'drizzle-orm';
import type { Daypart, NetworkRules } from '@redtap/shared';
import { networkRulesOf, type MoneySettings } from '../money-settings.ts';

const U32_MAX = 0xffffffff;
const PLAYLIST_ITEMS_MAX = 500;

/**
 * What every screen's config carries besides its own rows: the network's limits (networkRulesOf the
 * cloud's money settings) and the configured public origin of claim URLs (docs/protocol.md §3.8).
 */
export interface ScreenConfigOptions {
  rules?: NetworkRules | undefined;
  publicOrigin?: string | undefined;
}

/** The options from the app's settings; only a configured origin goes out, never a development fallback. */
export function screenConfigOptionsOf(settings: {
  money: MoneySettings;
  configuredPublicOrigin?: string | undefined;
}): ScreenConfigOptions {
  return { rules: networkRulesOf(settings.money), publicOrigin: settings.configuredPublicOrigin };
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

type ScreenCampaigns = { campaigns: CampaignConfig[]; playlist: PlaylistItem[]; creatives: CreativeEntry[] };

/**
 * What one dispatcher pass reads once and shares between the configs it builds: the revocation window,
 * the issuer keys, and the campaign content of each distinct campaign set (the screens of one
 * audience). Made after the pass claims its screens, so all it holds was read after
 * every change the claim must publish. Its reads do not grow with the screens of the pass.
 */
export interface ScreenConfigPassCache {
  revocation?: Promise<ConfigRevocation>;
  issuerKeys?: Promise<IssuerKey[]>;
  /** By the campaign ids a screen gets, in config order. */
  campaignSets: Map<string, ScreenCampaigns>;
}

export function newScreenConfigPassCache(): ScreenConfigPassCache {
  return { campaignSets: new Map() };
}

/**
 * Active campaigns targeting this screen (campaign_screens, kept by the one targeting rule of
 * campaign-screens.ts), their playlist items and the creatives they need.
 */
async function screenCampaigns(
  db: Database,
  screenId: number,
  cache?: ScreenConfigPassCache,
): Promise<ScreenCampaigns> {
  const targeted = await queryRows<{
    id: unknown;
    name: string;
    sponsor: string;
    advertiser_id: unknown;
    starts_at: unknown;
    ends_at: unknown;
    dayparts: Daypart[] | string;
    rules: CampaignRules | string;
    creatives: CampaignCreative[] | string;
  }>(
    db,
    sql`select c.id, c.name, c.sponsor, c.advertiser_id, c.starts_at, c.ends_at, c.dayparts, c.rules, c.creatives
        from campaign_screens cs join campaigns c on c.id = cs.campaign_id
        where cs.screen_id = ${screenId} and c.status = 'active'
        order by c.id limit ${SCREEN_CAMPAIGNS_MAX}`,
  );
  const ids = targeted.map((row) => int(row.id));
  const setKey = JSON.stringify(ids);
  const cached = cache?.campaignSets.get(setKey);
  if (cached !== undefined) return cached;
  const offers =
    ids.length === 0
      ? []
      : await queryRows<{
          id: unknown;
          campaign_id: unknown;
          title: string;
          value_fen: unknown;
          valid_until: unknown;
        }>(
          db,
          sql`select id, campaign_id, title, value_fen, valid_until from coupon_offers
              where campaign_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint) order by id`,
        );
  const playlist: PlaylistItem[] = [];
  const hashes = new Set<string>();
  const campaignConfigs = targeted.map((row): CampaignConfig => {
    const rules = parsed(row.rules);
    for (const creative of parsed(row.creatives)) {
      hashes.add(creative.sha256);
      if (playlist.length < PLAYLIST_ITEMS_MAX)
        playlist.push({
          campaignId: int(row.id),
          creativeSha256: creative.sha256,
          durationMs: creative.durationMs,
          validFrom: int(row.starts_at),
          validUntil: int(row.ends_at),
          dayparts: parsed(row.dayparts),
        });
    }
    return {
      campaignId: int(row.id),
      name: row.name,
      sponsor: row.sponsor,
      cashPerWalletPerDay: rules.cashPerWalletPerDay,
      fallbackCouponOfferId: rules.fallbackCouponOfferId,
      // The settlement's coupon cap, so the kiosk withholds a fallback coupon the cloud would refuse.
      couponsPerWalletPerDay: rules.couponsPerWalletPerDay,
      // For the phone's tap log (docs/protocol.md §4.3); a u32 on the wire, so a larger id is left out.
      ...(int(row.advertiser_id) <= U32_MAX ? { advertiserId: int(row.advertiser_id) } : {}),
      // The advertiser's choice; left out when off, as in configs from before it.
      ...(rules.fallThrough === true ? { fallThrough: true } : {}),
      // Where its prizes may be won; left out when every path is (the default, and configs before it).
      // Without tap the kiosk pays no app tap for it and plays it without a deck (docs/protocol.md §5.5).
      ...(rules.claimPaths === undefined ? {} : { claimPaths: rules.claimPaths }),
      couponOffers: offers
        .filter((offer) => int(offer.campaign_id) === int(row.id))
        .map((offer) => ({
          couponOfferId: int(offer.id),
          title: offer.title,
          valueFen: int(offer.value_fen),
          validUntil: int(offer.valid_until),
        })),
    };
  });
  const content =
    hashes.size === 0
      ? []
      : await queryRows<{ sha256: string; mime: CreativeEntry['mime']; bytes: unknown }>(
          db,
          sql`select sha256, mime, bytes from content_objects
              where sha256 in (select jsonb_array_elements_text(${JSON.stringify([...hashes])}::jsonb))
              order by sha256`,
        );
  // Relative to the cloud's HTTP base, which the kiosk already knows from enrolment.
  const creatives = content.map((row) => ({
    sha256: row.sha256,
    mime: row.mime,
    bytes: int(row.bytes),
    url: `/v1/content/${row.sha256}`,
  }));
  const built = { campaigns: campaignConfigs, playlist, creatives };
  cache?.campaignSets.set(setKey, built);
  return built;
}

export const DECK_REFILL_THRESHOLD_DEFAULT = 20;

/**
 * The screen's config. With `rules` the kiosk judges its taps as the cloud will; without them it judges
 * as kiosks did before. Without `publicOrigin` the kiosk's claim URLs use the cloud URL it enrolled with.
 */
export async function buildScreenConfig(
  db: Database,
  screenId: number,
  now: Date,
  options: ScreenConfigOptions = {},
  cache?: ScreenConfigPassCache,
): Promise<ScreenConfig | null> {
  const { rules, publicOrigin } = options;
  const [screen] = await db
    .select({
      timezone: screens.timezone,
      configVersion: screens.configVersion,
      status: screens.status,
      city: screens.city,
      building: screens.building,
    })
    .from(screens)
    .where(eq(screens.id, screenId))
    .limit(1);
  if (screen?.status !== 'active') return null;
  const nowS = Math.floor(now.getTime() / 1000);
  // A bounded window of the latest revocations, whatever their number (docs/protocol.md §5.5).
  const revocation = await (cache === undefined
    ? configRevocation(db, now)
    : (cache.revocation ??= configRevocation(db, now)));
  const issuerKeys = await (cache === undefined
    ? pinnedIssuerKeys(db, now)
    : (cache.issuerKeys ??= pinnedIssuerKeys(db, now)));
  return ScreenConfig.parse({
    version: screen.configVersion,
    issuedAt: nowS,
    timezone: screen.timezone,
    cityKey: cityKey(screen.city),
    issuerKeys,
    ...(await screenCampaigns(db, screenId, cache)),
    revocation,
    deckRefillThreshold: DECK_REFILL_THRESHOLD_DEFAULT,
    ...(rules === undefined ? {} : { rules }),
    ...(publicOrigin === undefined ? {} : { publicOrigin }),
  });
}

/** What the kiosk enforces, without the version and issue time: equal hashes mean an equal config. */
export function screenConfigContentHash(config: ScreenConfig): string {
  const { version: _version, issuedAt: _issuedAt, ...content } = config;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
