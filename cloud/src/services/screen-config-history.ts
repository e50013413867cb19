// The history of each screen's published config versions, as far as proof of play needs it: which
// campaigns and creatives a version told the screen to play, and from when (docs/protocol.md §5.3).
import { sql } from 'drizzle-orm';
import type { ScreenConfig } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import type { ConfigPlaylistEntry } from '../db/schema/screen-config-versions.ts';
import { queryRows } from '../db/rows.ts';

/** Versions read for one period: a period is at most an hour, and configs change far less often. */
const PERIOD_VERSIONS_MAX = 100;

/**
 * Records the playlist of the version just published. `raised` says the publish raised the version, at
 * `nowS`; otherwise the row already exists, unless the version was published before history was kept,
 * and then it is recorded as in effect since 0.
 */
export async function recordConfigVersion(
  db: Database,
  screenId: number,
  config: ScreenConfig,
  raised: boolean,
  nowS: number,
): Promise<void> {
  const playlist: ConfigPlaylistEntry[] = config.playlist.map((item) => ({
    campaignId: item.campaignId,
    creativeSha256: item.creativeSha256,
    durationMs: item.durationMs,
    validFrom: item.validFrom,
    validUntil: item.validUntil,
  }));
  await db.execute(
    sql`insert into screen_config_versions (screen_id, version, published_at, playlist)
        values (${screenId}, ${config.version}, ${raised ? nowS : 0}, ${JSON.stringify(playlist)}::jsonb)
        on conflict (screen_id, version) do nothing`,
  );
}

/**
 * The playlist entries of every version the screen may have held during [fromS, toS): the last one
 * published at or before `fromS` and every one published before `toS`.
 */
export async function playlistDuring(
  db: Database,
  screenId: number,
  fromS: number,
  toS: number,
): Promise<ConfigPlaylistEntry[]> {
  const rows = await queryRows<{ playlist: ConfigPlaylistEntry[] | string }>(
    db,
    sql`select playlist from screen_config_versions
        where screen_id = ${screenId} and published_at < ${toS}
          and version >= coalesce((select max(version) from screen_config_versions
                                   where screen_id = ${screenId} and published_at <= ${fromS}), 0)
        order by version desc limit ${PERIOD_VERSIONS_MAX}`,
  );
  return rows.flatMap((row) =>
    typeof row.playlist === 'string' ? (JSON.parse(row.playlist) as ConfigPlaylistEntry[]) : row.playlist,
  );
}
