// A snapshot of a kiosk's state from its store, for `redtap-screen status` and support.
import { existsSync } from 'node:fs';
import type { DeckLevel } from '@redtap/shared';
import { deckLevels } from '../decks/deck-levels.ts';
import { loadConfig } from '../store/config-queries.ts';
import { loadIdentity } from '../store/identity-queries.ts';
import { openStore } from '../store/open-store.ts';
import { backlogCount, lastCommittedCounter } from '../store/tap-queries.ts';
import { kioskPaths } from './data-dir.ts';

export interface KioskStatus {
  dataDir: string;
  enrolled: boolean;
  screenId: number | null;
  broker: string | null;
  topicRoot: string | null;
  configVersion: number | null;
  counter: number;
  backlog: number;
  decks: DeckLevel[];
}

export function readKioskStatus(dataDir: string, now: number): KioskStatus {
  const paths = kioskPaths(dataDir);
  if (!existsSync(paths.storePath)) {
    // Reading the status must not create a store where there was none.
    return {
      dataDir: paths.dataDir,
      enrolled: false,
      screenId: null,
      broker: null,
      topicRoot: null,
      configVersion: null,
      counter: 0,
      backlog: 0,
      decks: [],
    };
  }
  const store = openStore({ path: paths.storePath });
  try {
    const identity = loadIdentity(store);
    return {
      dataDir: paths.dataDir,
      enrolled: identity !== null,
      screenId: identity?.screenId ?? null,
      broker: identity?.mqtt.url ?? null,
      topicRoot: identity?.mqtt.topicRoot ?? null,
      configVersion: loadConfig(store)?.version ?? null,
      counter: lastCommittedCounter(store),
      backlog: backlogCount(store),
      decks: deckLevels(store, now),
    };
  } finally {
    store.close();
  }
}
