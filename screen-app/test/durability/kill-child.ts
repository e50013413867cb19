// Child process of the power-loss loop: the kiosk's tap path (simulated reader → EngineTapHandler →
// engine → SQLite) tapping as fast as it can on an existing store. It prints `shown <counter> <sha256>`
// from the screen feed, i.e. only once the engine has returned a committed prize. The parent SIGKILLs it.
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { SimulatedTapSource } from '@redtap/tap-reader';
import { EngineTapHandler } from '../../src/agent/tap-handler.ts';
import { openStore } from '../../src/store/open-store.ts';
import { lastCommittedCounter } from '../../src/store/tap-queries.ts';
import { engineFor } from '../fixtures.ts';
import { testPhone } from '../simulated-kiosk.ts';
import { durabilityClock, WALLETS } from './kill-world.ts';

const path = process.argv[2];
const seed = Number(process.argv[3] ?? 1);
// Bundled, this file no longer sits next to the migrations: the parent says where they are.
const migrationsFolder = process.argv[4];
if (path === undefined || migrationsFolder === undefined)
  throw new Error('usage: kill-child <db path> <seed> <migrations folder>');

const store = openStore({ path, migrationsFolder });
// The kiosk clock advances with the counter, so local days (and the local cap) roll over during the run.
let lastCounter = lastCommittedCounter(store);
const engine = engineFor(store, { now: () => durabilityClock(lastCounter + 1) });
// The adapter calls this once per committed tap, as it hands the prize to the screen.
const handler = new EngineTapHandler({
  engine,
  onTapCommitted: (prize) => {
    lastCounter = prize.counter;
    const hash = createHash('sha256').update(prize.token).digest('hex');
    writeSync(1, `shown ${prize.counter} ${hash}\n`);
  },
});
const source = new SimulatedTapSource({ handler, readerNames: ['Durability Reader'] });
handler.attach(source);
await source.start();

const phones = new Map<number, ReturnType<typeof testPhone>>();
let state = seed >>> 0;
const nextWallet = (): number => {
  state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
  return 1 + (state % WALLETS);
};

writeSync(1, 'ready\n');
for (let i = 0; i < 10_000_000; i++) {
  const walletId = nextWallet();
  let phone = phones.get(walletId);
  if (phone === undefined) {
    phone = testPhone(walletId);
    phones.set(walletId, phone);
  }
  const result = await source.present(phone);
  source.remove();
  if (!result.committed) throw new Error(`tap not committed: ${result.outcome} ${String(result.code)}`);
}
