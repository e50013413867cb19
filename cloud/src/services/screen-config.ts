// The retained per-screen config (shared ScreenConfig, docs/protocol.md §5.4): issuer keys, time zone
// and the credential revocation list. Campaigns and playlist stay empty until campaigns exist.
import { and, asc, count, eq, gt, isNotNull } from 'drizzle-orm';
import { ScreenConfig } from '@redtap/shared';
import type { CloudBroker } from '../broker/types.ts';
import type { Database } from '../db/client.ts';
import { screens } from '../db/schema/screens.ts';
import { walletCredentials } from '../db/schema/wallets.ts';
import { pinnedIssuerKeys } from './issuer-keys.ts';

export const DECK_REFILL_THRESHOLD_DEFAULT = 20;
const REVOKED_CREDENTIALS_MAX = 100_000;
const PUBLISH_PAGE_SIZE = 500;

export async function buildScreenConfig(
  db: Database,
  screenId: number,
  now: Date,
): Promise<ScreenConfig | null> {
  const [screen] = await db
    .select({ timezone: screens.timezone, configVersion: screens.configVersion, status: screens.status })
    .from(screens)
    .where(eq(screens.id, screenId))
    .limit(1);
  if (screen?.status !== 'active') return null;
  const nowS = Math.floor(now.getTime() / 1000);
  // Only unexpired revocations matter: an expired credential is refused anyway.
  const revoked = await db
    .select({ walletId: walletCredentials.walletId, serial: walletCredentials.serial })
    .from(walletCredentials)
    .where(and(isNotNull(walletCredentials.revokedAt), gt(walletCredentials.expiresAt, nowS)))
    .orderBy(asc(walletCredentials.walletId), asc(walletCredentials.serial))
    .limit(REVOKED_CREDENTIALS_MAX);
  const credentials = revoked.map((row) => `${row.walletId}:${row.serial}`);
  // Every revocation ever made, expired or not: revocations are never undone, so the version only rises.
  const [everRevoked] = await db
    .select({ value: count() })
    .from(walletCredentials)
    .where(isNotNull(walletCredentials.revokedAt));
  return ScreenConfig.parse({
    version: screen.configVersion,
    issuedAt: nowS,
    timezone: screen.timezone,
    issuerKeys: await pinnedIssuerKeys(db, now),
    campaigns: [],
    playlist: [],
    creatives: [],
    revocation: { version: everRevoked?.value ?? 0, credentials },
    deckRefillThreshold: DECK_REFILL_THRESHOLD_DEFAULT,
  });
}

export async function publishScreenConfig(
  db: Database,
  broker: CloudBroker,
  screenId: number,
  now: Date,
): Promise<boolean> {
  const config = await buildScreenConfig(db, screenId, now);
  if (config === null) return false;
  await broker.publishConfig(screenId, config);
  return true;
}

/** After a change that concerns every screen (issuer key rotation, revocations), page through them. */
export async function publishAllScreenConfigs(db: Database, broker: CloudBroker, now: Date): Promise<number> {
  let after = 0;
  let published = 0;
  for (;;) {
    const page = await db
      .select({ id: screens.id })
      .from(screens)
      .where(and(eq(screens.status, 'active'), gt(screens.id, after)))
      .orderBy(asc(screens.id))
      .limit(PUBLISH_PAGE_SIZE);
    for (const screen of page) {
      if (await publishScreenConfig(db, broker, screen.id, now)) published += 1;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PUBLISH_PAGE_SIZE) return published;
    after = last.id;
  }
}
