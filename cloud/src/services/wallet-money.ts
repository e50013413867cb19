// A wallet's money as its owner sees it: taps with their results, coupons, and withdrawals into clearing
// (to the linked payout account, idempotent per key, ≥ the minimum, within a daily limit) with the state
// of their payout (services/payouts.ts).
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { ErrorCode, maskPayoutAccount } from '@redtap/shared';
import { displayCouponCode } from '../coupons/coupon-code.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { advertisers } from '../db/schema/accounts.ts';
import { campaigns, couponOffers } from '../db/schema/campaigns.ts';
import { claims } from '../db/schema/claims.ts';
import { redemptions } from '../db/schema/redemptions.ts';
import { wallets } from '../db/schema/wallets.ts';
import { payoutAccounts } from '../db/schema/payout-accounts.ts';
import { withdrawals, type WithdrawalStatus } from '../db/schema/withdrawals.ts';
import { DomainError } from '../errors.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import { localDay } from '../local-day.ts';
import type { MoneySettings } from '../money-settings.ts';
import { withdrawalHoldReason } from './account-signals.ts';

export interface HistoryItem {
  id: number;
  screenId: number;
  counter: number;
  campaignId: number;
  tapTs: number;
  amountFen: number;
  couponOfferId: number | null;
  status: string;
  reason: string | null;
  /** The brand of the tap's campaign (its sponsor, else its advertiser's name); null if it is unknown. */
  brand: string | null;
  /** The title of the tap's coupon offer; null without one. */
  couponTitle: string | null;
  /**
   * How it was won: `tap` (a kiosk tap token; `counter` is its counter) or an online claim, `qr`,
   * `reader_tag` (`counter` is the ticket's sequence) or `sticker` (`counter` is the SUN read counter).
   */
  path: 'tap' | 'qr' | 'reader_tag' | 'sticker';
  /** With a daily-count cap reason: the cash packets already counted that day, and the limit. */
  capCount?: number;
  capMax?: number;
}

