// Proof of play (docs/protocol.md §5.3), judged before it counts: a screen's MQTT credentials are all it
// takes to send one. A period lies within one UTC hour and overlaps no other period the screen reported;
// an item counts only for a campaign and creative in a config the screen held during the period; items
// naming the same campaign and creative are merged; plays are bounded by what one screen can show in the
// period. What counts is summed per screen, campaign, local day and creative (one upserted row each), and
// a report redelivered by the broker is recognised by its period and counted once.
import { sql } from 'drizzle-orm';
import { assert, type ProofOfPlayEvent } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { ConfigPlaylistEntry } from '../db/schema/screen-config-versions.ts';
import { localDay } from '../local-day.ts';
import { playlistDuring } from './screen-config-history.ts';

const HOUR_S = 3_600;
export const PLAY_PERIOD_S_MAX = HOUR_S;
/** Reports per screen and UTC hour: a kiosk sends one an hour; twelve leave room for five-minute periods. */
export const PLAY_PERIODS_PER_HOUR_MAX = 12;
/** The longest single showing a kiosk measures (its ad loop stops there). */
export const PLAY_SHOWING_MS_MAX = 600_000;
/** Periods read to find an overlap: two hours' worth, plus rows stored before periods were bounded. */
const NEAR_PERIODS_MAX = 1_000;
const INT8_MAX = '9223372036854775807';

/** Why a report or one of its items did not count (or not in full): logged and counted per screen. */
export const PlayCode = {
  /** The period ends before it starts, is longer than an hour or spans two UTC hours. */
  PERIOD_INVALID: 'PLAY_PERIOD_INVALID',
  /** The period ends later than the cloud's clock plus the clock slack. */
  PERIOD_FUTURE: 'PLAY_PERIOD_FUTURE',
  /** The period overlaps another one the screen reported. */
  PERIOD_OVERLAP: 'PLAY_PERIOD_OVERLAP',
  /** The screen already reported PLAY_PERIODS_PER_HOUR_MAX periods in that hour. */
  PERIODS_PER_HOUR: 'PLAY_PERIODS_PER_HOUR',
  /** The screen is not active (revoked since, or never enrolled). */
  SCREEN_INACTIVE: 'PLAY_SCREEN_INACTIVE',
  /** The campaign and creative are in no config the screen held during the period. */
  NOT_IN_CONFIG: 'PLAY_NOT_IN_CONFIG',
  /** The same campaign and creative twice in one report: merged into one item. */
  ITEM_REPEATED: 'PLAY_ITEM_REPEATED',
  /** More plays or milliseconds than one screen shows in the period: counted up to that bound. */
  BEYOND_PERIOD: 'PLAY_BEYOND_PERIOD',
} as const;
export type PlayCode = (typeof PlayCode)[keyof typeof PlayCode];

export interface PlayNote {
  code: PlayCode;
  campaignId: number;
  creativeSha256: string;
}

export interface CountedPlay {
  campaignId: number;
  creativeSha256: string;
  plays: number;
  durationMs: number;
}

export type PlayReportOutcome =
  | { status: 'counted'; counted: CountedPlay[]; notes: PlayNote[] }
  | { status: 'duplicate' }
  | { status: 'refused'; code: PlayCode; notes: PlayNote[] };

const keyOf = (campaignId: number, creativeSha256: string) => `${campaignId}:${creativeSha256}`;

/**
 * The items as they count: only those configured during the period (each creative's configured length
 * is the shortest a showing can be), repeats merged, and plays and milliseconds scaled down together when
 * they add up to more than one screen shows in the period (one showing may run past its end).
 */
