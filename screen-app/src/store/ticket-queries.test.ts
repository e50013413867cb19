// The claim-ticket sequence in the kiosk store (docs/protocol.md §3.8): reserved in blocks, durably, so
// a number is never handed out twice, across reopenings and across an upgrade from a store without it.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures.ts';
import { MIGRATIONS_FOLDER, openStore } from './open-store.ts';
import { reserveTicketSeqs, reservedTicketSeq } from './ticket-queries.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('reserveTicketSeqs', () => {
  it('hands out consecutive blocks from 1 that survive reopening', () => {
    const path = join(dir.dir, 'kiosk.db');
    const store = openStore({ path });
    expect(reservedTicketSeq(store)).toBe(0);
    expect(reserveTicketSeqs(store, 64)).toEqual({ first: 1, last: 64 });
    expect(reserveTicketSeqs(store, 1)).toEqual({ first: 65, last: 65 });
    store.close();
    const again = openStore({ path });
    try {
      expect(reservedTicketSeq(again)).toBe(65);
      expect(reserveTicketSeqs(again, 64)).toEqual({ first: 66, last: 129 });
    } finally {
      again.close();
    }
  });

  it('refuses an empty block and a sequence past u32, leaving the row as it was', () => {
    const store = openStore({ path: join(dir.dir, 'kiosk.db') });
    try {
      expect(() => reserveTicketSeqs(store, 0)).toThrow();
      reserveTicketSeqs(store, 0xffff_fff0);
      expect(() => reserveTicketSeqs(store, 16)).toThrow(/used up/);
      expect(reservedTicketSeq(store)).toBe(0xffff_fff0);
      expect(reserveTicketSeqs(store, 15)).toEqual({ first: 0xffff_fff1, last: 0xffff_ffff });
      // The column's own check refuses what the code would not write.
      expect(() =>
        store.sqlite.prepare('UPDATE ticket_sequence SET reserved_through = 4294967296').run(),
      ).toThrow(/CHECK/);
      expect(() => store.sqlite.prepare('INSERT INTO ticket_sequence VALUES (2, 1)').run()).toThrow(/CHECK/);
    } finally {
      store.close();
    }
  });

  it('upgrades a store from before tickets: the table appears and numbering starts at 1', () => {
    const oldFolder = join(dir.dir, 'migrations-0004');
    mkdirSync(join(oldFolder, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string; idx: number }[];
    };
    const kept = journal.entries.filter((entry) => entry.idx <= 4);
    for (const entry of kept)
      copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(oldFolder, `${entry.tag}.sql`));
    writeFileSync(join(oldFolder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
    const path = join(dir.dir, 'before-tickets.db');
    const old = openStore({ path, migrationsFolder: oldFolder });
    const table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ticket_sequence'";
    expect(old.sqlite.prepare(table).pluck().get()).toBe(0);
    old.close();

    const upgraded = openStore({ path });
    try {
      expect(upgraded.sqlite.prepare(table).pluck().get()).toBe(1);
      expect(reserveTicketSeqs(upgraded, 8)).toEqual({ first: 1, last: 8 });
    } finally {
      upgraded.close();
    }
  });
});
