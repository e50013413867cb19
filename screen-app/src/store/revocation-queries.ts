// The screen's revoked credentials and the revocation number it is current to (docs/protocol.md §5.5,
// §5.8). A delta of revocations numbered (from, to] moves the number to `to` only when the screen was
// current to `from` or beyond: a screen never counts itself current past a revocation it lacks. Entries
// are kept anyway (a revocation known is never wrong to apply) and dropped once their credential expired.
import { parseRevokedEntry, type ConfigRevocation } from '@redtap/shared';
import type { Store } from './open-store.ts';

export interface RevocationStatus {
  /** Every revocation numbered at or below it is known (or expired). */
  version: number;
  /** The highest number a config named; behind while version < target. */
  target: number;
}

export function revocationStatus(store: Store): RevocationStatus {
  const row = store.sqlite.prepare('select version, target from revocation_state where id = 1').get() as
    RevocationStatus | undefined;
  return row ?? { version: 0, target: 0 };
}

export interface RevocationDelta {
  /** The delta holds every unexpired revocation numbered in (from, to]. */
  from: number;
  to: number;
  /** `walletId:serial:expiresAt`, already checked against the wire schema. */
  entries: readonly string[];
}

/**
 * Applies a delta in one transaction: stores its unexpired entries, and raises the version to `to` when
 * the screen was current to `from` or beyond. Returns the status after; `gap` when the delta started
 * beyond the screen's version (the rest must be paged first).
 */
export function applyRevocationDelta(
  store: Store,
  delta: RevocationDelta,
  now: number,
): RevocationStatus & { gap: boolean } {
  const insert = store.sqlite.prepare(
    `insert into revoked_credentials (credential, expires_at) values (?, ?)
     on conflict (credential) do update set expires_at = max(expires_at, excluded.expires_at)`,
  );
  return store.sqlite
    .transaction(() => {
      const current = revocationStatus(store);
      for (const entry of delta.entries) {
        const parsed = parseRevokedEntry(entry);
        if (parsed !== null && parsed.expiresAt > now) insert.run(parsed.credential, parsed.expiresAt);
      }
      const gap = delta.from > current.version;
      const version = gap ? current.version : Math.max(current.version, delta.to);
      const target = Math.max(current.target, delta.to);
      store.sqlite
        .prepare(
          `insert into revocation_state (id, version, target) values (1, ?, ?)
         on conflict (id) do update set version = excluded.version, target = excluded.target`,
        )
        .run(version, target);
      return { version, target, gap };
    })
    .immediate();
}

/** A config's window as a delta; null for a config from before windows (its v1 list is used as it is). */
export function configRevocationDelta(revocation: ConfigRevocation): RevocationDelta | null {
  if (revocation.since === undefined || revocation.recent === undefined) return null;
  return { from: revocation.since, to: revocation.version, entries: revocation.recent };
}

/** Raises the target only: a config says revocations up to `target` exist. */
export function raiseRevocationTarget(store: Store, target: number): RevocationStatus {
  return applyRevocationDelta(store, { from: Number.MAX_SAFE_INTEGER, to: target, entries: [] }, 0);
}

/** Looks credentials (`walletId:serial`) up in the store, one indexed read each. */
export function revokedLookup(store: Store): (credential: string) => boolean {
  const select = store.sqlite.prepare('select 1 from revoked_credentials where credential = ?').pluck();
  return (credential) => select.get(credential) !== undefined;
}

/** Forgets revocations of credentials expired at `now`; returns how many. */
export function pruneExpiredRevocations(store: Store, now: number): number {
  return store.sqlite.prepare('delete from revoked_credentials where expires_at <= ?').run(now).changes;
}