export function judgePlayItems(
  event: Pick<ProofOfPlayEvent, 'periodStart' | 'periodEnd' | 'items'>,
  playlist: readonly ConfigPlaylistEntry[],
  clockSlackS: number,
): { counted: CountedPlay[]; notes: PlayNote[]; configured: number } {
  const { periodStart, periodEnd } = event;
  assert(periodEnd > periodStart && periodEnd - periodStart <= PLAY_PERIOD_S_MAX, 'period checked first');
  const showingMsOf = new Map<string, number>();
  for (const entry of playlist) {
    if (entry.validFrom >= periodEnd + clockSlackS || entry.validUntil <= periodStart - clockSlackS) continue;
    const key = keyOf(entry.campaignId, entry.creativeSha256);
    showingMsOf.set(key, Math.min(showingMsOf.get(key) ?? Number.MAX_SAFE_INTEGER, entry.durationMs));
  }
  const notes: PlayNote[] = [];
  const merged = new Map<string, CountedPlay & { showingMs: number }>();
  for (const item of event.items) {
    const key = keyOf(item.campaignId, item.creativeSha256);
    const showingMs = showingMsOf.get(key);
    const note = { campaignId: item.campaignId, creativeSha256: item.creativeSha256 };
    if (showingMs === undefined) {
      notes.push({ code: PlayCode.NOT_IN_CONFIG, ...note });
      continue;
    }
    const earlier = merged.get(key);
    if (earlier === undefined) {
      merged.set(key, { ...note, plays: item.plays, durationMs: item.durationMs, showingMs });
      continue;
    }
    notes.push({ code: PlayCode.ITEM_REPEATED, ...note });
    // Sums beyond 2^53 lose precision, which the bound below makes moot.
    earlier.plays += item.plays;
    earlier.durationMs += item.durationMs;
  }
  const items = [...merged.values()];
  const periodMs = (periodEnd - periodStart) * 1000;
  const playsMs = items.reduce((sum, item) => sum + item.plays * item.showingMs, 0);
  const playsMsMax = periodMs + Math.max(0, ...items.map((item) => item.showingMs));
  const playsScale = playsMs > playsMsMax ? playsMsMax / playsMs : 1;
  const bounded = items.map((item) => ({ ...item, plays: Math.floor(item.plays * playsScale) }));
  // Floating-point scaling may round a play over the bound: take it off again, whole plays at a time.
  trimOver(bounded, playsMsMax, (item) => item.showingMs, 'plays');
  for (const item of bounded) item.durationMs = Math.min(item.durationMs, item.plays * PLAY_SHOWING_MS_MAX);
  const shownMs = bounded.reduce((sum, item) => sum + item.durationMs, 0);
  const shownMsMax = periodMs + PLAY_SHOWING_MS_MAX;
  const shownScale = shownMs > shownMsMax ? shownMsMax / shownMs : 1;
  for (const item of bounded) item.durationMs = Math.floor(item.durationMs * shownScale);
  trimOver(bounded, shownMsMax, () => 1, 'durationMs');
  const counted = bounded.map((item, i): CountedPlay => {
    const asked = items[i];
    if (asked !== undefined && (item.plays < asked.plays || item.durationMs < asked.durationMs))
      notes.push({
        code: PlayCode.BEYOND_PERIOD,
        campaignId: item.campaignId,
        creativeSha256: item.creativeSha256,
      });
    assert(
      Number.isSafeInteger(item.plays) && Number.isSafeInteger(item.durationMs),
      'bounded counts are safe',
    );
    return {
      campaignId: item.campaignId,
      creativeSha256: item.creativeSha256,
      plays: item.plays,
      durationMs: item.durationMs,
    };
  });
  return { counted, notes, configured: items.length };
}

/** Lowers `field` of the first items until the weighted sum is at most `max`. */
function trimOver<T extends Record<'plays' | 'durationMs', number>>(
  items: T[],
  max: number,
  weight: (item: T) => number,
  field: 'plays' | 'durationMs',
): void {
  let over = items.reduce((sum, item) => sum + item[field] * weight(item), 0) - max;
  for (const item of items) {
    if (over <= 0) return;
    const cut = Math.min(item[field], Math.ceil(over / weight(item)));
    item[field] -= cut;
    over -= cut * weight(item);
  }
}

