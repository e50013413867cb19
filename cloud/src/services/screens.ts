// Screens: create, list (keyset pages, filtered by location or group), update, the city → building →
// elevator tree, named screen groups, revocation, and replacing or reinstating a revoked screen.
import { and, asc, count, eq, gt, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import {
  ErrorCode,
  OFFLINE_AFTER_MS,
  OFFLINE_ALERT_AFTER_MS,
  screenConnections,
  type ScreenConnection,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows, sqlState } from '../db/rows.ts';
import {
  screenGroupMembers,
  screenGroups,
  screenHealth,
  screens,
  type ScreenStatus,
} from '../db/schema/screens.ts';
import { DomainError } from '../errors.ts';
import type { ClaimRowPath } from '../db/schema/claims.ts';
import { wantBrokerIdentitiesRemoved } from './broker-identity-dispatcher.ts';
import { refreshScreenCampaigns, screenIdsIn } from './campaign-screens.ts';

export const SCREEN_GROUP_SIZE_MAX = 10_000;

export interface ScreenHealthView {
  lastSeenAt: string;
  /**
   * What the broker last reported of the screen's connection (docs/protocol.md §5.6); null when no
   * presence was recorded (a kiosk from before presence, or none since it enrolled).
   */
  connected: boolean | null;
  /** When `connected` was last recorded (the cloud's time), null with it. */
  connectionChangedAt: string | null;
  appVersion: string;
  tapCounter: number;
  backlog: number;
  clockSkewS: number;
  decks: { deckId: number; campaignId: number; remaining: number; count: number; validUntil: number }[];
}

export interface ScreenView {
  id: number;
  name: string;
  city: string;
  building: string;
  elevator: string;
  timezone: string;
  status: ScreenStatus;
  publicKey: string | null;
  configVersion: number;
  enrolledAt: string | null;
  revokedAt: string | null;
  replacedById: number | null;
  createdAt: string;
  health: ScreenHealthView | null;
  /** When the screen's last online claim (ticket or sticker, paid or refused) was made; null if none. */
  lastClaimAt: string | null;
  /** How that claim reached the cloud; null with lastClaimAt. */
  lastClaimPath: ClaimRowPath | null;
  /** How many SUN stickers are bound to the screen (docs/protocol.md §9). */
  stickers: number;
}

/** A screen's claim activity, as the list and the screen page show it. */
export interface ScreenClaimFacts {
  lastClaimAt: string | null;
  lastClaimPath: ClaimRowPath | null;
  stickers: number;
}

const NO_CLAIM_FACTS: ScreenClaimFacts = { lastClaimAt: null, lastClaimPath: null, stickers: 0 };

export interface ScreenLocation {
  name: string;
  city: string;
  building: string;
  elevator: string;
  timezone: string;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/**
 * A screen's fields as every tier checks them (the screen API's bodies and filters, the CSV import's
 * cells): text trimmed, bounded in length, free of control characters; the time zone one IANA knows.
 */
export const SCREEN_NAME_LENGTH_MAX = 200;
/** City, building and elevator. */
export const SCREEN_PLACE_LENGTH_MAX = 100;
export const SCREEN_TIMEZONE_LENGTH_MAX = 64;
// C0 controls and DEL: a NUL cannot be stored in PostgreSQL text, the rest are never a name or a place.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/**
 * An IANA time zone as the runtime knows it (`asia/shanghai` → `Asia/Shanghai`), or null when it is none:
 * the one check of a screen's time zone, for the API's fields and the CSV import's cells alike.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (zone.length === 0 || zone.length > SCREEN_TIMEZONE_LENGTH_MAX) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function toView(
  row: typeof screens.$inferSelect,
  health: typeof screenHealth.$inferSelect | null,
  facts: ScreenClaimFacts,
): ScreenView {
  return {
    id: row.id,
    name: row.name,
    city: row.city,
    building: row.building,
    elevator: row.elevator,
    timezone: row.timezone,
    status: row.status,
    publicKey: row.publicKey,
    configVersion: row.configVersion,
    enrolledAt: iso(row.enrolledAt),
    revokedAt: iso(row.revokedAt),
    replacedById: row.replacedById,
    createdAt: row.createdAt.toISOString(),
    health:
      health === null
        ? null
        : {
            lastSeenAt: health.lastSeenAt.toISOString(),
            connected: row.connected,
            connectionChangedAt: row.connected === null ? null : iso(row.presenceChangedAt),
            appVersion: health.appVersion,
            tapCounter: health.tapCounter,
            backlog: health.backlog,
            clockSkewS: health.clockSkewS,
            decks: health.decks,
          },
    ...facts,
  };
}

/**
 * The last claim and the bound stickers of a page of screens, in one statement: each screen's newest
 * claim is one backward step on claims_screen_time_idx, its stickers a count on tags_screen_uid_idx.
 */
export async function screenClaimFacts(db: Database, ids: number[]): Promise<Map<number, ScreenClaimFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{
    id: unknown;
    claimed_at: Date | string | null;
    path: ClaimRowPath | null;
    stickers: unknown;
  }>(
    db,
    sql`select page.id, last_claim.claimed_at, last_claim.path,
          (select count(*) from tags where tags.screen_id = page.id) as stickers
        from (select value::bigint as id from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) page
        left join lateral (
          select claimed_at, path from claims where claims.screen_id = page.id
          order by claimed_at desc limit 1
        ) last_claim on true`,
  );
  return new Map(
    rows.map((row) => [
      int(row.id),
      {
        lastClaimAt: row.claimed_at === null ? null : new Date(row.claimed_at).toISOString(),
        lastClaimPath: row.path,
        stickers: int(row.stickers),
      },
    ]),
  );
}

