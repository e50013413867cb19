// Revocation windows in configs and revocation pages (docs/protocol.md §5.5, §5.8): bounded, consistent,
// and signed pages bound to one screen.
import { describe, expect, it } from 'vitest';
import {
  ConfigRevocation,
  parseRevokedEntry,
  REVOCATION_PAGE_MAX,
  REVOCATION_WINDOW_MAX,
  RevocationPage,
  revokedEntry,
  signRevocationPage,
  verifyRevocationPage,
} from './revocation.ts';
import { generateKeyPair } from './crypto.ts';

describe('config revocation', () => {
  it('takes a window, the v1 list, or both', () => {
    expect(ConfigRevocation.safeParse({ version: 3, credentials: ['1:1'] }).success).toBe(true);
    expect(ConfigRevocation.safeParse({ version: 3, since: 0, recent: ['1:1:2000000000'] }).success).toBe(
      true,
    );
    expect(
      ConfigRevocation.safeParse({ version: 3, since: 0, recent: [], credentials: ['1:1'] }).success,
    ).toBe(true);
  });

  it('refuses a window that is unbounded, inconsistent or missing', () => {
    const window = { version: 5_000, since: 5_000 - REVOCATION_WINDOW_MAX, recent: [] };
    expect(ConfigRevocation.safeParse(window).success).toBe(true);
    expect(ConfigRevocation.safeParse({ ...window, since: window.since - 1 }).success).toBe(false);
    expect(ConfigRevocation.safeParse({ ...window, since: 5_001 }).success).toBe(false);
    expect(ConfigRevocation.safeParse({ version: 5_000, since: 4_999 }).success).toBe(false);
    expect(ConfigRevocation.safeParse({ version: 5_000 }).success).toBe(false);
    const tooMany = Array.from({ length: REVOCATION_WINDOW_MAX + 1 }, (_, i) => revokedEntry(i + 1, 1, 9));
    expect(ConfigRevocation.safeParse({ ...window, recent: tooMany }).success).toBe(false);
    expect(ConfigRevocation.safeParse({ ...window, recent: ['1:1'] }).success).toBe(false);
  });
});

describe('revocation pages', () => {
  const issuer = generateKeyPair();
  const body = { after: 10, through: 20, version: 30, entries: [revokedEntry(7, 2, 1_900_000_000)] };
  const page = { ...body, keyId: 1, signature: signRevocationPage(5, body, issuer.privateKey) };

  it('verifies for the screen it was signed for only', () => {
    expect(RevocationPage.parse(page)).toEqual(page);
    expect(verifyRevocationPage(5, page, issuer.publicKey)).toBe(true);
    expect(verifyRevocationPage(6, page, issuer.publicKey)).toBe(false);
    expect(verifyRevocationPage(5, { ...page, through: 21 }, issuer.publicKey)).toBe(false);
    expect(verifyRevocationPage(5, { ...page, entries: [] }, issuer.publicKey)).toBe(false);
    expect(verifyRevocationPage(5, page, generateKeyPair().publicKey)).toBe(false);
  });

  it('refuses a page out of order, too long or with extra fields', () => {
    expect(RevocationPage.safeParse({ ...page, through: 9 }).success).toBe(false);
    expect(RevocationPage.safeParse({ ...page, version: 19 }).success).toBe(false);
    expect(RevocationPage.safeParse({ ...page, extra: 1 }).success).toBe(false);
    const tooMany = Array.from({ length: REVOCATION_PAGE_MAX + 1 }, (_, i) => revokedEntry(i + 1, 1, 9));
    expect(RevocationPage.safeParse({ ...page, entries: tooMany }).success).toBe(false);
  });

  it('parses entries', () => {
    expect(parseRevokedEntry('7:2:1900000000')).toEqual({ credential: '7:2', expiresAt: 1_900_000_000 });
    expect(parseRevokedEntry('7:2')).toBeNull();
  });
});
