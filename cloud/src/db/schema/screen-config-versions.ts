// What each config version published to a screen told it to play, and when it was published: proof of
// play counts only what the screen was configured to play in the period it reports (docs/protocol.md §5.3).
import { bigint, integer, jsonb, pgTable, primaryKey } from 'drizzle-orm/pg-core';

/** One playlist item of a published config, as far as proof of play needs it. */
export interface ConfigPlaylistEntry {
  campaignId: number;
  creativeSha256: string;
  /** The creative's configured showing length: the shortest a counted play can be. */
  durationMs: number;
  validFrom: number;
  validUntil: number;
}

export const screenConfigVersions = pgTable(
  'screen_config_versions',
  {
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    version: integer('version').notNull(),
    /** Cloud time (unix s) of the publish that raised the version; 0 when that was before versions were kept. */
    publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
    playlist: jsonb('playlist').$type<ConfigPlaylistEntry[]>().notNull(),
  },
  (table) => [primaryKey({ columns: [table.screenId, table.version] })],
);
