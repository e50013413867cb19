// A till key's guessing budget, kept in the database so that every cloud process shares it and no flood
// of client addresses can push it out of a bounded in-memory table (one row per key; keys are bounded by
// the brands' stores). A lookup reserves the worst-case cost with one atomic upsert before it runs, and
// gets the difference back when it finds a coupon (coupons/guess-limiter.ts has the same rule per address).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';

export interface TillGuessSetting {
  pointsMax: number;
  windowMs: number;
  failureCost: number;
}

export interface TillGuessReservation {
  tillKeyId: number;
  windowStartedAt: string;
  cost: number;
}

/**
 * Reserves a failed lookup's cost; null when the key has used its points in this window. Points stop
 * growing at `pointsMax + cost`, so a refused request is told apart from a granted one in the same row.
 */
export async function reserveTillGuess(
  db: Database,
  tillKeyId: number,
  setting: TillGuessSetting,
  now: Date,
): Promise<TillGuessReservation | null> {
  const cost = setting.failureCost;
  const nowIso = now.toISOString();
  const [row] = await queryRows<{ points: unknown; window_started_at: Date | string }>(
    db,
    sql`insert into till_guess_windows as w (till_key_id, window_started_at, points)
        values (${tillKeyId}, ${nowIso}::timestamptz, ${cost})
        on conflict (till_key_id) do update set
          window_started_at = case when w.window_started_at <= ${nowIso}::timestamptz - make_interval(secs => ${setting.windowMs / 1000})
                                   then ${nowIso}::timestamptz else w.window_started_at end,
          points = case when w.window_started_at <= ${nowIso}::timestamptz - make_interval(secs => ${setting.windowMs / 1000})
                        then ${cost} else least(w.points + ${cost}, ${setting.pointsMax + cost}) end
        returning w.points, w.window_started_at`,
  );
  if (row === undefined) throw new Error('upsert returned no row');
  if (int(row.points) >= setting.pointsMax + cost) return null;
  const started = row.window_started_at;
  return {
    tillKeyId,
    windowStartedAt: (typeof started === 'string' ? new Date(started) : started).toISOString(),
    cost,
  };
}

/** Gives back part of a reservation, if its window is still the key's current one. */
export async function refundTillGuess(
  db: Database,
  reservation: TillGuessReservation,
  points: number,
): Promise<void> {
  const refund = Math.min(points, reservation.cost);
  if (refund <= 0) return;
  await db.execute(
    sql`update till_guess_windows set points = greatest(points - ${refund}, 0)
        where till_key_id = ${reservation.tillKeyId} and window_started_at = ${reservation.windowStartedAt}::timestamptz`,
  );
}
