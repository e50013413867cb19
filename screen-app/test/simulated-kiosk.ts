// A kiosk core on the simulated reader for unit tests: fixture store and engine with one deck, the
// production tap adapter, and virtual phones whose credentials the fixture issuer signed.
import { signCredential } from '@redtap/shared';
import { SimulatedTapSource, VirtualPhone, type PhoneBehaviour, type TapEvent } from '@redtap/tap-reader';
import { EngineTapHandler, type TapFeed } from '../src/agent/tap-handler.ts';
import type { TapPrize } from '../src/engine/tap-engine.ts';
import { deckBytes, keys, kiosk, T0 } from './fixtures.ts';

export const READERS = ['Reader A', 'Reader B'] as const;

export function simulatedKiosk(dir: string) {
  const { store, engine } = kiosk(dir, { now: () => T0 });
  engine.storeDeck(deckBytes());
  const committed: TapPrize[] = [];
  const shown: { readerName: string; counter: number }[] = [];
  const events: TapEvent[] = [];
  const feed: TapFeed = {
    prizeCommitted: (readerName, prize) => shown.push({ readerName, counter: prize.counter }),
    onTapEvent: (event) => events.push(event),
  };
  const handler = new EngineTapHandler({ engine, feed, onTapCommitted: (prize) => committed.push(prize) });
  const source = new SimulatedTapSource({ handler, readerNames: READERS });
  const detach = handler.attach(source);
  return { store, engine, handler, source, committed, shown, events, detach };
}

export function testPhone(walletId: number, behaviour: PhoneBehaviour = { kind: 'normal' }): VirtualPhone {
  const credential = signCredential(
    {
      walletId,
      credentialSerial: 1,
      phonePublicKey: keys.phone.publicKeyRaw,
      expiresAt: T0 + 365 * 86_400,
      issuerKeyId: 1,
    },
    keys.issuer.privateKey,
  );
  return new VirtualPhone({ keyPair: keys.phone, credential, behaviour });
}
