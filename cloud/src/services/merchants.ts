// Merchants and stores of an advertiser, the offers each store accepts, and the stores' till keys:
// 256-bit secrets shown once, stored as SHA-256, rotated and revoked by the brand (or the operator).
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { TillPrincipal } from '../auth/sessions.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { advertisers } from '../db/schema/accounts.ts';
import { campaigns, couponOffers } from '../db/schema/campaigns.ts';
import { merchants, storeOffers, stores, tillKeys } from '../db/schema/merchants.ts';
import { DomainError } from '../errors.ts';
import type { TenantScope } from './accounts.ts';

export const STORE_OFFERS_MAX = 200;
/** How stale `last_used_at` may get before a request writes it again. */
const LAST_USED_RESOLUTION_S = 60;
/** Till keys start with this, so the HTTP layer can tell them from session tokens. */
export const TILL_KEY_PREFIX = 'rttk_';
const TILL_KEY_PATTERN = /^rttk_[A-Za-z0-9_-]{43}$/;

export interface MerchantView {
  id: number;
  advertiserId: number;
  name: string;
  createdAt: string;
}

export interface StoreView {
  id: number;
  merchantId: number;
  advertiserId: number;
  name: string;
  city: string;
  address: string;
  acceptedOfferIds: number[];
  activeTillKeys: number;
  createdAt: string;
}