/** Newest first; `before` is the keyset cursor (0 = from the newest). */
export async function walletHistory(
  db: Database,
  walletId: number,
  page: { limit: number; before: number },
  settings: Pick<MoneySettings, 'walletDailyCashCountMax'>,
): Promise<HistoryItem[]> {
  const tapRows = await db
    .select({
      id: redemptions.id,
      screenId: redemptions.screenId,
      counter: redemptions.counter,
      campaignId: redemptions.campaignId,
      tapTs: redemptions.tapTs,
      tapDay: redemptions.tapDay,
      amountFen: redemptions.amountFen,
      couponOfferId: redemptions.couponOfferId,
      status: redemptions.status,
      code: redemptions.code,
      brand: sql<string | null>`coalesce(nullif(${campaigns.sponsor}, ''), ${advertisers.name})`,
      couponTitle: couponOffers.title,
    })
    .from(redemptions)
    .leftJoin(campaigns, eq(campaigns.id, redemptions.campaignId))
    .leftJoin(advertisers, eq(advertisers.id, campaigns.advertiserId))
    .leftJoin(couponOffers, eq(couponOffers.id, redemptions.couponOfferId))
    .where(
      and(eq(redemptions.walletId, walletId), page.before > 0 ? lt(redemptions.id, page.before) : undefined),
    )
    .orderBy(desc(redemptions.id))
    .limit(page.limit);
  // Claims draw their ids from the redemptions' sequence (schema/claims.ts), so one cursor pages both.
  const claimRows = await db
    .select({
      id: claims.id,
      screenId: claims.screenId,
      ticketSeq: claims.ticketSeq,
      sunCounter: claims.sunCounter,
      campaignId: claims.campaignId,
      tapTs: claims.tapTs,
      tapDay: claims.tapDay,
      amountFen: claims.amountFen,
      couponOfferId: claims.couponOfferId,
      status: claims.status,
      code: claims.code,
      path: claims.path,
      brand: sql<string | null>`coalesce(nullif(${campaigns.sponsor}, ''), ${advertisers.name})`,
      // A claim past the campaign's cash cap wins its fallback coupon (claims.ts).
      couponTitle: couponOffers.title,
    })
    .from(claims)
    .leftJoin(campaigns, eq(campaigns.id, claims.campaignId))
    .leftJoin(advertisers, eq(advertisers.id, campaigns.advertiserId))
    .leftJoin(couponOffers, eq(couponOffers.id, claims.couponOfferId))
    .where(and(eq(claims.walletId, walletId), page.before > 0 ? lt(claims.id, page.before) : undefined))
    .orderBy(desc(claims.id))
    .limit(page.limit);
  const rows = [
    ...tapRows.map((row) => ({ ...row, path: 'tap' as const })),
    ...claimRows.map(({ ticketSeq, sunCounter, ...row }) => ({
      ...row,
      counter: ticketSeq ?? sunCounter ?? 0,
      campaignId: row.campaignId ?? 0,
    })),
  ]
    .sort((a, b) => b.id - a.id)
    .slice(0, page.limit);
  const counts = await dailyCashCounts(
    db,
    walletId,
    rows.filter((row) => row.code !== null && COUNTED_CAPS.has(row.code)).map((row) => row.tapDay),
  );
  return rows.map((row) => {
    const item: HistoryItem = {
      id: row.id,
      screenId: row.screenId,
      counter: row.counter,
      campaignId: row.campaignId,
      tapTs: row.tapTs,
      amountFen: row.amountFen,
      couponOfferId: row.couponOfferId,
      status: row.status,
      reason: row.code,
      brand: row.brand,
      couponTitle: row.couponTitle,
      path: row.path,
    };
    const day = counts.get(row.tapDay);
    if (day === undefined) return item;
    // The same counts settlement judged by (settle.ts step 7): paid or held cash packets that day.
    if (row.code === ErrorCode.CAP_WALLET_DAILY_COUNT)
      return { ...item, capCount: day.total, capMax: settings.walletDailyCashCountMax };
    const campaign = day.byCampaign.get(row.campaignId);
    if (row.code === ErrorCode.CAP_CAMPAIGN_WALLET && campaign !== undefined)
      return { ...item, capCount: campaign.count, capMax: campaign.max };
    return item;
  });
}

/** The count caps a history row can show as "n of max". */
const COUNTED_CAPS: ReadonlySet<string> = new Set([
  ErrorCode.CAP_WALLET_DAILY_COUNT,
  ErrorCode.CAP_CAMPAIGN_WALLET,
]);

interface DayCashCounts {
  total: number;
  byCampaign: Map<number, { count: number; max: number }>;
}

/**
 * The counts behind every capped day on the page, from the per-wallet day counters that settlement keeps
 * (wallet_day_totals: credited and held cash packets per campaign), so a long history costs nothing.
 */
async function dailyCashCounts(
  db: Database,
  walletId: number,
  days: string[],
): Promise<Map<string, DayCashCounts>> {
  const counts = new Map<string, DayCashCounts>();
  if (days.length === 0) return counts;
  const rows = await queryRows<{ tap_day: string; campaign_id: unknown; n: unknown; max: unknown }>(
    db,
    sql`select t.tap_day::text as tap_day, t.campaign_id, t.cash_count as n,
               (c.rules->>'cashPerWalletPerDay')::int as max
          from wallet_day_totals t join campaigns c on c.id = t.campaign_id
         where t.wallet_id = ${walletId} and t.cash_count > 0
           and t.tap_day in (${sql.join(
             [...new Set(days)].map((day) => sql`${day}::date`),
             sql`, `,
           )})`,
  );
  for (const row of rows) {
    const day = counts.get(row.tap_day) ?? { total: 0, byCampaign: new Map() };
    day.total += int(row.n);
    day.byCampaign.set(int(row.campaign_id), { count: int(row.n), max: int(row.max) });
    counts.set(row.tap_day, day);
  }
  return counts;
}

