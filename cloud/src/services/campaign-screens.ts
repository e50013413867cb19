// Which screens a campaign targets, resolved once and stored (campaign_screens), and the desired state a
// change of it writes: the decks its screens want (deck_wants, made true by the deck dispatcher) and
// their configs marked stale (screen_config_state, made true by the config dispatcher). docs/architecture.md,
// "Desired state".
//
// The targeting rule is written once, in SQL (campaignTargetsScreen); every tier reads its result from
// campaign_screens: deck issuance (fair shares), a deck-low, the screen's config, claims and settlement.
// The set is kept current by one set-based statement in each transaction that changes what it depends on:
// a campaign's status (activate, pause, resume, end), a screen's status (enrolled, revoked), city or
// building, and group membership. No statement here runs once per screen, and none truncates the set.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';

/**
 * Running campaigns one screen's config carries at most (docs/protocol.md §5.5). An activation that
 * would give a screen more is refused (screensOverCampaignCap), so no screen's config leaves one out.
 */
export const SCREEN_CAMPAIGNS_MAX = 64;

/**
 * How many of the campaign's targeted screens run more than SCREEN_CAMPAIGNS_MAX active campaigns: one
 * aggregate, read in the activating transaction after the campaign's screens were resolved.
 */
export async function screensOverCampaignCap(tx: Database, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    tx,
    sql`select count(*) as n from (
          select cs.screen_id from campaign_screens cs
          join campaign_screens other on other.screen_id = cs.screen_id
          join campaigns c on c.id = other.campaign_id and c.status = 'active'
          where cs.campaign_id = ${campaignId}
          group by cs.screen_id having count(*) > ${SCREEN_CAMPAIGNS_MAX}) crowded`,
  );
  return int(row?.n ?? 0);
}

/** Campaigns whose targeted screens are kept in campaign_screens. */
const KEPT = sql`('active', 'paused')`;

/**
 * The targeting rule: campaign `c` targets screen `s` when every non-empty list of its targeting matches
 * (cities, buildings, groups: each list with OR, the lists with AND). `c` is a campaigns row and `s` a
 * screens row in the statement that uses it. The only place the rule is written.
 */
export function campaignTargetsScreen(c: SQL = sql.raw('c'), s: SQL = sql.raw('s')): SQL {
  return sql`((jsonb_array_length(${c}.targeting -> 'cities') = 0 or (${c}.targeting -> 'cities') ? ${s}.city)
          and (jsonb_array_length(${c}.targeting -> 'buildings') = 0 or (${c}.targeting -> 'buildings') ? ${s}.building)
          and (jsonb_array_length(${c}.targeting -> 'screenGroupIds') = 0 or exists (
                select 1 from screen_group_members m
                where m.screen_id = ${s}.id and (${c}.targeting -> 'screenGroupIds') @> to_jsonb(m.group_id))))`;
}

/** The config generation a change's stale marks take: one number from the config dispatcher's sequence. */
const nextGeneration = sql`(select nextval('screen_config_generation_seq') as generation)`;

export interface QueuedRollout {
  /** Targeted screens (campaign_screens rows) after the change. */
  screens: number;
  /** Deck wants written (screens of an active campaign that still want a deck from it). */
  decks: number;
  /** Screens whose config was marked stale. */
  configs: number;
  /** The config generation of the stale marks (0 when none): GET /v1/campaigns/{id}/rollout shows progress. */
  generation: number;
}

function queuedOf(row: Record<string, unknown> | undefined): QueuedRollout {
  return {
    screens: int(row?.screens ?? 0),
    decks: int(row?.decks ?? 0),
    configs: int(row?.configs ?? 0),
    generation: int(row?.generation ?? 0),
  };
}

/**
 * After a campaign's status changed (in the same transaction): an active campaign's targeted screens are
 * resolved again and each wants a deck from it (those waiting out a backoff keep it); a paused one keeps
 * its screens and wants no deck; any other status keeps neither. Every screen it targeted or targets now
 * gets its config marked stale. Two statements, whatever the number of screens.
 */
