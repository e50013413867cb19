// Stores the retained ScreenConfig (docs/protocol.md §5.5) and the content manifest it names.
import { eq, notInArray } from 'drizzle-orm';
import { ScreenConfig } from '@redtap/shared';
import { contentManifest, screenConfig } from './schema/index.ts';
import type { Store } from './open-store.ts';

export type SaveConfigOutcome = 'stored' | 'unchanged' | 'stale';

/**
 * Saves a config unless the stored one is newer: a retained message can arrive late or twice. The
 * manifest follows the config in the same transaction, keeping what was already downloaded.
 */
export function saveConfig(store: Store, config: ScreenConfig, now: number): SaveConfigOutcome {
  return store.db.transaction(
    (tx) => {
      const current = tx.select({ version: screenConfig.version }).from(screenConfig).get();
      if (current !== undefined && current.version > config.version) return 'stale';
      if (current !== undefined && current.version === config.version) return 'unchanged';
      const json = JSON.stringify(config);
      tx.insert(screenConfig)
        .values({ id: 1, version: config.version, json, receivedAt: now })
        .onConflictDoUpdate({
          target: screenConfig.id,
          set: { version: config.version, json, receivedAt: now },
        })
        .run();
      const wanted = config.creatives.map((creative) => creative.sha256);
      tx.delete(contentManifest)
        .where(wanted.length === 0 ? undefined : notInArray(contentManifest.sha256, wanted))
        .run();
      for (const creative of config.creatives) {
        tx.insert(contentManifest)
          .values({ sha256: creative.sha256, mime: creative.mime, bytes: creative.bytes, url: creative.url })
          .onConflictDoUpdate({
            target: contentManifest.sha256,
            set: { mime: creative.mime, bytes: creative.bytes, url: creative.url },
          })
          .run();
      }
      return 'stored';
    },
    { behavior: 'immediate' },
  );
}

/**
 * Forgets the stored config (the cloud revoked this screen): with no config the engine refuses every
 * tap, across restarts and while offline. The manifest and cached files stay; a config the cloud
 * publishes again is stored as new.
 */
export function clearConfig(store: Store): void {
  store.db.delete(screenConfig).run();
}

/** The stored config, or null when none has arrived (or it no longer parses under this version's schema). */
export function loadConfig(store: Store): ScreenConfig | null {
  const row = store.db.select({ json: screenConfig.json }).from(screenConfig).get();
  if (row === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(row.json);
  } catch {
    return null;
  }
  const parsed = ScreenConfig.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface ManifestEntry {
  sha256: string;
  mime: string;
  bytes: number;
  url: string;
  storedAt: number | null;
}

export function contentManifestEntries(store: Store): ManifestEntry[] {
  return store.db.select().from(contentManifest).orderBy(contentManifest.sha256).all();
}

export function markContentStored(store: Store, sha256: string, now: number): void {
  store.db.update(contentManifest).set({ storedAt: now }).where(eq(contentManifest.sha256, sha256)).run();
}
