// Child process for the crash test: runs taps forever on an existing store and prints one line per
// prize, strictly after the commit returned. The parent SIGKILLs it at random points.
import { writeSync } from 'node:fs';
import { openStore } from '../src/store/open-store.ts';
import { engineFor, hello, phoneSign, T0 } from './fixtures.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-child.ts <db path>');
const store = openStore({ path });
const engine = engineFor(store, { now: () => T0 });
const hellos = Array.from({ length: 16 }, (_, i) => hello({ walletId: 1 + i }));

writeSync(1, 'ready\n');
for (let i = 0; i < 1_000_000; i++) {
  const begun = await engine.beginTap(hellos[i % hellos.length] ?? hellos[0] ?? new Uint8Array(0));
  if (!begun.ok) throw new Error(`begin: ${begun.code}`);
  const done = engine.completeTap(begun.session, phoneSign(begun.session.challenge));
  if (!done.ok) throw new Error(`complete: ${done.code}`);
  const { counter, deckId, envelopeIndex, amountFen } = done.prize;
  writeSync(1, `prize ${counter} ${deckId} ${envelopeIndex ?? -1} ${amountFen}\n`);
}