export async function walletCoupons(
  db: Database,
  walletId: number,
  page: { limit: number; before: number },
  now: Date,
): Promise<
  {
    id: number;
    code: string;
    couponOfferId: number;
    title: string;
    valueFen: number;
    terms: string;
    validUntil: number;
    status: 'issued' | 'redeemed' | 'expired';
    redeemedAt: string | null;
  }[]
> {
  const rows = await queryRows<{
    id: unknown;
    code: string;
    coupon_offer_id: unknown;
    title: string;
    value_fen: unknown;
    terms: string;
    valid_until: unknown;
    redeemed_at: Date | string | null;
  }>(
    db,
    sql`select c.id, c.code, c.coupon_offer_id, o.title, o.value_fen, o.terms, c.valid_until, c.redeemed_at
        from coupons c join coupon_offers o on o.id = c.coupon_offer_id
        where c.wallet_id = ${walletId} and (${page.before} = 0 or c.id < ${page.before})
        order by c.id desc limit ${page.limit}`,
  );
  return rows.map((row) => ({
    id: int(row.id),
    // People and their QR code get the grouped form with its check character (src/coupons/coupon-code.ts).
    code: displayCouponCode(row.code),
    couponOfferId: int(row.coupon_offer_id),
    title: row.title,
    valueFen: int(row.value_fen),
    terms: row.terms,
    validUntil: int(row.valid_until),
    status:
      row.redeemed_at !== null
        ? 'redeemed'
        : int(row.valid_until) < Math.floor(now.getTime() / 1000)
          ? 'expired'
          : 'issued',
    redeemedAt: row.redeemed_at === null ? null : new Date(row.redeemed_at).toISOString(),
  }));
}

export interface WithdrawalView {
  id: number;
  amountFen: number;
  /** pending → exported (in flight to the provider) → paid, or failed (the money is back in the wallet). */
  status: WithdrawalStatus;
  createdAt: string;
  exportedAt: string | null;
  paidAt: string | null;
  failedAt: string | null;
  failureReason: string | null;
  /** The multi-account signal that held it for review (account-signals.ts); null if none did. */
  holdReason: string | null;
  /** The payee it goes to, masked (`alipay 138****8000`); null for withdrawals from before payout accounts. */
  payee: string | null;
}

function toWithdrawalView(row: typeof withdrawals.$inferSelect): WithdrawalView {
  return {
    id: row.id,
    amountFen: row.amountFen,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    exportedAt: row.exportedAt?.toISOString() ?? null,
    paidAt: row.paidAt?.toISOString() ?? null,
    failedAt: row.failedAt?.toISOString() ?? null,
    failureReason: row.failureReason,
    holdReason: row.holdCode,
    payee:
      row.payeeKind === null || row.payeeAccount === null
        ? null
        : `${row.payeeKind} ${maskPayoutAccount(row.payeeKind, row.payeeAccount)}`,
  };
}

/** A wallet's withdrawals, newest first: `before` is the smallest id of the previous page (0: the newest). */
export async function listWithdrawals(
  db: Database,
  walletId: number,
  page: { limit: number; before: number },
): Promise<WithdrawalView[]> {
  const rows = await db
    .select()
    .from(withdrawals)
    .where(
      and(eq(withdrawals.walletId, walletId), page.before > 0 ? lt(withdrawals.id, page.before) : undefined),
    )
    .orderBy(desc(withdrawals.id))
    .limit(page.limit);
  return rows.map(toWithdrawalView);
}

/**
 * Wallet → withdrawal clearing, to the wallet's linked payout account (copied onto the withdrawal). The
 * same idempotency key returns the first withdrawal: the key is looked up under the wallet's row lock, so
 * parallel requests with one key queue behind the first and replay its result instead of each trying to
 * move the money. A revoked wallet withdraws nothing.
 */