export async function createScreen(db: Database, input: ScreenLocation): Promise<ScreenView> {
  const [row] = await db.insert(screens).values(input).returning();
  if (row === undefined) throw new Error('insert returned no row');
  return toView(row, null, NO_CLAIM_FACTS);
}

// The online rule (@redtap/shared/screen-connection), in SQL for counting and filtering on the server:
// an active screen is online when it was heard from within OFFLINE_AFTER_MS and the broker has not
// reported its connection gone; offline that way for longer than OFFLINE_ALERT_AFTER_MS (or never seen)
// it is long offline.
export { screenConnections, type ScreenConnection };

/** SQL for one of the connection states, over `screens` left-joined with `screen_health`. */
function connectionIs(connection: ScreenConnection, now: Date): SQL {
  const freshFrom = new Date(now.getTime() - OFFLINE_AFTER_MS).toISOString();
  const longFrom = new Date(now.getTime() - OFFLINE_ALERT_AFTER_MS).toISOString();
  const online = sql`(${screens.status} = 'active' and ${screens.connected} is not false
    and coalesce(${screenHealth.lastSeenAt} >= ${freshFrom}::timestamptz, false))`;
  if (connection === 'online') return online;
  const offline = sql`(${screens.status} = 'active' and not ${online})`;
  if (connection === 'offline') return offline;
  // Offline since the disconnect the broker reported, else since the last heartbeat; never seen counts.
  return sql`(${offline} and (${screenHealth.screenId} is null or
    (case when ${screens.connected} = false and ${screens.presenceChangedAt} is not null
      then ${screens.presenceChangedAt} else ${screenHealth.lastSeenAt} end) < ${longFrom}::timestamptz))`;
}

export interface ScreenFilter {
  city?: string | undefined;
  building?: string | undefined;
  elevator?: string | undefined;
  status?: ScreenStatus | undefined;
  groupId?: number | undefined;
  /** A screen id, or part of a name (case-insensitive). */
  search?: string | undefined;
  connection?: ScreenConnection | undefined;
}

/** `%` and `_` in what a person typed match themselves. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The list's filter as SQL conditions over `screens` left-joined with `screen_health` (the connection
 * filter reads the health row): the screen list and the bulk actions select the same screens with it.
 */
export function screenFilterConditions(
  db: Database,
  filter: ScreenFilter,
  now: Date = new Date(),
): (SQL | undefined)[] {
  const search = filter.search?.trim() ?? '';
  const searchId = /^#?\d{1,15}$/.test(search) ? Number(search.replace('#', '')) : null;
  return [
    search === ''
      ? undefined
      : or(
          ilike(screens.name, `%${likeEscaped(search)}%`),
          searchId === null ? undefined : eq(screens.id, searchId),
        ),
    filter.connection === undefined ? undefined : connectionIs(filter.connection, now),
    filter.city === undefined ? undefined : eq(screens.city, filter.city),
    filter.building === undefined ? undefined : eq(screens.building, filter.building),
    filter.elevator === undefined ? undefined : eq(screens.elevator, filter.elevator),
    filter.status === undefined ? undefined : eq(screens.status, filter.status),
    filter.groupId === undefined
      ? undefined
      : inArray(
          screens.id,
          db
            .select({ id: screenGroupMembers.screenId })
            .from(screenGroupMembers)
            .where(eq(screenGroupMembers.groupId, filter.groupId)),
        ),
  ];
}

