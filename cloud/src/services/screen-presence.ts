// Screen presence from the broker (docs/protocol.md §5.6): each kiosk says `online` after every connect
// and leaves `offline` as its MQTT will, both numbered by a connection sequence that rises with every
// connection. The cloud keeps the latest per active screen, so fleet health turns OFFLINE as soon as the
// broker notices a dead link instead of after missed heartbeats.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { ScreenPresence } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { screenPresenceEvents, screens } from '../db/schema/screens.ts';

/** How long each screen's presence changes are kept for its history and uptime. */
export const PRESENCE_HISTORY_DAYS = 30;

/**
 * A connection number is the kiosk's clock in ms at connect. One further ahead of the cloud's clock than
 * the clock-sanity bound for taps (protocol §7) would make every later, correct connection look older, so
 * it is not recorded: that screen's health falls back to heartbeat age.
 */
export const PRESENCE_SEQ_AHEAD_MS_MAX = 300_000;

export type PresenceOutcome = 'recorded' | 'unchanged' | 'seq-ahead';

/**
 * Applies a presence when its seq is higher than the recorded one, or equal with `online: false` (an
 * offline of the same connection wins over its online, whatever order they arrive in); a late will of an
 * older connection never marks a newer one offline. A repeat of what is recorded (the retained message
 * a cloud receives when it subscribes) changes nothing, so the recorded time stays the first receipt.
 * `unchanged` also covers a screen that is unknown or not active. The time recorded is the cloud's.
 */
export async function recordPresence(
  db: Database,
  screenId: number,
  presence: ScreenPresence,
  now: Date,
): Promise<PresenceOutcome> {
  if (presence.seq > now.getTime() + PRESENCE_SEQ_AHEAD_MS_MAX) return 'seq-ahead';
  const newer = or(isNull(screens.presenceSeq), lt(screens.presenceSeq, presence.seq));
  const applies = presence.online
    ? newer
    : or(
        newer,
        and(
          eq(screens.presenceSeq, presence.seq),
          or(isNull(screens.connected), eq(screens.connected, true)),
        ),
      );
  const rows = await db
    .update(screens)
    .set({ connected: presence.online, presenceSeq: presence.seq, presenceChangedAt: now })
    .where(and(eq(screens.id, screenId), eq(screens.status, 'active'), applies))
    .returning({ id: screens.id });
  if (rows.length === 0) return 'unchanged';
  await recordPresenceEvent(db, screenId, presence.online, now);
  return 'recorded';
}

/** Appends to the screen's presence history and drops its rows older than PRESENCE_HISTORY_DAYS. */
async function recordPresenceEvent(db: Database, screenId: number, connected: boolean, now: Date) {
  await db.insert(screenPresenceEvents).values({ screenId, connected, at: now });
  const keptFrom = new Date(now.getTime() - PRESENCE_HISTORY_DAYS * 86_400_000);
  await db
    .delete(screenPresenceEvents)
    .where(and(eq(screenPresenceEvents.screenId, screenId), lt(screenPresenceEvents.at, keptFrom)));
}

/**
 * The embedded broker runs inside this process, so at start no screen is connected to it whatever the
 * database last heard (a crash sends no wills): every screen recorded connected is marked disconnected
 * at `now`. Its next `online`, with a higher seq, marks it connected again. Run it before presence
 * handlers are attached. Not for an external broker, whose connections outlive a cloud restart.
 */
export async function markAllScreensDisconnected(db: Database, now: Date): Promise<number> {
  // One statement, history included, however many screens were connected.
  const at = now.toISOString();
  const [row] = await queryRows<{ marked: unknown }>(
    db,
    sql`with marked as (
          update screens set connected = false, presence_changed_at = ${at}::timestamptz
          where connected = true returning id),
        logged as (
          insert into screen_presence_events (screen_id, connected, at)
          select id, false, ${at}::timestamptz from marked returning 1)
        select count(*) as marked from logged`,
  );
  return int(row?.marked ?? 0);
}