export async function rollOutCampaign(tx: Database, campaignId: number): Promise<QueuedRollout> {
  const [row] = await queryRows<Record<string, unknown>>(
    tx,
    sql`with campaign as (select id, status, targeting from campaigns where id = ${campaignId}),
        wanted as (
          select c.id as campaign_id, s.id as screen_id from campaign c join screens s on s.status = 'active'
          where c.status in ${KEPT} and ${campaignTargetsScreen()}),
        removed as (
          delete from campaign_screens cs where cs.campaign_id = ${campaignId}
            and not exists (select 1 from wanted w where w.screen_id = cs.screen_id)
          returning cs.screen_id),
        added as (
          insert into campaign_screens (campaign_id, screen_id) select campaign_id, screen_id from wanted
          on conflict do nothing returning screen_id),
        dropped as (
          delete from deck_wants dw where dw.campaign_id = ${campaignId}
            and ((select status from campaign) <> 'active'
                 or not exists (select 1 from wanted w where w.screen_id = dw.screen_id))
          returning dw.screen_id),
        wants as (
          insert into deck_wants (campaign_id, screen_id)
          select w.campaign_id, w.screen_id from wanted w join campaign c on c.status = 'active'
          on conflict do nothing returning screen_id),
        generation as ${nextGeneration},
        stale as (
          update screen_config_state st set wanted_generation = g.generation from generation g
          where st.screen_id in (select screen_id from wanted union select screen_id from removed)
          returning st.screen_id)
        select (select count(*) from wanted) as screens,
               (select count(*) from wants) + (select count(*) from deck_wants
                  where campaign_id = ${campaignId} and (select status from campaign) = 'active') as decks,
               (select count(*) from stale) as configs,
               (select generation from generation) as generation,
               (select count(*) from added) as added, (select count(*) from dropped) as dropped`,
  );
  return queuedOf(row);
}

/**
 * After the screens `screenIds` (a query of screen ids) changed what targeting reads (status, city,
 * building, groups), in the same transaction: their rows of every active or paused campaign are resolved
 * again. A screen that joins an active campaign wants a deck from it; one that leaves wants none; each
 * whose campaigns changed, or that `alsoStale` names (its config changed for another reason), gets its
 * config marked stale. One statement, whatever the number of screens and campaigns.
 */
export async function refreshScreenCampaigns(
  tx: Database,
  screenIds: SQL,
  options: { alsoStale?: SQL } = {},
): Promise<QueuedRollout> {
  const alsoStale = options.alsoStale ?? sql`select null::bigint where false`;
  const [row] = await queryRows<Record<string, unknown>>(
    tx,
    sql`with affected as (select id from screens where id in (${screenIds})),
        wanted as (
          select c.id as campaign_id, s.id as screen_id
          from campaigns c join screens s on s.id in (select id from affected) and s.status = 'active'
          where c.status in ${KEPT} and ${campaignTargetsScreen()}),
        removed as (
          delete from campaign_screens cs where cs.screen_id in (select id from affected)
            and not exists (select 1 from wanted w where w.campaign_id = cs.campaign_id and w.screen_id = cs.screen_id)
          returning cs.campaign_id, cs.screen_id),
        added as (
          insert into campaign_screens (campaign_id, screen_id) select campaign_id, screen_id from wanted
          on conflict do nothing returning campaign_id, screen_id),
        dropped as (
          delete from deck_wants dw using removed r
          where dw.campaign_id = r.campaign_id and dw.screen_id = r.screen_id returning 1),
        wants as (
          insert into deck_wants (campaign_id, screen_id)
          select a.campaign_id, a.screen_id from added a join campaigns c on c.id = a.campaign_id and c.status = 'active'
          on conflict do nothing returning 1),
        generation as ${nextGeneration},
        stale as (
          update screen_config_state st set wanted_generation = g.generation from generation g
          where st.screen_id in (select screen_id from added union select screen_id from removed
                                 union select id from screens where id in (${alsoStale}) and status = 'active')
          returning st.screen_id)
        select (select count(*) from wanted) as screens, (select count(*) from wants) as decks,
               (select count(*) from stale) as configs,
               (select generation from generation) as generation, (select count(*) from dropped) as dropped`,
  );
  return queuedOf(row);
}

