// Proof-of-play aggregates: plays are added up per creative per period and reported once.
import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import { localCaps, proofOfPlay } from './schema/index.ts';
import type { Store } from './open-store.ts';

export interface PlayRecord {
  periodStart: number;
  periodEnd: number;
  creativeSha256: string;
  campaignId: number;
  plays: number;
  durationMs: number;
}

export function addPlays(store: Store, record: PlayRecord): void {
  store.db
    .insert(proofOfPlay)
    .values(record)
    .onConflictDoUpdate({
      target: [proofOfPlay.periodStart, proofOfPlay.creativeSha256],
      set: {
        plays: sql`${proofOfPlay.plays} + ${record.plays}`,
        durationMs: sql`${proofOfPlay.durationMs} + ${record.durationMs}`,
      },
    })
    .run();
}

/** Finished periods not yet reported, oldest first. */
export function unreportedPlays(store: Store, before: number, limit = 1_000): PlayRecord[] {
  return store.db
    .select({
      periodStart: proofOfPlay.periodStart,
      periodEnd: proofOfPlay.periodEnd,
      creativeSha256: proofOfPlay.creativeSha256,
      campaignId: proofOfPlay.campaignId,
      plays: proofOfPlay.plays,
      durationMs: proofOfPlay.durationMs,
    })
    .from(proofOfPlay)
    .where(and(isNull(proofOfPlay.reportedAt), lt(proofOfPlay.periodEnd, before)))
    .orderBy(asc(proofOfPlay.periodStart))
    .limit(limit)
    .all();
}

export function markPlaysReported(store: Store, periodStart: number, now: number): void {
  store.db.update(proofOfPlay).set({ reportedAt: now }).where(eq(proofOfPlay.periodStart, periodStart)).run();
}

/** Drops reported periods and local-cap days older than the cutoff, keeping the file bounded. */
export function pruneAggregates(store: Store, before: number, beforeLocalDay: string): number {
  const plays = store.db
    .delete(proofOfPlay)
    .where(and(lt(proofOfPlay.periodEnd, before), sql`${proofOfPlay.reportedAt} IS NOT NULL`))
    .run().changes;
  const caps = store.db.delete(localCaps).where(lt(localCaps.localDay, beforeLocalDay)).run().changes;
  return plays + caps;
}
