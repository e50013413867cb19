// One screen's page for operators: what it is set to play now (its config and last proof of play), its
// recent taps (keyset pages, newest first), and its presence history with the uptime it adds up to.
import { and, asc, desc, eq, gte, lt, lte } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { playStats } from '../db/schema/play-stats.ts';
import { redemptions, type RedemptionStatus } from '../db/schema/redemptions.ts';
import { screenPresenceEvents } from '../db/schema/screens.ts';
import { buildScreenConfig, type ScreenConfigOptions } from './screen-config.ts';

export interface ScreenTap {
  counter: number;
  walletId: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number | null;
  status: RedemptionStatus;
  code: string | null;
  /** The kiosk's Unix seconds. */
  tapTs: number;
  receivedAt: string;
}

/** Newest first by the screen's tap counter, on the (screen_id, counter) unique index. */
export async function listScreenTaps(
  db: Database,
  screenId: number,
  page: { limit: number; before: number | null },
): Promise<ScreenTap[]> {
  const rows = await db
    .select({
      counter: redemptions.counter,
      walletId: redemptions.walletId,
      campaignId: redemptions.campaignId,
      amountFen: redemptions.amountFen,
      couponOfferId: redemptions.couponOfferId,
      status: redemptions.status,
      code: redemptions.code,
      tapTs: redemptions.tapTs,
      receivedAt: redemptions.receivedAt,
    })
    .from(redemptions)
    .where(
      and(
        eq(redemptions.screenId, screenId),
        page.before === null ? undefined : lt(redemptions.counter, page.before),
      ),
    )
    .orderBy(desc(redemptions.counter))
    .limit(page.limit);
  return rows.map((row) => ({ ...row, receivedAt: row.receivedAt.toISOString() }));
}

/** The cursor for the next (older) page, or null when this page was the last. */
export function nextBefore(items: { counter: number }[], limit: number): number | null {
  return items.length < limit ? null : (items.at(-1)?.counter ?? null);
}

export interface PresenceChange {
  connected: boolean;
  at: string;
}

/**
 * The share of [fromMs, toMs) the screen was connected, over the part of it whose state is known (from
 * its first recorded change, or the change before the span); null when none of it is known.
 * `changes` are in time order; `stateAtStart` is the state left by the last change before fromMs.
 */
export function uptimeRatio(
  changes: { connected: boolean; atMs: number }[],
  stateAtStart: boolean | null,
  fromMs: number,
  toMs: number,
): number | null {
  let state = stateAtStart;
  let sinceMs = fromMs;
  let knownMs = 0;
  let connectedMs = 0;
  const advance = (untilMs: number) => {
    const spanMs = Math.max(0, untilMs - sinceMs);
    if (state !== null) knownMs += spanMs;
    if (state === true) connectedMs += spanMs;
    sinceMs = Math.max(sinceMs, untilMs);
  };
  for (const change of changes) {
    if (change.atMs < fromMs) {
      state = change.connected;
      continue;
    }
    if (change.atMs >= toMs) break;
    advance(change.atMs);
    state = change.connected;
  }
  advance(toMs);
  return knownMs === 0 ? null : connectedMs / knownMs;
}

/** Changes read for the uptime of the longest span: a screen that flaps more is measured over fewer. */
const UPTIME_CHANGES_MAX = 5_000;
export const PRESENCE_CHANGES_SHOWN_MAX = 50;
const DAY_MS = 86_400_000;

export interface ScreenPresenceHistory {
  /** The latest changes of the week, newest first. */
  changes: PresenceChange[];
  /** The week had more changes than PRESENCE_CHANGES_SHOWN_MAX: `changes` holds the latest only. */
  changesTruncated: boolean;
  uptime: { last24h: number | null; last7d: number | null };
}

export async function screenPresenceHistory(
  db: Database,
  screenId: number,
  now: Date,
): Promise<ScreenPresenceHistory> {
  const nowMs = now.getTime();
  const weekFromMs = nowMs - 7 * DAY_MS;
  const recent = await db
    .select({ connected: screenPresenceEvents.connected, at: screenPresenceEvents.at })
    .from(screenPresenceEvents)
    .where(
      and(
        eq(screenPresenceEvents.screenId, screenId),
        gte(screenPresenceEvents.at, new Date(weekFromMs)),
        lte(screenPresenceEvents.at, now),
      ),
    )
    .orderBy(desc(screenPresenceEvents.at), desc(screenPresenceEvents.id))
    .limit(UPTIME_CHANGES_MAX);
  const [before] = await db
    .select({ connected: screenPresenceEvents.connected })
    .from(screenPresenceEvents)
    .where(
      and(eq(screenPresenceEvents.screenId, screenId), lt(screenPresenceEvents.at, new Date(weekFromMs))),
    )
    .orderBy(desc(screenPresenceEvents.at), desc(screenPresenceEvents.id))
    .limit(1);
  const inOrder = recent.map((row) => ({ connected: row.connected, atMs: row.at.getTime() })).reverse();
  // When the read was cut short, the state before the oldest change read is not known.
  const stateAtWeekStart = recent.length === UPTIME_CHANGES_MAX ? null : (before?.connected ?? null);
  return {
    changes: recent
      .slice(0, PRESENCE_CHANGES_SHOWN_MAX)
      .map((row) => ({ connected: row.connected, at: row.at.toISOString() })),
    changesTruncated: recent.length > PRESENCE_CHANGES_SHOWN_MAX,
    uptime: {
      last24h: uptimeRatio(inOrder, stateAtWeekStart, nowMs - DAY_MS, nowMs),
      last7d: uptimeRatio(inOrder, stateAtWeekStart, weekFromMs, nowMs),
    },
  };
}

export const RECENT_PLAYS_MAX = 20;

export interface ScreenNowPlaying {
  /** The version of the config the screen is sent; null when it is not active (no config). */
  configVersion: number | null;
  campaigns: {
    campaignId: number;
    name: string;
    sponsor: string;
    scheduledNow: boolean;
    creatives: number;
  }[];
  /** The latest proof of play, by local day, newest first. */
  recentPlays: { campaignId: number; day: string; creativeSha256: string; plays: number }[];
}

/**
 * What the screen is set to play: the campaigns of the config it is sent, each scheduled now or not by
 * its playlist's validity (dayparts are the kiosk's to apply in its own zone), and its latest plays.
 */
export async function screenNowPlaying(
  db: Database,
  screenId: number,
  now: Date,
  options: ScreenConfigOptions = {},
): Promise<ScreenNowPlaying> {
  const config = await buildScreenConfig(db, screenId, now, options);
  const nowS = Math.floor(now.getTime() / 1000);
  const recentPlays = await db
    .select({
      campaignId: playStats.campaignId,
      day: playStats.day,
      creativeSha256: playStats.creativeSha256,
      plays: playStats.plays,
    })
    .from(playStats)
    .where(eq(playStats.screenId, screenId))
    .orderBy(desc(playStats.day), asc(playStats.campaignId), asc(playStats.creativeSha256))
    .limit(RECENT_PLAYS_MAX);
  return {
    configVersion: config?.version ?? null,
    campaigns: (config?.campaigns ?? []).map((campaign) => {
      const items = (config?.playlist ?? []).filter((item) => item.campaignId === campaign.campaignId);
      return {
        campaignId: campaign.campaignId,
        name: campaign.name,
        sponsor: campaign.sponsor,
        scheduledNow: items.some((item) => item.validFrom <= nowS && nowS < item.validUntil),
        creatives: items.length,
      };
    }),
    recentPlays,
  };
}
