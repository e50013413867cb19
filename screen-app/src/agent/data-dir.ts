// The kiosk's data directory: the SQLite store, the screen key, the content cache, and a small settings
// file that remembers the cloud URL given at enrolment.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SCREEN_KEY_FILE } from '../enrolment/screen-key.ts';

export interface KioskPaths {
  dataDir: string;
  storePath: string;
  keyPath: string;
  contentDir: string;
  settingsPath: string;
}

export function kioskPaths(dataDir: string): KioskPaths {
  const absolute = resolve(dataDir);
  return {
    dataDir: absolute,
    storePath: join(absolute, 'kiosk.db'),
    keyPath: join(absolute, SCREEN_KEY_FILE),
    contentDir: join(absolute, 'content'),
    settingsPath: join(absolute, 'kiosk.json'),
  };
}

/** Creates the directory readable by its owner only: it holds the screen's private key. */
export function ensureDataDir(paths: KioskPaths): void {
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
}

const AgentSettings = z.object({ cloudUrl: z.url().max(2048).optional() });
export type AgentSettings = z.infer<typeof AgentSettings>;

/** Missing or unreadable settings are empty settings: nothing in them is needed to take taps. */
export function readAgentSettings(paths: KioskPaths): AgentSettings {
  try {
    const parsed = AgentSettings.safeParse(JSON.parse(readFileSync(paths.settingsPath, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function writeAgentSettings(paths: KioskPaths, settings: AgentSettings): void {
  const temporary = `${paths.settingsPath}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, paths.settingsPath);
}
