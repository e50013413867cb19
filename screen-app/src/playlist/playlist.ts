// Which playlist item plays now and in what order: validity window, dayparts in the screen's own
// timezone, and only creatives already in the local content cache. Pure: the clock is a parameter.
import {
  offersPath,
  type CampaignConfig,
  type Daypart,
  type PlaylistItem,
  type ScreenConfig,
} from '@redtap/shared';
import { localTimeAt, type LocalTime } from './local-time.ts';

export type CreativeMime = ScreenConfig['creatives'][number]['mime'];

/** How long the built-in default creative stays up before the playlist is looked at again. */
export const DEFAULT_CONTENT_DURATION_MS = 15_000;

export interface PlaylistContext {
  /** The screen's IANA timezone (ScreenConfig.timezone). */
  timezone: string;
  /** Creatives present in the local content cache, by sha256, with their type. */
  cached: ReadonlyMap<string, CreativeMime>;
  nowMs: number;
  /**
   * Campaigns whose creatives may play (campaignsOnAir): those the screen holds a usable deck of (open, in
   * its window, with envelopes left), since a campaign's creatives play only while it can pay a tap
   * (docs/kiosk.md §7), and those claimed online only. Absent: no campaign is held back.
   */
  campaignsWithDeck?: ReadonlySet<number>;
}

export type PlaylistPick =
  | { kind: 'creative'; index: number; item: PlaylistItem; mime: CreativeMime }
  | { kind: 'default'; durationMs: number };

/**
 * A daypart is [startMinute, endMinute) on each listed ISO weekday (empty = every day). When
 * startMinute ≥ endMinute it runs overnight: from startMinute on a listed day to endMinute the next day.
 */
export function inDaypart(daypart: Daypart, local: LocalTime): boolean {
  const dayListed = (day: number) => daypart.days.length === 0 || daypart.days.includes(day);
  const { startMinute, endMinute } = daypart;
  if (startMinute < endMinute)
    return dayListed(local.isoWeekday) && local.minuteOfDay >= startMinute && local.minuteOfDay < endMinute;
  const previousDay = local.isoWeekday === 1 ? 7 : local.isoWeekday - 1;
  return (
    (dayListed(local.isoWeekday) && local.minuteOfDay >= startMinute) ||
    (dayListed(previousDay) && local.minuteOfDay < endMinute)
  );
}

export function isPlayable(item: PlaylistItem, context: PlaylistContext, local: LocalTime): boolean {
  const nowS = Math.floor(context.nowMs / 1000);
  if (nowS < item.validFrom || nowS >= item.validUntil) return false;
  if (!context.cached.has(item.creativeSha256)) return false;
  if (context.campaignsWithDeck !== undefined && !context.campaignsWithDeck.has(item.campaignId))
    return false;
  return item.dayparts.length === 0 || item.dayparts.some((daypart) => inDaypart(daypart, local));
}

/**
 * Playable items in play order: round robin in playlist order, starting after `afterIndex` (the item
 * that played last; -1 to start from the top).
 */
export function playOrder(
  playlist: readonly PlaylistItem[],
  context: PlaylistContext,
  afterIndex = -1,
): number[] {
  const local = localTimeAt(context.timezone, context.nowMs);
  const order: number[] = [];
  const count = playlist.length;
  for (let step = 1; step <= count; step++) {
    const index = (((afterIndex + step) % count) + count) % count;
    const item = playlist[index];
    if (item !== undefined && isPlayable(item, context, local)) order.push(index);
  }
  return order;
}

/** The item to start now, or the default content when nothing scheduled is playable and cached. */
export function nextPick(
  playlist: readonly PlaylistItem[],
  context: PlaylistContext,
  afterIndex = -1,
): PlaylistPick {
  for (const index of playOrder(playlist, context, afterIndex)) {
    const item = playlist[index];
    const mime = item === undefined ? undefined : context.cached.get(item.creativeSha256);
    if (item !== undefined && mime !== undefined) return { kind: 'creative', index, item, mime };
  }
  return { kind: 'default', durationMs: DEFAULT_CONTENT_DURATION_MS };
}

/**
 * The config's campaigns that may play now: a campaign that pays taps while the screen holds a usable
 * deck of it (`withDeck`); a campaign whose claimPaths leave out `tap` has no deck (docs/protocol.md §3.4)
 * and plays while the config names it, its prize claimed online from the QR code it puts on screen.
 */
export function campaignsOnAir(
  campaigns: readonly CampaignConfig[],
  withDeck: ReadonlySet<number>,
): Set<number> {
  const onAir = new Set(withDeck);
  for (const campaign of campaigns) if (!offersPath(campaign, 'tap')) onAir.add(campaign.campaignId);
  return onAir;
}

/** The manifest entries whose files are in the cache, as the map PlaylistContext wants. */
export function cachedCreatives(
  manifest: ScreenConfig['creatives'],
  isCached: (sha256: string) => boolean,
): Map<string, CreativeMime> {
  const cached = new Map<string, CreativeMime>();
  for (const entry of manifest) if (isCached(entry.sha256)) cached.set(entry.sha256, entry.mime);
  return cached;
}
