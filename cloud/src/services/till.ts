// Coupons at a store's till: look a code up without burning it, and redeem it exactly once. The
// redemption is one conditional UPDATE (`redeemed_at is null`), so two tills racing on one code get one
// winner on PostgreSQL and PGlite alike; a retry with the same till transaction id gets the same answer.
import { sql } from 'drizzle-orm';
import type { TillPrincipal } from '../auth/sessions.ts';
import { CouponErrorCode } from '../coupons/coupon-errors.ts';
import { formatCouponCode } from '../coupons/coupon-code.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { DomainError } from '../errors.ts';

export type CouponStatus = 'issued' | 'redeemed' | 'expired';

export interface TillCouponView {
  /** As people see it: grouped, with the check character. */
  code: string;
  status: CouponStatus;
  offer: { id: number; title: string; valueFen: number; terms: string };
  campaignId: number;
  issuedAt: string;
  /** Unix seconds. */
  validUntil: number;
  redeemedAt: string | null;
  /** Whether this store takes this offer. */
  acceptedHere: boolean;
  /** Why a redemption here would be refused now, or null when it would succeed. */
  refusal: CouponErrorCode | null;
}

interface CouponRow {
  id: unknown;
  code: string;
  campaign_id: unknown;
  advertiser_id: unknown;
  offer_id: unknown;
  title: string;
  value_fen: unknown;
  terms: string;
  issued_at: Date | string;
  valid_until: unknown;
  redeemed_at: Date | string | null;
  redeemed_store_id: unknown;
  redeemed_till_txn_id: string | null;
  accepted: boolean;
}

async function loadCoupon(db: Database, body: string, storeId: number): Promise<CouponRow | undefined> {
  const [row] = await queryRows<CouponRow>(
    db,
    sql`select c.id, c.code, c.campaign_id, k.advertiser_id, o.id as offer_id, o.title, o.value_fen, o.terms,
               c.issued_at, c.valid_until, c.redeemed_at, c.redeemed_store_id, c.redeemed_till_txn_id,
               exists (select 1 from store_offers so where so.store_id = ${storeId} and so.coupon_offer_id = c.coupon_offer_id) as accepted
        from coupons c
        join coupon_offers o on o.id = c.coupon_offer_id
        join campaigns k on k.id = c.campaign_id
        where c.code = ${body}`,
  );
  return row;
}

const isoOf = (value: Date | string) => (typeof value === 'string' ? new Date(value) : value).toISOString();

function viewOf(row: CouponRow, nowS: number): TillCouponView {
  const validUntil = int(row.valid_until);
  const status: CouponStatus =
    row.redeemed_at !== null ? 'redeemed' : validUntil < nowS ? 'expired' : 'issued';
  const refusal = !row.accepted
    ? CouponErrorCode.COUPON_NOT_ACCEPTED_HERE
    : status === 'redeemed'
      ? CouponErrorCode.COUPON_ALREADY_REDEEMED
      : status === 'expired'
        ? CouponErrorCode.COUPON_EXPIRED
        : null;
  return {
    code: formatCouponCode(row.code),
    status,
    offer: { id: int(row.offer_id), title: row.title, valueFen: int(row.value_fen), terms: row.terms },
    campaignId: int(row.campaign_id),
    issuedAt: isoOf(row.issued_at),
    validUntil,
    redeemedAt: row.redeemed_at === null ? null : isoOf(row.redeemed_at),
    acceptedHere: row.accepted,
    refusal,
  };
}

const refusalMessages: Record<CouponErrorCode, string> = {
  COUPON_CODE_INVALID: 'the code is mistyped (its check character does not match)',
  COUPON_UNKNOWN: 'no coupon has this code',
  COUPON_NOT_ACCEPTED_HERE: 'this store does not accept this coupon',
  COUPON_EXPIRED: 'the coupon has expired',
  COUPON_ALREADY_REDEEMED: 'the coupon was already redeemed',
};

export function refuse(code: CouponErrorCode): DomainError {
  return new DomainError(code, refusalMessages[code]);
}

