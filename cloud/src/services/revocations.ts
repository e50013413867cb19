// Credential revocations as a numbered log (docs/protocol.md §5.5, §5.8). A revocation takes the next
// numbers from revocation_head in its own transaction (wallets.ts), so numbers are contiguous and a
// number is visible only once every smaller one has committed. Screen configs carry the latest number
// and a bounded window before it; a screen further behind pages the rest with revocationPage.
import { sql } from 'drizzle-orm';
import {
  REVOCATION_PAGE_MAX,
  REVOCATION_PAGE_SPAN_MAX,
  REVOCATION_WINDOW_MAX,
  revokedEntry,
  signRevocationPage,
  type ConfigRevocation,
  type RevocationPage,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { activeIssuerKey } from './issuer-keys.ts';

/** The latest revocation number: every revocation numbered at or below it has committed. */
export async function revocationHeadSeq(db: Database): Promise<number> {
  const [row] = await queryRows<{ seq: unknown }>(db, sql`select seq from revocation_head where id = 1`);
  return row === undefined ? 0 : int(row.seq);
}

/**
 * Numbers the credentials of a wallet that the caller is revoking, in the caller's transaction: raises
 * revocation_head by their count (holding its row until commit) and gives each its number, by serial.
 * Returns the serials revoked now.
 */
export async function revokeAndNumber(db: Database, walletId: number, now: Date): Promise<number[]> {
  const rows = await queryRows<{ serial: unknown }>(
    db,
    sql`with pending as (
          select serial, row_number() over (order by serial) as rn, count(*) over () as n
          from wallet_credentials where wallet_id = ${walletId} and revoked_at is null),
        head as (
          update revocation_head set seq = seq + (select count(*) from pending) where id = 1
          returning seq)
        update wallet_credentials wc
        set revoked_at = ${now.toISOString()}::timestamptz, revocation_seq = head.seq - pending.n + pending.rn
        from pending, head
        where wc.wallet_id = ${walletId} and wc.serial = pending.serial
        returning wc.serial`,
  );
  return rows.map((row) => int(row.serial));
}

/**
 * The `revocation` of a screen config at `now`: the latest number, the unexpired revocations of the
 * window of at most REVOCATION_WINDOW_MAX numbers before it, and, while every unexpired revocation fits
 * in that many, their complete list in the v1 form for kiosks from before the window. Bounded reads:
 * the window by its number range, the v1 list by the unexpired-expiry index and a limit.
 */
export async function configRevocation(db: Database, now: Date): Promise<ConfigRevocation> {
  const nowS = Math.floor(now.getTime() / 1000);
  const version = await revocationHeadSeq(db);
  const since = Math.max(0, version - REVOCATION_WINDOW_MAX);
  const recentRows = await queryRows<{ wallet_id: unknown; serial: unknown; expires_at: unknown }>(
    db,
    sql`select wallet_id, serial, expires_at from wallet_credentials
        where revocation_seq > ${since} and revocation_seq <= ${version} and expires_at > ${nowS}
        order by revocation_seq`,
  );
  const unexpired = await queryRows<{ wallet_id: unknown; serial: unknown }>(
    db,
    sql`select wallet_id, serial from wallet_credentials
        where revocation_seq is not null and revocation_seq <= ${version} and expires_at > ${nowS}
        limit ${REVOCATION_WINDOW_MAX + 1}`,
  );
  // Sorted here, not in SQL: ordering there would sort every unexpired revocation before the limit.
  unexpired.sort((a, b) => int(a.wallet_id) - int(b.wallet_id) || int(a.serial) - int(b.serial));
  return {
    version,
    ...(unexpired.length <= REVOCATION_WINDOW_MAX
      ? { credentials: unexpired.map((row) => `${int(row.wallet_id)}:${int(row.serial)}`) }
      : {}),
    since,
    recent: recentRows.map((row) => revokedEntry(int(row.wallet_id), int(row.serial), int(row.expires_at))),
  };
}

/**
 * One page for screen `screenId` after number `after`: the unexpired revocations numbered in
 * (after, through], at most `limit` of them and at most REVOCATION_PAGE_SPAN_MAX numbers, signed by the
 * active issuer key. Expired revocations are left out (a kiosk refuses an expired credential anyway),
 * so a screen that starts from 0 receives the snapshot of what is still unexpired, not the whole log.
 * Null when `after` is beyond the latest number (the caller refuses it).
 */
export async function revocationPage(
  db: Database,
  kek: Buffer,
  input: { screenId: number; after: number; limit?: number | undefined; now: Date },
): Promise<RevocationPage | null> {
  const limit = Math.min(Math.max(1, input.limit ?? REVOCATION_PAGE_MAX), REVOCATION_PAGE_MAX);
  const nowS = Math.floor(input.now.getTime() / 1000);
  const version = await revocationHeadSeq(db);
  if (input.after > version) return null;
  const upper = Math.min(version, input.after + REVOCATION_PAGE_SPAN_MAX);
  const rows = await queryRows<{ seq: unknown; wallet_id: unknown; serial: unknown; expires_at: unknown }>(
    db,
    sql`select revocation_seq as seq, wallet_id, serial, expires_at from wallet_credentials
        where revocation_seq > ${input.after} and revocation_seq <= ${upper} and expires_at > ${nowS}
        order by revocation_seq limit ${limit}`,
  );
  const last = rows.at(-1);
  const through = rows.length === limit && last !== undefined ? int(last.seq) : upper;
  const entries = rows.map((row) => revokedEntry(int(row.wallet_id), int(row.serial), int(row.expires_at)));
  const key = await activeIssuerKey(db, kek);
  const body = { after: input.after, through, version, entries };
  return { ...body, keyId: key.keyId, signature: signRevocationPage(input.screenId, body, key.privateKey) };
}