/**
 * One keyset page in id order. With a filter the scan walks the (status, id) or (city, id) index, or the
 * primary key, until the page is full: a name search that matches few of 10^6 screens reads them all
 * (docs/scaling.md).
 */
export async function listScreens(
  db: Database,
  filter: ScreenFilter,
  page: { limit: number; after: number },
  now: Date = new Date(),
): Promise<ScreenView[]> {
  const conditions = [gt(screens.id, page.after), ...screenFilterConditions(db, filter, now)];
  if (filter.connection !== undefined) {
    // The filter reads the health row, so the join is part of the scan; its own bound on the health
    // side starts the merge at the page rather than at the first screen.
    const rows = await db
      .select({ screen: screens, health: screenHealth })
      .from(screens)
      .leftJoin(
        screenHealth,
        and(eq(screenHealth.screenId, screens.id), gt(screenHealth.screenId, page.after)),
      )
      .where(and(...conditions))
      .orderBy(asc(screens.id))
      .limit(page.limit);
    const factsOf = await screenClaimFacts(
      db,
      rows.map((row) => row.screen.id),
    );
    return rows.map((row) => toView(row.screen, row.health, factsOf.get(row.screen.id) ?? NO_CLAIM_FACTS));
  }
  // The page first, then its health rows: joined in one statement, the planner merges the health table
  // from its first row up to the page, so a page deep in 10^6 screens read half of them.
  const rows = await db
    .select()
    .from(screens)
    .where(and(...conditions))
    .orderBy(asc(screens.id))
    .limit(page.limit);
  const healths =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(screenHealth)
          .where(
            inArray(
              screenHealth.screenId,
              rows.map((row) => row.id),
            ),
          );
  const healthOf = new Map(healths.map((health) => [health.screenId, health]));
  const factsOf = await screenClaimFacts(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toView(row, healthOf.get(row.id) ?? null, factsOf.get(row.id) ?? NO_CLAIM_FACTS));
}

export async function getScreen(db: Database, id: number): Promise<ScreenView> {
  const [row] = await db
    .select({ screen: screens, health: screenHealth })
    .from(screens)
    .leftJoin(screenHealth, eq(screenHealth.screenId, screens.id))
    .where(eq(screens.id, id))
    .limit(1);
  if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} not found`);
  const factsOf = await screenClaimFacts(db, [id]);
  return toView(row.screen, row.health, factsOf.get(id) ?? NO_CLAIM_FACTS);
}

/**
 * Renames or moves a screen. Its time zone and city go into its config and campaigns target cities and
 * buildings, so a change of any of them marks its config stale and resolves its campaigns again in the
 * same transaction (campaign-screens.ts): it gains the campaigns that now target it, with a deck wanted
 * from each active one, and loses the others. The dispatchers publish; the answer's version is the one
 * the screen holds until they have (a pending screen gets its first config when it enrols).
 */
export async function updateScreen(
  deps: { db: Database; now: () => Date },
  id: number,
  patch: Partial<ScreenLocation>,
): Promise<ScreenView> {
  await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ timezone: screens.timezone, city: screens.city, building: screens.building })
      .from(screens)
      .where(eq(screens.id, id))
      .for('update');
    if (before === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} not found`);
    await tx
      .update(screens)
      .set({ ...patch, updatedAt: deps.now() })
      .where(eq(screens.id, id));
    const configChanged =
      (patch.timezone !== undefined && patch.timezone !== before.timezone) ||
      (patch.city !== undefined && patch.city !== before.city) ||
      (patch.building !== undefined && patch.building !== before.building);
    const ids = screenIdsIn([id]);
    if (configChanged) await refreshScreenCampaigns(tx, ids, { alsoStale: ids });
  });
  return getScreen(deps.db, id);
}

/**
 * Marks the screen revoked; its tokens arriving after this are rejected (SCREEN_REVOKED). Its broker
 * identity is wanted absent in the same transaction; the broker-identity dispatcher removes it and cuts
 * its connection next, and a revoked screen's presence is not recorded, so it is marked disconnected here.
 */
