// The synthetic fleet the operator's screen pages are measured on (the fleet and history benchmarks),
// built set-based: screens over `cities` cities, 2 % revoked, 3 % pending, active screens heard from 10 s
// ago but for 5 % silent for 20 min and 5 % whose broker reported them gone.
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '@redtap/cloud';

/** Screens per insert statement: set-based, and within the cloud's statement timeout on a busy machine. */
const SCREENS_PER_INSERT = 100_000;

/**
 * Adds screens `from + 1` … `to` (their names' numbers) and a health row for each active one, then
 * analyzes both tables. Screens already in the database (a benchmark's kiosks) are left as they are.
 */
export async function growBenchFleet(
  handle: DatabaseHandle,
  range: { from: number; to: number },
  shape: { cities: number; timezone: string },
): Promise<void> {
  for (let low = range.from; low < range.to; low += SCREENS_PER_INSERT) {
    const high = Math.min(range.to, low + SCREENS_PER_INSERT);
    const before: unknown = await handle.db.execute(sql`select coalesce(max(id), 0) as id from screens`);
    const afterId = Number((before as { rows: { id: unknown }[] }).rows[0]?.id ?? 0);
    await handle.db.execute(
      sql`insert into screens (name, city, building, elevator, timezone, status, connected, presence_seq,
            presence_changed_at)
          select 'Screen ' || n, 'City ' || (n % ${shape.cities}), 'Building ' || (n % 5000), 'E' || (n % 8),
            ${shape.timezone},
            case when n % 50 = 0 then 'revoked' when n % 33 = 0 then 'pending' else 'active' end,
            n % 20 <> 1, 1, now() - interval '1 hour'
          from generate_series(${low + 1}::bigint, ${high}::bigint) as n`,
    );
    await handle.db.execute(
      sql`insert into screen_health (screen_id, last_seen_at, app_version, tap_counter, backlog, clock_skew_s, decks)
          select id, now() - case when id % 20 = 2 then interval '20 minutes' else interval '10 seconds' end,
            '1.0.0', 0, 0, 0, '[]'::jsonb
          from screens
          where status = 'active' and id > ${afterId}
          on conflict do nothing`,
    );
  }
  await handle.db.execute(sql`analyze screens`);
  await handle.db.execute(sql`analyze screen_health`);
}
