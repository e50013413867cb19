// Proof of play (docs/protocol.md §5.3) summed per screen, campaign, local day and creative; a report
// redelivered by the broker is recognised by its period and counted once.
import { sql } from 'drizzle-orm';
import type { ProofOfPlayEvent } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { localDay } from '../local-day.ts';

export async function recordProofOfPlay(
  db: Database,
  screenId: number,
  event: ProofOfPlayEvent,
  timezone: string,
): Promise<boolean> {
  if (event.items.length === 0) return false;
  const day = localDay(event.periodStart, timezone);
  return db.transaction(async (tx) => {
    const fresh = await queryRows<{ screen_id: unknown }>(
      tx,
      sql`insert into play_reports (screen_id, period_start, period_end)
          values (${screenId}, ${event.periodStart}, ${event.periodEnd}) on conflict do nothing returning screen_id`,
    );
    if (fresh.length === 0) return false;
    const items = event.items.map((item) => ({
      c: item.campaignId,
      h: item.creativeSha256,
      p: item.plays,
      d: item.durationMs,
    }));
    await tx.execute(
      sql`insert into play_stats (screen_id, campaign_id, day, creative_sha256, plays, duration_ms)
          select ${screenId}, c, ${day}::date, h, sum(p), sum(d)
          from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(c bigint, h text, p bigint, d bigint)
          group by c, h
          on conflict (screen_id, campaign_id, day, creative_sha256) do update
            set plays = play_stats.plays + excluded.plays, duration_ms = play_stats.duration_ms + excluded.duration_ms`,
    );
    return true;
  });
}