export async function revokeScreen(db: Database, id: number, now: Date): Promise<ScreenView> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(screens)
      .set({
        status: 'revoked',
        revokedAt: now,
        updatedAt: now,
        mqttPasswordHash: null,
        connected: false,
        presenceChangedAt: now,
      })
      .where(eq(screens.id, id))
      .returning({ id: screens.id });
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} not found`);
    // It leaves every campaign's screens, and the decks it was still to get.
    await refreshScreenCampaigns(tx, screenIdsIn([id]));
    // Its broker identity is wanted absent: the broker-identity dispatcher removes it, never the request.
    await wantBrokerIdentitiesRemoved(tx, [id], now);
  });
  return getScreen(db, id);
}

/**
 * A new screen in a revoked one's place: same name, location, time zone and groups, a fresh id that a
 * new kiosk enrols into. The revoked row keeps its key and its refusals, so the old kiosk's tokens
 * stay refused whatever key the new one holds.
 */
export async function replaceScreen(db: Database, id: number, now: Date): Promise<ScreenView> {
  const replacementId = await db.transaction(async (tx) => {
    const [old] = await tx.select().from(screens).where(eq(screens.id, id)).for('update');
    if (old === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} not found`);
    if (old.status !== 'revoked')
      throw new DomainError(
        ErrorCode.CONFLICT,
        `screen ${id} is ${old.status}; revoke it before replacing it`,
      );
    if (old.replacedById !== null)
      throw new DomainError(ErrorCode.CONFLICT, `screen ${id} was already replaced by ${old.replacedById}`);
    const [row] = await tx
      .insert(screens)
      .values({
        name: old.name,
        city: old.city,
        building: old.building,
        elevator: old.elevator,
        timezone: old.timezone,
      })
      .returning({ id: screens.id });
    if (row === undefined) throw new Error('insert returned no row');
    const groups = await tx
      .select({ groupId: screenGroupMembers.groupId })
      .from(screenGroupMembers)
      .where(eq(screenGroupMembers.screenId, id));
    if (groups.length > 0)
      await tx
        .insert(screenGroupMembers)
        .values(groups.map(({ groupId }) => ({ groupId, screenId: row.id })));
    await tx.update(screens).set({ replacedById: row.id, updatedAt: now }).where(eq(screens.id, id));
    return row.id;
  });
  return getScreen(db, replacementId);
}

/**
 * Undoes a revocation made in error: the screen goes back to pending, under its id and groups, and
 * must enrol again. Its old key is dropped, so tokens it signed stay refused (SCREEN_SIGNATURE_INVALID
 * against whatever key enrols next), and revocation already removed its broker password.
 */
