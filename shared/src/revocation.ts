// Credential revocations as versioned deltas (docs/protocol.md §5.5, §5.8). Every revocation has a
// sequence number, contiguous and in commit order; the retained config carries the latest (`version`)
// and the unexpired revocations of a bounded window before it, and a kiosk further behind pages the rest
// from `GET /v1/screens/me/revocations`. Entries are `walletId:serial:expiresAt`: the kiosk forgets an
// entry once its credential has expired, as the credential itself is refused then.
import { z } from 'zod';
import { SignatureLabel, sign, verify } from './crypto.ts';
import type { KeyObject } from 'node:crypto';

/** Sequence numbers a config's window spans at most: its `recent` list is at most this long. */
export const REVOCATION_WINDOW_MAX = 1_000;
/** Entries in one page of `GET /v1/screens/me/revocations`, and the default `limit`. */
export const REVOCATION_PAGE_MAX = 5_000;
/** Sequence numbers one page covers at most (expired entries among them are skipped, not sent). */
export const REVOCATION_PAGE_SPAN_MAX = 50_000;

const entryPattern = /^\d{1,16}:\d{1,10}:\d{1,10}$/;
/** One revocation: `walletId:serial:expiresAt` (expiresAt as in the credential, u32 Unix seconds). */
export const RevokedEntry = z.string().regex(entryPattern);

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The `revocation` object of a ScreenConfig. */
export const ConfigRevocation = z
  .object({
    /** The latest revocation sequence number; only rises. */
    version: seq,
    /**
     * v1 meaning, kept for kiosks from before the window: the complete set of unexpired revocations as
     * `walletId:serial`. Sent only while that set fits in REVOCATION_WINDOW_MAX; otherwise absent.
     */
    credentials: z
      .array(z.string().regex(/^\d{1,16}:\d{1,10}$/))
      .max(100_000)
      .optional(),
    /** The window starts after this sequence number: `recent` holds (since, version]. */
    since: seq.optional(),
    /** The unexpired revocations numbered in (since, version], as RevokedEntry. */
    recent: z.array(RevokedEntry).max(REVOCATION_WINDOW_MAX).optional(),
  })
  .refine((r) => (r.since === undefined) === (r.recent === undefined), 'since and recent go together')
  .refine((r) => r.since !== undefined || r.credentials !== undefined, 'a window or the credentials')
  .refine(
    (r) => r.since === undefined || (r.since <= r.version && r.version - r.since <= REVOCATION_WINDOW_MAX),
    'the window is at most REVOCATION_WINDOW_MAX sequence numbers before version',
  );
export type ConfigRevocation = z.infer<typeof ConfigRevocation>;

/** The reply of `GET /v1/screens/me/revocations?after=&limit=` (docs/protocol.md §5.8). */
export const RevocationPage = z
  .strictObject({
    /** As asked. */
    after: seq,
    /** The page covers (after, through]: every unexpired revocation numbered there is in `entries`. */
    through: seq,
    /** The cloud's latest sequence number when it answered. */
    version: seq,
    entries: z.array(RevokedEntry).max(REVOCATION_PAGE_MAX),
    /** The issuer key that signed the page, and its signature over revocationPageMessage. */
    keyId: z.number().int().min(0).max(255),
    signature: z.string().regex(/^[0-9a-f]{128}$/),
  })
  .refine((page) => page.after <= page.through && page.through <= page.version, 'after ≤ through ≤ version');
export type RevocationPage = z.infer<typeof RevocationPage>;

export interface ParsedRevokedEntry {
  /** `walletId:serial`, as the kiosk looks a credential up. */
  credential: string;
  expiresAt: number;
}

export function parseRevokedEntry(entry: string): ParsedRevokedEntry | null {
  if (!entryPattern.test(entry)) return null;
  const cut = entry.lastIndexOf(':');
  return { credential: entry.slice(0, cut), expiresAt: Number(entry.slice(cut + 1)) };
}

export function revokedEntry(walletId: number, serial: number, expiresAt: number): string {
  return `${walletId}:${serial}:${expiresAt}`;
}

/**
 * The signed bytes of a page: the screen it was served to, the range it covers and its entries. Bound
 * to the screen so a page cannot be replayed to another one as its own; the range so a page cannot be
 * stretched over revocations it does not carry.
 */
export function revocationPageMessage(
  screenId: number,
  page: Pick<RevocationPage, 'after' | 'through' | 'version' | 'entries'>,
): Uint8Array {
  const text = JSON.stringify([screenId, page.after, page.through, page.version, page.entries]);
  return new TextEncoder().encode(text);
}

export function signRevocationPage(
  screenId: number,
  page: Pick<RevocationPage, 'after' | 'through' | 'version' | 'entries'>,
  privateKey: KeyObject,
): string {
  return Buffer.from(
    sign(SignatureLabel.revocations, revocationPageMessage(screenId, page), privateKey),
  ).toString('hex');
}

export function verifyRevocationPage(screenId: number, page: RevocationPage, publicKey: KeyObject): boolean {
  return verify(
    SignatureLabel.revocations,
    revocationPageMessage(screenId, page),
    Buffer.from(page.signature, 'hex'),
    publicKey,
  );
}
