// Screen health from heartbeats (docs/protocol.md §5.3): the latest one per active screen is kept.
// A heartbeat proves the screen was connected when it sent it, but it carries no connection number, so
// it cannot be ordered against a will: one delayed in a queue, or handled by another replica, may come
// after the will of its own connection. So it never writes `screens.connected` (screen-presence.ts owns
// that); its age is the console's fallback wherever the broker has not reported the screen gone.
import { and, eq } from 'drizzle-orm';
import type { HeartbeatEvent } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { screenHealth, screens } from '../db/schema/screens.ts';

/** Skew beyond ±10 years is a broken clock, not a measurement; it is clamped to fit the column. */
const CLOCK_SKEW_S_LIMIT = 10 * 365 * 86_400;

/** False when the screen is unknown or not active: its heartbeat is dropped. */
export async function recordHeartbeat(
  db: Database,
  screenId: number,
  event: HeartbeatEvent,
  now: Date,
): Promise<boolean> {
  const [screen] = await db
    .select({ id: screens.id })
    .from(screens)
    .where(and(eq(screens.id, screenId), eq(screens.status, 'active')))
    .limit(1);
  if (screen === undefined) return false;
  const skewS = Math.max(
    -CLOCK_SKEW_S_LIMIT,
    Math.min(CLOCK_SKEW_S_LIMIT, Math.floor(now.getTime() / 1000) - event.ts),
  );
  const values = {
    lastSeenAt: now,
    appVersion: event.appVersion,
    tapCounter: event.counter,
    backlog: Math.min(event.backlog, 2_147_483_647),
    clockSkewS: skewS,
    decks: event.decks,
    // A kiosk that does not report it leaves what an earlier heartbeat said.
    ...(event.revocations === undefined ? {} : { revocationsCurrent: event.revocations }),
  };
  await db
    .insert(screenHealth)
    .values({ screenId, ...values })
    .onConflictDoUpdate({ target: screenHealth.screenId, set: values });
  return true;
}