export async function reinstateScreen(db: Database, id: number, now: Date): Promise<ScreenView> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(screens).where(eq(screens.id, id)).for('update');
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${id} not found`);
    if (row.status !== 'revoked') throw new DomainError(ErrorCode.CONFLICT, `screen ${id} is not revoked`);
    if (row.replacedById !== null)
      throw new DomainError(ErrorCode.CONFLICT, `screen ${id} was replaced by ${row.replacedById}`);
    await tx
      .update(screens)
      .set({ status: 'pending', publicKey: null, mqttPasswordHash: null, revokedAt: null, updatedAt: now })
      .where(eq(screens.id, id));
  });
  return getScreen(db, id);
}

export const SUMMARY_CITIES_MAX = 100;

export interface ScreenSummary {
  total: number;
  byStatus: Record<ScreenStatus, number>;
  online: number;
  offline: number;
  longOffline: number;
  /** The cities with the most screens, at most SUMMARY_CITIES_MAX; `citiesTruncated` when there are more. */
  cities: { city: string; total: number; active: number; online: number; offline: number }[];
  citiesTruncated: boolean;
}

/**
 * The fleet's counts, by SQL aggregates over every screen (never over a page of them), in one pass:
 * grouping sets give each city's counts and the whole fleet's from the same scan. Its cost grows with the
 * fleet (docs/scaling.md measures it at 10^5 and 10^6 screens).
 */
export async function summarizeScreens(
  db: Database,
  now: Date,
  citiesMax = SUMMARY_CITIES_MAX,
): Promise<ScreenSummary> {
  const rows = await queryRows<{
    whole: unknown;
    city: string | null;
    total: unknown;
    pending: unknown;
    active: unknown;
    revoked: unknown;
    online: unknown;
    offline: unknown;
    long_offline: unknown;
  }>(
    db,
    sql`select grouping(${screens.city}) as whole, ${screens.city} as city, count(*) as total,
          count(*) filter (where ${screens.status} = 'pending') as pending,
          count(*) filter (where ${screens.status} = 'active') as active,
          count(*) filter (where ${screens.status} = 'revoked') as revoked,
          count(*) filter (where ${connectionIs('online', now)}) as online,
          count(*) filter (where ${connectionIs('offline', now)}) as offline,
          count(*) filter (where ${connectionIs('long-offline', now)}) as long_offline
        from ${screens} left join ${screenHealth} on ${screenHealth.screenId} = ${screens.id}
        group by grouping sets ((${screens.city}), ())
        order by whole desc, total desc, city asc
        limit ${citiesMax + 2}`,
  );
  const [whole, ...cities] = rows;
  const fleet = whole !== undefined && int(whole.whole) === 1 ? whole : undefined;
  const cityRows = fleet === undefined ? rows : cities;
  return {
    total: int(fleet?.total ?? 0),
    byStatus: {
      pending: int(fleet?.pending ?? 0),
      active: int(fleet?.active ?? 0),
      revoked: int(fleet?.revoked ?? 0),
    },
    online: int(fleet?.online ?? 0),
    offline: int(fleet?.offline ?? 0),
    longOffline: int(fleet?.long_offline ?? 0),
    cities: cityRows.slice(0, citiesMax).map((row) => ({
      city: row.city ?? '',
      total: int(row.total),
      active: int(row.active),
      online: int(row.online),
      offline: int(row.offline),
    })),
    citiesTruncated: cityRows.length > citiesMax,
  };
}

/** How long a fleet summary is answered again before it is computed anew. */
export const SUMMARY_TTL_MS = 5_000;

/**
 * The fleet summary shared by every screens page open at once: computed at most once per `ttlMs` (a
 * request while it is computed waits for that computation), and anew at once after `invalidate()`, which
 * this process's own screen changes call. Changes from elsewhere (presence, heartbeats, other replicas)
 * show within `ttlMs`.
 */
export function createScreenSummaryCache(now: () => Date, ttlMs = SUMMARY_TTL_MS) {
  let cached: { atMs: number; summary: Promise<ScreenSummary> } | null = null;
  return {
    get(db: Database): Promise<ScreenSummary> {
      const at = now();
      const fresh = cached !== null && at.getTime() - cached.atMs < ttlMs && at.getTime() >= cached.atMs;
      if (cached !== null && fresh) return cached.summary;
      const summary = summarizeScreens(db, at);
      const entry = { atMs: at.getTime(), summary };
      cached = entry;
      // A failed computation is not kept: the next request tries again.
      summary.catch(() => {
        if (cached === entry) cached = null;
      });
      return summary;
    },
    invalidate(): void {
      cached = null;
    },
  };
}

export interface LocationCount {
  city: string;
  building: string;
  elevator: string;
  screens: number;
  active: number;
}

/**
 * Screens counted per city, building and elevator: the operator's map of the network, the first `limit`
 * places in order, and whether there were more (one row past the limit is read to tell).
 */
export async function screenLocations(
  db: Database,
  filter: { city?: string | undefined; building?: string | undefined },
  limit: number,
): Promise<{ items: LocationCount[]; truncated: boolean }> {
  const rows = await db
    .select({
      city: screens.city,
      building: screens.building,
      elevator: screens.elevator,
      screens: count(),
      active: sql<number>`count(*) filter (where ${screens.status} = 'active')`.mapWith(Number),
    })
    .from(screens)
    .where(
      and(
        filter.city === undefined ? undefined : eq(screens.city, filter.city),
        filter.building === undefined ? undefined : eq(screens.building, filter.building),
      ),
    )
    .groupBy(screens.city, screens.building, screens.elevator)
    .orderBy(asc(screens.city), asc(screens.building), asc(screens.elevator))
    .limit(limit + 1);
  return { items: rows.slice(0, limit), truncated: rows.length > limit };
}

export const TARGETING_OPTIONS_MAX = 1_000;

export interface TargetingOptions {
  cities: string[];
  buildings: { city: string; building: string }[];
  screenGroups: { id: number; name: string }[];
  /** Each list holds its first `limit` values only: there are more. */
  citiesTruncated: boolean;
  buildingsTruncated: boolean;
  screenGroupsTruncated: boolean;
}

/**
 * What a campaign may target, as distinct values over non-revoked screens: aggregates only, so
 * advertisers learn no screen ids, names or health. Each list is the first `limit` in order, with a flag
 * when there are more (one value past the limit is read to tell).
 */
export async function targetingOptions(
  db: Database,
  limit = TARGETING_OPTIONS_MAX,
): Promise<TargetingOptions> {
  const live = ne(screens.status, 'revoked');
  const cities = await db
    .selectDistinct({ city: screens.city })
    .from(screens)
    .where(live)
    .orderBy(asc(screens.city))
    .limit(limit + 1);
  const buildings = await db
    .selectDistinct({ city: screens.city, building: screens.building })
    .from(screens)
    .where(live)
    .orderBy(asc(screens.city), asc(screens.building))
    .limit(limit + 1);
  const groups = await db
    .selectDistinct({ id: screenGroups.id, name: screenGroups.name })
    .from(screenGroups)
    .innerJoin(screenGroupMembers, eq(screenGroupMembers.groupId, screenGroups.id))
    .innerJoin(screens, eq(screens.id, screenGroupMembers.screenId))
    .where(live)
    .orderBy(asc(screenGroups.name), asc(screenGroups.id))
    .limit(limit + 1);
  return {
    cities: cities.slice(0, limit).map((row) => row.city),
    buildings: buildings.slice(0, limit),
    screenGroups: groups.slice(0, limit),
    citiesTruncated: cities.length > limit,
    buildingsTruncated: buildings.length > limit,
    screenGroupsTruncated: groups.length > limit,
  };
}

export interface ScreenGroupView {
  id: number;
  name: string;
  screenIds: number[];
}

export async function createScreenGroup(db: Database, name: string): Promise<ScreenGroupView> {
  try {
    const [row] = await db.insert(screenGroups).values({ name }).returning();
    if (row === undefined) throw new Error('insert returned no row');
    return { id: row.id, name: row.name, screenIds: [] };
  } catch (error) {
    if (sqlState(error) === '23505') throw new DomainError(ErrorCode.CONFLICT, `group "${name}" exists`);
    throw error;
  }
}

export async function listScreenGroups(
  db: Database,
  page: { limit: number; after: number },
): Promise<{ id: number; name: string; screens: number }[]> {
  return db
    .select({ id: screenGroups.id, name: screenGroups.name, screens: count(screenGroupMembers.screenId) })
    .from(screenGroups)
    .leftJoin(screenGroupMembers, eq(screenGroupMembers.groupId, screenGroups.id))
    .where(gt(screenGroups.id, page.after))
    .groupBy(screenGroups.id, screenGroups.name)
    .orderBy(asc(screenGroups.id))
    .limit(page.limit);
}

export async function renameScreenGroup(db: Database, id: number, name: string): Promise<ScreenGroupView> {
  try {
    const [row] = await db
      .update(screenGroups)
      .set({ name })
      .where(eq(screenGroups.id, id))
      .returning({ id: screenGroups.id, name: screenGroups.name });
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen group ${id} not found`);
    const members = await db
      .select({ id: screenGroupMembers.screenId })
      .from(screenGroupMembers)
      .where(eq(screenGroupMembers.groupId, id))
      .orderBy(asc(screenGroupMembers.screenId))
      .limit(SCREEN_GROUP_SIZE_MAX);
    return { ...row, screenIds: members.map((member) => member.id) };
  } catch (error) {
    if (sqlState(error) === '23505') throw new DomainError(ErrorCode.CONFLICT, `group "${name}" exists`);
    throw error;
  }
}

