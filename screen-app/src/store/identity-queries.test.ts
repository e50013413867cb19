// The presence connection number the store keeps (docs/protocol.md §5.6): it rises across reopenings
// even when the wall clock stepped back, so a restarted kiosk's connection never looks older than its
// last one to the cloud.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolStore, tempDir } from '../../test/fixtures.ts';
import { claimPresenceSeq } from './identity-queries.ts';
import { openStore } from './open-store.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('claimPresenceSeq', () => {
  it('follows the clock forward, and stays above the last number after the clock stepped back', () => {
    const path = join(dir.dir, 'kiosk.db');
    const first = openStore({ path });
    enrolStore(first);
    const wall = 1_800_000_000_000;
    expect(claimPresenceSeq(first, wall)).toBe(wall);
    expect(claimPresenceSeq(first, wall + 5_000)).toBe(wall + 5_000);
    first.close();
    // Restarted with the clock ten minutes behind: the number still rises.
    const reopened = openStore({ path });
    expect(claimPresenceSeq(reopened, wall - 600_000)).toBe(wall + 5_001);
    expect(claimPresenceSeq(reopened, wall + 10_000)).toBe(wall + 10_000);
    reopened.close();
  });

  it('hands back the candidate unchanged before enrolment', () => {
    const store = openStore({ path: join(dir.dir, 'blank.db') });
    expect(claimPresenceSeq(store, 42)).toBe(42);
    store.close();
  });
});