export async function requestWithdrawal(
  db: Database,
  input: { walletId: number; amountFen: number; idempotencyKey: string; now: Date; settings: MoneySettings },
): Promise<{ withdrawal: WithdrawalView; replayed: boolean }> {
  const { settings } = input;
  const day = localDay(Math.floor(input.now.getTime() / 1000), settings.timezone);
  return db.transaction(async (tx) => {
    const [wallet] = await tx
      .select({ accountId: wallets.ledgerAccountId, revokedAt: wallets.revokedAt })
      .from(wallets)
      .where(eq(wallets.id, input.walletId))
      .for('update');
    if (wallet === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'wallet not found');
    const [known] = await tx
      .select()
      .from(withdrawals)
      .where(
        and(eq(withdrawals.walletId, input.walletId), eq(withdrawals.idempotencyKey, input.idempotencyKey)),
      );
    if (known !== undefined) {
      if (known.amountFen !== input.amountFen)
        throw new DomainError(ErrorCode.CONFLICT, 'this idempotency key was used for another amount');
      return { withdrawal: toWithdrawalView(known), replayed: true };
    }
    if (wallet.revokedAt !== null)
      throw new DomainError(ErrorCode.WALLET_REVOKED, 'this wallet is revoked; nothing can be withdrawn');
    const [payee] = await tx.select().from(payoutAccounts).where(eq(payoutAccounts.walletId, input.walletId));
    if (payee === undefined)
      throw new DomainError(ErrorCode.PAYOUT_ACCOUNT_MISSING, 'link a payout account before withdrawing');
    if (input.amountFen < settings.withdrawalMinFen)
      throw new DomainError(
        ErrorCode.WITHDRAWAL_TOO_SMALL,
        `withdrawals start at ${settings.withdrawalMinFen} fen`,
      );
    const [today] = await queryRows<{ n: unknown; fen: unknown }>(
      tx,
      // A failed payout or a refused hold gave its money back, so it no longer counts against the day.
      sql`select count(*) as n, coalesce(sum(amount_fen), 0) as fen from withdrawals
          where wallet_id = ${input.walletId} and day = ${day}::date and status not in ('failed', 'refused')`,
    );
    if (
      int(today?.n ?? 0) + 1 > settings.withdrawalsPerDayMax ||
      int(today?.fen ?? 0) + input.amountFen > settings.withdrawalDailyFenMax
    )
      throw new DomainError(ErrorCode.WITHDRAWAL_DAILY_LIMIT, 'the daily withdrawal limit is reached');
    const clearing = await systemLedgerAccount(tx, 'withdrawal_clearing');
    const [transferId] = await allocateTransferIds(tx, 1);
    const [result] = await postTransfers(tx, [
      {
        id: transferId ?? 0,
        debitAccountId: wallet.accountId,
        creditAccountId: clearing,
        amountFen: input.amountFen,
        code: 'withdraw',
        reference: `wallet:${input.walletId}`,
      },
    ]);
    if (result?.status !== 'posted')
      throw new DomainError(
        result?.status === 'rejected' ? result.code : ErrorCode.INTERNAL,
        'the wallet does not hold that much',
      );
    // A payout account many wallets share holds the withdrawal for review; its money waits in clearing.
    const holdCode = await withdrawalHoldReason(
      tx,
      { walletId: input.walletId, kind: payee.kind, account: payee.account },
      settings,
    );
    const [inserted] = await tx
      .insert(withdrawals)
      .values({
        ...(holdCode === null ? {} : { status: 'held' as const, holdCode }),
        walletId: input.walletId,
        idempotencyKey: input.idempotencyKey,
        amountFen: input.amountFen,
        transferId: transferId ?? 0,
        day,
        createdAt: input.now,
        payeeKind: payee.kind,
        payeeAccount: payee.account,
        payeeName: payee.holderName,
        payeeBank: payee.bankName,
      })
      .returning();
    if (inserted === undefined) throw new Error('insert returned no row');
    return { withdrawal: toWithdrawalView(inserted), replayed: false };
  });
}