/** A query of the screen ids in a JSON array (a list the caller holds, such as a group change's). */
export function screenIdsIn(ids: readonly number[]): SQL {
  return sql`select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint`;
}

/** Targeted screens of a campaign (a count over the stored set, never a recomputation). */
export async function countCampaignScreens(db: Database, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(*) as n from campaign_screens where campaign_id = ${campaignId}`,
  );
  return int(row?.n ?? 0);
}

/** Of `screenIds`, those the campaign targets (the stored set; whatever their status: the caller judged). */
export async function screensTargeted(
  db: Database,
  campaignId: number,
  screenIds: readonly number[],
): Promise<Set<number>> {
  if (screenIds.length === 0) return new Set();
  const rows = await queryRows<{ screen_id: unknown }>(
    db,
    sql`select screen_id from campaign_screens
        where campaign_id = ${campaignId} and screen_id in (${screenIdsIn(screenIds)})`,
  );
  return new Set(rows.map((row) => int(row.screen_id)));
}

export interface CampaignRollout {
  campaignId: number;
  status: string;
  /** Active screens the campaign targets. */
  screens: number;
  /** Of them, those holding an open, unexpired deck of the campaign. */
  withDeck: number;
  /** Deck wants not yet made true, and of them those waiting out a backoff after a failure. */
  decksPending: number;
  decksRetrying: number;
  /** Of the targeted screens, those whose config is stale (the config dispatcher has yet to publish it). */
  configsStale: number;
  /** Of them, those whose last publish failed. */
  configsRetrying: number;
}

/** How far a campaign's rollout has come: aggregates over its stored screens, no loop over screens. */
export async function campaignRollout(db: Database, campaignId: number, now: Date): Promise<CampaignRollout> {
  const nowS = Math.floor(now.getTime() / 1000);
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select c.id, c.status,
          (select count(*) from campaign_screens cs where cs.campaign_id = c.id) as screens,
          (select count(*) from campaign_screens cs where cs.campaign_id = c.id and exists (
             select 1 from decks d where d.screen_id = cs.screen_id and d.campaign_id = c.id
               and d.status = 'open' and d.valid_until >= ${nowS} and d.closed_used_count is null)) as with_deck,
          (select count(*) from deck_wants dw where dw.campaign_id = c.id) as decks_pending,
          (select count(*) from deck_wants dw where dw.campaign_id = c.id and dw.attempts > 0) as decks_retrying,
          (select count(*) filter (where st.published_generation < greatest(g.generation, st.wanted_generation))
           from campaign_screens cs join screen_config_state st on st.screen_id = cs.screen_id
           cross join screen_config_generation g where cs.campaign_id = c.id and g.id = 1) as configs_stale,
          (select count(*) from campaign_screens cs join screen_config_state st on st.screen_id = cs.screen_id
           where cs.campaign_id = c.id and st.attempts > 0) as configs_retrying
        from campaigns c where c.id = ${campaignId}`,
  );
  return {
    campaignId,
    status: typeof row?.status === 'string' ? row.status : '',
    screens: int(row?.screens ?? 0),
    withDeck: int(row?.with_deck ?? 0),
    decksPending: int(row?.decks_pending ?? 0),
    decksRetrying: int(row?.decks_retrying ?? 0),
    configsStale: int(row?.configs_stale ?? 0),
    configsRetrying: int(row?.configs_retrying ?? 0),
  };
}