/** A coupon of another brand answers NOT_ACCEPTED_HERE and reveals nothing else. */
async function ownCoupon(db: Database, till: TillPrincipal, body: string): Promise<CouponRow> {
  const row = await loadCoupon(db, body, till.storeId);
  if (row === undefined) throw refuse(CouponErrorCode.COUPON_UNKNOWN);
  if (int(row.advertiser_id) !== till.advertiserId) throw refuse(CouponErrorCode.COUPON_NOT_ACCEPTED_HERE);
  return row;
}

/** Looks a coupon up without burning it. */
export async function checkCouponAtTill(
  db: Database,
  till: TillPrincipal,
  input: { body: string; now: Date },
): Promise<TillCouponView> {
  return viewOf(await ownCoupon(db, till, input.body), Math.floor(input.now.getTime() / 1000));
}

/**
 * Redeems a coupon at this till. Idempotent by code plus the till's transaction id: the same id at the
 * same store answers the first result (`replayed: true`); any other attempt on a redeemed coupon is
 * COUPON_ALREADY_REDEEMED.
 */
export async function redeemCouponAtTill(
  db: Database,
  till: TillPrincipal,
  input: { body: string; tillTxnId: string | undefined; now: Date },
): Promise<TillCouponView & { replayed: boolean }> {
  const nowS = Math.floor(input.now.getTime() / 1000);
  const row = await ownCoupon(db, till, input.body);
  const replay = (current: CouponRow) => {
    const sameTxn =
      input.tillTxnId !== undefined &&
      current.redeemed_till_txn_id === input.tillTxnId &&
      current.redeemed_store_id !== null &&
      int(current.redeemed_store_id) === till.storeId;
    if (!sameTxn) throw refuse(CouponErrorCode.COUPON_ALREADY_REDEEMED);
    return { ...viewOf(current, nowS), refusal: null, replayed: true };
  };
  if (!row.accepted) throw refuse(CouponErrorCode.COUPON_NOT_ACCEPTED_HERE);
  if (row.redeemed_at !== null) return replay(row);
  if (int(row.valid_until) < nowS) throw refuse(CouponErrorCode.COUPON_EXPIRED);
  const updated = await queryRows<{ redeemed_at: Date | string }>(
    db,
    sql`update coupons set redeemed_at = ${input.now.toISOString()}::timestamptz, redeemed_store_id = ${till.storeId},
          redeemed_till_key_id = ${till.tillKeyId}, redeemed_till_txn_id = ${input.tillTxnId ?? null}
        where id = ${int(row.id)} and redeemed_at is null and valid_until >= ${nowS}
        returning redeemed_at`,
  );
  if (updated.length === 0) {
    // Another till won the race (or the coupon expired this second): answer from the row as it is now.
    const current = await ownCoupon(db, till, input.body);
    if (current.redeemed_at !== null) return replay(current);
    throw refuse(CouponErrorCode.COUPON_EXPIRED);
  }
  const redeemed: CouponRow = {
    ...row,
    redeemed_at: updated[0]?.redeemed_at ?? input.now,
    redeemed_store_id: till.storeId,
    redeemed_till_txn_id: input.tillTxnId ?? null,
  };
  return { ...viewOf(redeemed, nowS), refusal: null, replayed: false };
}

/** The till's own store, for the till page's header. */
export async function tillStore(
  db: Database,
  till: TillPrincipal,
): Promise<{
  storeId: number;
  name: string;
  city: string;
  address: string;
  merchant: string;
  acceptedOffers: { id: number; title: string; valueFen: number }[];
}> {
  const [store] = await queryRows<{ name: string; city: string; address: string; merchant: string }>(
    db,
    sql`select s.name, s.city, s.address, m.name as merchant from stores s join merchants m on m.id = s.merchant_id
        where s.id = ${till.storeId}`,
  );
  if (store === undefined) throw new Error(`till key ${till.tillKeyId} names a missing store`);
  const offers = await queryRows<{ id: unknown; title: string; value_fen: unknown }>(
    db,
    sql`select o.id, o.title, o.value_fen from store_offers so join coupon_offers o on o.id = so.coupon_offer_id
        where so.store_id = ${till.storeId} order by o.id limit 200`,
  );
  return {
    storeId: till.storeId,
    ...store,
    acceptedOffers: offers.map((offer) => ({
      id: int(offer.id),
      title: offer.title,
      valueFen: int(offer.value_fen),
    })),
  };
}