/** Checks that need no database: the period's shape and that it is over by the cloud's clock. */
function periodRefusal(event: ProofOfPlayEvent, nowS: number, clockSlackS: number): PlayCode | null {
  const { periodStart, periodEnd } = event;
  if (
    periodEnd <= periodStart ||
    periodEnd - periodStart > PLAY_PERIOD_S_MAX ||
    Math.floor(periodStart / HOUR_S) !== Math.floor((periodEnd - 1) / HOUR_S)
  )
    return PlayCode.PERIOD_INVALID;
  if (periodEnd > nowS + clockSlackS) return PlayCode.PERIOD_FUTURE;
  return null;
}

export async function recordProofOfPlay(
  db: Database,
  screenId: number,
  event: ProofOfPlayEvent,
  options: { timezone: string; nowS: number; clockSlackS: number },
): Promise<PlayReportOutcome> {
  if (event.items.length === 0) return { status: 'counted', counted: [], notes: [] };
  const refusal = periodRefusal(event, options.nowS, options.clockSlackS);
  if (refusal !== null) return { status: 'refused', code: refusal, notes: [] };
  const { periodStart, periodEnd } = event;
  const hourStart = Math.floor(periodStart / HOUR_S) * HOUR_S;
  const day = localDay(periodStart, options.timezone);
  return db.transaction(async (tx): Promise<PlayReportOutcome> => {
    // The screen's row lock orders its reports, so two replicas cannot both take overlapping periods.
    const [screen] = await queryRows<{ status: string }>(
      tx,
      sql`select status from screens where id = ${screenId} for update`,
    );
    if (screen?.status !== 'active') return { status: 'refused', code: PlayCode.SCREEN_INACTIVE, notes: [] };
    // A period is at most an hour, so any it overlaps starts less than an hour before it.
    const near = await queryRows<{ period_start: unknown; period_end: unknown }>(
      tx,
      sql`select period_start, period_end from play_reports
          where screen_id = ${screenId} and period_start > ${periodStart - PLAY_PERIOD_S_MAX}
            and period_start < ${hourStart + HOUR_S}
          order by period_start limit ${NEAR_PERIODS_MAX}`,
    );
    const periods = near.map((row) => ({ start: Number(row.period_start), end: Number(row.period_end) }));
    if (periods.some((period) => period.start === periodStart && period.end === periodEnd))
      return { status: 'duplicate' };
    if (periods.some((period) => period.start < periodEnd && periodStart < period.end))
      return { status: 'refused', code: PlayCode.PERIOD_OVERLAP, notes: [] };
    if (periods.filter((period) => period.start >= hourStart).length >= PLAY_PERIODS_PER_HOUR_MAX)
      return { status: 'refused', code: PlayCode.PERIODS_PER_HOUR, notes: [] };

    const playlist = await playlistDuring(
      tx,
      screenId,
      periodStart - options.clockSlackS,
      periodEnd + options.clockSlackS,
    );
    const judged = judgePlayItems(event, playlist, options.clockSlackS);
    if (judged.configured === 0)
      return { status: 'refused', code: PlayCode.NOT_IN_CONFIG, notes: judged.notes };
    await tx.execute(
      sql`insert into play_reports (screen_id, period_start, period_end)
          values (${screenId}, ${periodStart}, ${periodEnd})`,
    );
    const items = judged.counted.map((item) => ({
      c: item.campaignId,
      h: item.creativeSha256,
      p: item.plays,
      d: item.durationMs,
    }));
    // Rows stored before plays were bounded may hold anything up to int8: saturate rather than fail.
    await tx.execute(
      sql`insert into play_stats (screen_id, campaign_id, day, creative_sha256, plays, duration_ms)
          select ${screenId}, c, ${day}::date, h, p, d
          from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(c bigint, h text, p bigint, d bigint)
          on conflict (screen_id, campaign_id, day, creative_sha256) do update
            set plays = least(play_stats.plays::numeric + excluded.plays, ${INT8_MAX}::numeric)::bigint,
                duration_ms = least(play_stats.duration_ms::numeric + excluded.duration_ms, ${INT8_MAX}::numeric)::bigint`,
    );
    return { status: 'counted', counted: judged.counted, notes: judged.notes };
  });
}