/** Campaigns not yet ended that target a group, listed in a refusal; a few ids say enough. */
const GROUP_USERS_SHOWN_MAX = 10;

/**
 * Deletes a group and its memberships. A campaign that is not ended (draft to paused) and targets the
 * group would silently lose that part of its targeting, so the delete is refused (SCREEN_GROUP_IN_USE)
 * and names the campaigns; an ended campaign keeps the group's id in its history only.
 */
export async function deleteScreenGroup(db: Database, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [group] = await tx.select().from(screenGroups).where(eq(screenGroups.id, id)).for('update');
    if (group === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen group ${id} not found`);
    const users = await queryRows<{ id: unknown }>(
      tx,
      sql`select id from campaigns where status <> 'ended'
          and targeting -> 'screenGroupIds' @> ${JSON.stringify([id])}::jsonb
          order by id limit ${GROUP_USERS_SHOWN_MAX}`,
    );
    if (users.length > 0)
      throw new DomainError(
        ErrorCode.SCREEN_GROUP_IN_USE,
        `screen group ${id} is targeted by campaigns ${users.map((row) => int(row.id)).join(', ')}`,
      );
    await tx.delete(screenGroups).where(eq(screenGroups.id, id));
  });
}

/** Screens added to a group in one request. */
export const GROUP_MEMBERS_CHANGE_MAX = 1_000;

/**
 * Adds screens to a group (those already in it stay) or removes them, without the whole member list a
 * replace needs: a group of thousands is edited a few screens at a time. Returns the member count.
 */
export async function changeScreenGroupMembers(
  db: Database,
  groupId: number,
  change: { add: number[]; remove: number[] },
): Promise<{ id: number; name: string; screens: number }> {
  const add = [...new Set(change.add)];
  const remove = [...new Set(change.remove)];
  if (add.length > GROUP_MEMBERS_CHANGE_MAX || remove.length > GROUP_MEMBERS_CHANGE_MAX)
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `at most ${GROUP_MEMBERS_CHANGE_MAX} screens are added or removed at once`,
    );
  return db.transaction(async (tx) => {
    const [group] = await tx.select().from(screenGroups).where(eq(screenGroups.id, groupId)).for('update');
    if (group === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen group ${groupId} not found`);
    if (add.length > 0) {
      const known = await tx.select({ id: screens.id }).from(screens).where(inArray(screens.id, add));
      if (known.length !== add.length)
        throw new DomainError(ErrorCode.NOT_FOUND, 'some screens do not exist');
      await tx
        .insert(screenGroupMembers)
        .values(add.map((screenId) => ({ groupId, screenId })))
        .onConflictDoNothing();
    }
    if (remove.length > 0)
      await tx
        .delete(screenGroupMembers)
        .where(and(eq(screenGroupMembers.groupId, groupId), inArray(screenGroupMembers.screenId, remove)));
    // Campaigns targeting groups gain or lose these screens (with their decks and configs).
    if (add.length + remove.length > 0) await refreshScreenCampaigns(tx, screenIdsIn([...add, ...remove]));
    const [size] = await tx
      .select({ screens: count() })
      .from(screenGroupMembers)
      .where(eq(screenGroupMembers.groupId, groupId));
    if ((size?.screens ?? 0) > SCREEN_GROUP_SIZE_MAX)
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `a group holds at most ${SCREEN_GROUP_SIZE_MAX} screens`,
      );
    return { id: group.id, name: group.name, screens: size?.screens ?? 0 };
  });
}

