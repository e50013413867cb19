// Multi-account signals (docs/threat-model.md "Many wallets, one person"). A web wallet costs a passkey
// to make, so one person can sign up many and claim each wallet's daily caps. Three signals put the
// money on hold for an operator instead of paying it; none refuses anything, since each has innocent
// explanations (a shared family tablet, a carrier's NAT, a couple paid to one card):
//  - the browser: the web wallet's device cookie, a random id the cloud sets on passkey sign-up, sign-in
//    and claims (http/device-cookie.ts); a claim is held when the browsers it came from served more wallets than
//    `deviceWalletsMax`. WebAuthn names no device (an AAGUID names an authenticator model, and is zero
//    under `none` attestation), so this counts browser profiles: a cleared cookie or a private window
//    is a fresh "device", which is why it only ever adds a hold.
//  - the network address: a claim is held when more than `addressClaimWalletsMax` wallets claimed from
//    its address (client-ip.ts, the same trusted-proxy rule as rate limiting) within `addressWindowS`.
//  - the payout account: a withdrawal is held when its account is linked to, or was paid for, more than
//    `payoutAccountWalletsMax` wallets.
import { sql } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { MoneySettings } from '../money-settings.ts';

/** Where a claim came from, as far as the cloud can tell. */
export interface ClaimOrigin {
  clientIp: string | null;
  deviceId: string | null;
}

export const unknownOrigin: ClaimOrigin = { clientIp: null, deviceId: null };

/** Notes that `walletId` was signed in to, or claimed from, the browser `deviceId`. */
export async function recordWalletDevice(
  db: Database,
  input: { deviceId: string; walletId: number; now: Date },
): Promise<void> {
  const at = input.now.toISOString();
  await db.execute(
    sql`insert into wallet_devices (device_id, wallet_id, first_seen_at, last_seen_at)
        values (${input.deviceId}, ${input.walletId}, ${at}::timestamptz, ${at}::timestamptz)
        on conflict (device_id, wallet_id) do update set last_seen_at = excluded.last_seen_at`,
  );
}

/** The most wallets any browser this wallet used has served (itself included); 0 with none known. */
export async function walletsPerDevice(db: Database, walletId: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select coalesce(max(n), 0) as n from (
          select count(*) as n from wallet_devices
          where device_id in (select device_id from wallet_devices where wallet_id = ${walletId})
          group by device_id) per_device`,
  );
  return int(row?.n ?? 0);
}

/** Wallets that claimed from `clientIp` in the window before `now`, `walletId` counted as one of them. */
export async function walletsClaimingFromAddress(
  db: Database,
  input: { clientIp: string; walletId: number; now: Date; windowS: number },
): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(distinct wallet_id) as n from claims
        where client_ip = ${input.clientIp} and wallet_id <> ${input.walletId}
          and claimed_at > ${new Date(input.now.getTime() - input.windowS * 1000).toISOString()}::timestamptz`,
  );
  return int(row?.n ?? 0) + 1;
}

/**
 * The signal a claim trips, or null. Run inside the claim's transaction: the claim's browser is recorded
 * first (so it counts itself), and the claims of the window are those committed so far.
 */
export async function claimHoldReason(
  tx: Database,
  input: { walletId: number; origin: ClaimOrigin; now: Date },
  settings: Pick<MoneySettings, 'deviceWalletsMax' | 'addressClaimWalletsMax' | 'addressWindowS'>,
): Promise<ErrorCode | null> {
  const { walletId, origin, now } = input;
  if (origin.deviceId !== null) await recordWalletDevice(tx, { deviceId: origin.deviceId, walletId, now });
  if ((await walletsPerDevice(tx, walletId)) > settings.deviceWalletsMax)
    return ErrorCode.HOLD_DEVICE_WALLETS;
  if (
    origin.clientIp !== null &&
    (await walletsClaimingFromAddress(tx, {
      clientIp: origin.clientIp,
      walletId,
      now,
      windowS: settings.addressWindowS,
    })) > settings.addressClaimWalletsMax
  )
    return ErrorCode.HOLD_ADDRESS_WALLETS;
  return null;
}

/**
 * Wallets a payout account (kind and normalised account) is linked to or was requested for, `walletId`
 * counted as one of them: relinking another account after withdrawing does not hide a wallet.
 */
export async function walletsSharingPayoutAccount(
  db: Database,
  input: { walletId: number; kind: string; account: string },
): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`select count(*) as n from (
          select wallet_id from payout_accounts where kind = ${input.kind} and account = ${input.account}
          union
          select wallet_id from withdrawals where payee_kind = ${input.kind} and payee_account = ${input.account}
        ) sharing where wallet_id <> ${input.walletId}`,
  );
  return int(row?.n ?? 0) + 1;
}

/** The signal a withdrawal to `payee` trips, or null. */
export async function withdrawalHoldReason(
  tx: Database,
  input: { walletId: number; kind: string; account: string },
  settings: Pick<MoneySettings, 'payoutAccountWalletsMax'>,
): Promise<ErrorCode | null> {
  return (await walletsSharingPayoutAccount(tx, input)) > settings.payoutAccountWalletsMax
    ? ErrorCode.HOLD_PAYOUT_ACCOUNT_SHARED
    : null;
}