export interface TillKeyView {
  id: number;
  storeId: number;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const tenantOf = (scope: TenantScope, column: typeof merchants.advertiserId | typeof stores.advertiserId) =>
  scope.kind === 'advertiser' ? eq(column, scope.advertiserId) : undefined;

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export async function createMerchant(
  db: Database,
  scope: TenantScope,
  input: { name: string; advertiserId?: number | undefined },
): Promise<MerchantView> {
  const advertiserId = scope.kind === 'advertiser' ? scope.advertiserId : input.advertiserId;
  if (advertiserId === undefined)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'advertiserId: the operator names the advertiser');
  if (scope.kind === 'advertiser' && input.advertiserId !== undefined && input.advertiserId !== advertiserId)
    throw new DomainError(ErrorCode.NOT_FOUND, `advertiser ${input.advertiserId} not found`);
  const [advertiser] = await db
    .select({ id: advertisers.id })
    .from(advertisers)
    .where(eq(advertisers.id, advertiserId));
  if (advertiser === undefined)
    throw new DomainError(ErrorCode.NOT_FOUND, `advertiser ${advertiserId} not found`);
  const [row] = await db.insert(merchants).values({ advertiserId, name: input.name }).returning();
  if (row === undefined) throw new Error('insert returned no row');
  return {
    id: row.id,
    advertiserId: row.advertiserId,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A page of merchants by id: `after` is the last id of the previous page (0 for the first). */
export async function listMerchants(
  db: Database,
  scope: TenantScope,
  page: { limit: number; after: number },
): Promise<MerchantView[]> {
  const rows = await db
    .select()
    .from(merchants)
    .where(and(tenantOf(scope, merchants.advertiserId), gt(merchants.id, page.after)))
    .orderBy(asc(merchants.id))
    .limit(page.limit);
  return rows.map((row) => ({
    id: row.id,
    advertiserId: row.advertiserId,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
  }));
}

export async function createStore(
  db: Database,
  scope: TenantScope,
  input: { merchantId: number; name: string; city: string; address: string },
): Promise<StoreView> {
  const [merchant] = await db
    .select({ id: merchants.id, advertiserId: merchants.advertiserId })
    .from(merchants)
    .where(and(eq(merchants.id, input.merchantId), tenantOf(scope, merchants.advertiserId)));
  if (merchant === undefined)
    throw new DomainError(ErrorCode.NOT_FOUND, `merchant ${input.merchantId} not found`);
  const [row] = await db
    .insert(stores)
    .values({
      merchantId: merchant.id,
      advertiserId: merchant.advertiserId,
      name: input.name,
      city: input.city,
      address: input.address,
    })
    .returning({ id: stores.id });
  if (row === undefined) throw new Error('insert returned no row');
  return getStore(db, scope, row.id);
}

/** A page of stores by id (of one merchant, if asked): `after` is the last id of the previous page. */
export async function listStores(
  db: Database,
  scope: TenantScope,
  page: { limit: number; after: number; merchantId?: number | undefined },
): Promise<StoreView[]> {
  return storeViews(
    db,
    and(
      tenantOf(scope, stores.advertiserId),
      page.merchantId === undefined ? undefined : eq(stores.merchantId, page.merchantId),
      gt(stores.id, page.after),
    ),
    page.limit,
  );
}

/** The stores `where` picks, by id, at most `limit`, with their accepted offers and live key counts. */
async function storeViews(db: Database, where: SQL | undefined, limit: number): Promise<StoreView[]> {
  const rows = await db.select().from(stores).where(where).orderBy(asc(stores.id)).limit(limit);
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const offers = await db
    .select({ storeId: storeOffers.storeId, offerId: storeOffers.couponOfferId })
    .from(storeOffers)
    .where(inArray(storeOffers.storeId, ids))
    .orderBy(asc(storeOffers.couponOfferId));
  const keys = await db
    .select({ storeId: tillKeys.storeId, count: sql<unknown>`count(*)` })
    .from(tillKeys)
    .where(and(inArray(tillKeys.storeId, ids), isNull(tillKeys.revokedAt)))
    .groupBy(tillKeys.storeId);
  return rows.map((row) => ({
    id: row.id,
    merchantId: row.merchantId,
    advertiserId: row.advertiserId,
    name: row.name,
    city: row.city,
    address: row.address,
    acceptedOfferIds: offers.filter((offer) => offer.storeId === row.id).map((offer) => offer.offerId),
    activeTillKeys: int(keys.find((key) => key.storeId === row.id)?.count ?? 0),
    createdAt: row.createdAt.toISOString(),
  }));
}

/** Out-of-scope stores are NOT_FOUND, like every other tenant's id. */
export async function getStore(db: Database, scope: TenantScope, storeId: number): Promise<StoreView> {
  const [view] = await storeViews(db, and(tenantOf(scope, stores.advertiserId), eq(stores.id, storeId)), 1);
  if (view === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `store ${storeId} not found`);
  return view;
}

/** Replaces the store's accepted offers; every offer must be one of the store's own brand. */
export async function setStoreOffers(
  db: Database,
  scope: TenantScope,
  input: { storeId: number; couponOfferIds: number[] },
): Promise<StoreView> {
  const store = await getStore(db, scope, input.storeId);
  const wanted = [...new Set(input.couponOfferIds)];
  if (wanted.length > STORE_OFFERS_MAX)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `at most ${STORE_OFFERS_MAX} offers per store`);
  const own =
    wanted.length === 0
      ? []
      : await db
          .select({ id: couponOffers.id })
          .from(couponOffers)
          .innerJoin(campaigns, eq(campaigns.id, couponOffers.campaignId))
          .where(and(inArray(couponOffers.id, wanted), eq(campaigns.advertiserId, store.advertiserId)));
  const missing = wanted.filter((id) => !own.some((offer) => offer.id === id));
  if (missing.length > 0)
    throw new DomainError(ErrorCode.NOT_FOUND, `coupon offer ${missing.join(', ')} not found`);
  await db.transaction(async (tx) => {
    await tx.delete(storeOffers).where(eq(storeOffers.storeId, store.id));
    if (wanted.length > 0)
      await tx
        .insert(storeOffers)
        .values(wanted.map((couponOfferId) => ({ storeId: store.id, couponOfferId })));
  });
  return getStore(db, scope, store.id);
}

function hashTillSecret(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new till key for the store; with `revokeOthers` this is a rotation. The key is returned only here. */
export async function issueTillKey(
  db: Database,
  scope: TenantScope,
  input: { storeId: number; revokeOthers: boolean; now: Date; issuedByUserId?: number | undefined },
): Promise<TillKeyView & { key: string }> {
  const store = await getStore(db, scope, input.storeId);
  const key = `${TILL_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await db.transaction(async (tx) => {
    if (input.revokeOthers)
      await tx
        .update(tillKeys)
        .set({ revokedAt: input.now })
        .where(and(eq(tillKeys.storeId, store.id), isNull(tillKeys.revokedAt)));
    const [inserted] = await tx
      .insert(tillKeys)
      .values({
        storeId: store.id,
        secretHash: hashTillSecret(key),
        hint: key.slice(0, 9),
        createdAt: input.now,
        issuedByUserId: input.issuedByUserId ?? null,
      })
      .returning();
    if (inserted === undefined) throw new Error('insert returned no row');
    return inserted;
  });
  return { ...toTillKeyView(row), key };
}

function toTillKeyView(row: typeof tillKeys.$inferSelect): TillKeyView {
  return {
    id: row.id,
    storeId: row.storeId,
    hint: row.hint,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

/** A page of the store's till keys, newest first: `before` is the smallest id of the previous page (0 first). */
export async function listTillKeys(
  db: Database,
  scope: TenantScope,
  page: { storeId: number; limit: number; before: number },
): Promise<TillKeyView[]> {
  const store = await getStore(db, scope, page.storeId);
  const rows = await db
    .select()
    .from(tillKeys)
    .where(and(eq(tillKeys.storeId, store.id), page.before > 0 ? lt(tillKeys.id, page.before) : undefined))
    .orderBy(desc(tillKeys.id))
    .limit(page.limit);
  return rows.map(toTillKeyView);
}

export async function revokeTillKey(
  db: Database,
  scope: TenantScope,
  input: { tillKeyId: number; now: Date },
): Promise<TillKeyView> {
  const [found] = await db
    .select({ storeId: tillKeys.storeId })
    .from(tillKeys)
    .innerJoin(stores, eq(stores.id, tillKeys.storeId))
    .where(and(eq(tillKeys.id, input.tillKeyId), tenantOf(scope, stores.advertiserId)));
  if (found === undefined)
    throw new DomainError(ErrorCode.NOT_FOUND, `till key ${input.tillKeyId} not found`);
  const [row] = await db
    .update(tillKeys)
    .set({ revokedAt: sql`coalesce(${tillKeys.revokedAt}, ${input.now.toISOString()}::timestamptz)` })
    .where(eq(tillKeys.id, input.tillKeyId))
    .returning();
  if (row === undefined) throw new Error('update returned no row');
  return toTillKeyView(row);
}

/** The till a bearer key names, or null for anything that is not a live key (or whose issuer is disabled). */
export async function authenticateTillKey(
  db: Database,
  key: string,
  now: Date,
): Promise<TillPrincipal | null> {
  if (!TILL_KEY_PATTERN.test(key)) return null;
  const rows = await queryRows<{ id: unknown; store_id: unknown; advertiser_id: unknown; stale: boolean }>(
    db,
    sql`select k.id, k.store_id, s.advertiser_id,
               (k.last_used_at is null or k.last_used_at < ${now.toISOString()}::timestamptz - make_interval(secs => ${LAST_USED_RESOLUTION_S})) as stale
        from till_keys k join stores s on s.id = k.store_id
        left join users u on u.id = k.issued_by_user_id
        where k.secret_hash = ${hashTillSecret(key)} and k.revoked_at is null and u.disabled_at is null`,
  );
  const [row] = rows;
  if (row === undefined) return null;
  const tillKeyId = int(row.id);
  if (row.stale) await db.update(tillKeys).set({ lastUsedAt: now }).where(eq(tillKeys.id, tillKeyId));
  return { role: 'till', tillKeyId, storeId: int(row.store_id), advertiserId: int(row.advertiser_id) };
}

/**
 * For the `npm start` demo: a merchant and store for the campaign's advertiser that accept all of the
 * campaign's offers, and a fresh till key. Reuses the store of the same name, so restarts do not pile up.
 */
export async function seedDemoStore(
  db: Database,
  input: { campaignId: number; now: Date; name?: string; city?: string; address?: string },
): Promise<{ merchantId: number; storeId: number; tillKey: string }> {
  const [campaign] = await db
    .select({ advertiserId: campaigns.advertiserId, sponsor: campaigns.sponsor })
    .from(campaigns)
    .where(eq(campaigns.id, input.campaignId));
  if (campaign === undefined)
    throw new DomainError(ErrorCode.NOT_FOUND, `campaign ${input.campaignId} not found`);
  const scope: TenantScope = { kind: 'advertiser', advertiserId: campaign.advertiserId };
  const name = input.name ?? `${campaign.sponsor} demo store`;
  const [existing] = await storeViews(
    db,
    and(eq(stores.advertiserId, campaign.advertiserId), eq(stores.name, name)),
    1,
  );
  const store =
    existing ??
    (await createStore(db, scope, {
      merchantId: (await createMerchant(db, scope, { name: campaign.sponsor })).id,
      name,
      city: input.city ?? '上海',
      address: input.address ?? '1 Demo Road',
    }));
  const offers = await db
    .select({ id: couponOffers.id })
    .from(couponOffers)
    .where(eq(couponOffers.campaignId, input.campaignId));
  await setStoreOffers(db, scope, {
    storeId: store.id,
    couponOfferIds: [...new Set([...store.acceptedOfferIds, ...offers.map((offer) => offer.id)])],
  });
  const key = await issueTillKey(db, scope, { storeId: store.id, revokeOthers: true, now: input.now });
  return { merchantId: store.merchantId, storeId: store.id, tillKey: key.key };
}