/** Replaces the group's members with exactly these screens. */
export async function setScreenGroupMembers(
  db: Database,
  groupId: number,
  screenIds: number[],
): Promise<ScreenGroupView> {
  if (screenIds.length > SCREEN_GROUP_SIZE_MAX) {
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `a group holds at most ${SCREEN_GROUP_SIZE_MAX} screens`,
    );
  }
  const unique = [...new Set(screenIds)];
  return db.transaction(async (tx) => {
    const [group] = await tx.select().from(screenGroups).where(eq(screenGroups.id, groupId)).for('update');
    if (group === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen group ${groupId} not found`);
    if (unique.length > 0) {
      const known = await tx.select({ id: screens.id }).from(screens).where(inArray(screens.id, unique));
      if (known.length !== unique.length)
        throw new DomainError(ErrorCode.NOT_FOUND, 'some screens do not exist');
    }
    const before = await tx
      .delete(screenGroupMembers)
      .where(eq(screenGroupMembers.groupId, groupId))
      .returning({ screenId: screenGroupMembers.screenId });
    if (unique.length > 0) {
      await tx.insert(screenGroupMembers).values(unique.map((screenId) => ({ groupId, screenId })));
    }
    // Campaigns targeting groups gain or lose the screens that joined or left (decks and configs too).
    const changed = [...before.map((row) => row.screenId), ...unique];
    if (changed.length > 0) await refreshScreenCampaigns(tx, screenIdsIn(changed));
    return { id: group.id, name: group.name, screenIds: unique.sort((a, b) => a - b) };
  });
}
