// Runs the desired-state dispatchers in tests, as the cloud process runs them after a poke: broker
// identities wanted present (removals are left for the test to dispatch), then decks, then configs, in
// passes until none claims anything.
import type { CloudBroker } from '../src/broker/types.ts';
import type { AppDeps } from '../src/http/context.ts';
import { dispatchBrokerIdentities } from '../src/services/broker-identity-dispatcher.ts';
import { dispatchDecks, type DeckDispatchDeps } from '../src/services/deck-dispatcher.ts';
import { dispatchScreenConfigs } from '../src/services/config-dispatcher.ts';
import { screenConfigOptionsOf } from '../src/services/screen-config.ts';

/** Deck dispatcher deps over the app's: publishing to `broker`. */
export function deckDispatchDeps(
  deps: Pick<AppDeps, 'db' | 'secrets' | 'settings' | 'now'>,
  broker: Pick<CloudBroker, 'publishDeck'>,
): DeckDispatchDeps {
  return {
    db: deps.db,
    kek: deps.secrets.issuerKek,
    settings: deps.settings.money,
    publish: (screenId, deck) => broker.publishDeck(screenId, deck),
    now: deps.now,
  };
}

/** Passes of the deck dispatcher until one claims nothing (wants in backoff are not claimed). */
export async function drainDecks(deps: DeckDispatchDeps, passesMax = 10_000): Promise<{ issued: number }> {
  let issued = 0;
  for (let pass = 0; pass < passesMax; pass++) {
    const outcome = await dispatchDecks(deps);
    issued += outcome.issued;
    if (outcome.claimed === 0) return { issued };
  }
  throw new Error(`deck wants still due after ${passesMax} passes`);
}

export async function settleDesiredState(cloud: {
  deps: Pick<AppDeps, 'db' | 'secrets' | 'settings' | 'now'>;
  broker: CloudBroker;
}): Promise<void> {
  const { deps, broker } = cloud;
  for (let round = 0; round < 1_000; round++) {
    const identities = await dispatchBrokerIdentities({
      db: deps.db,
      kek: deps.secrets.issuerKek,
      provision: (screenId, username, password) => broker.provisionScreen(screenId, username, password),
      remove: (screenId) => broker.revokeScreen(screenId),
      // Removals wait for the test to run them, so it sees what a revocation queued.
      only: 'present',
      now: deps.now,
    });
    const decks = await dispatchDecks(deckDispatchDeps(deps, broker));
    const configs = await dispatchScreenConfigs({
      db: deps.db,
      publish: (screenId, config) => broker.publishConfig(screenId, config),
      options: () => screenConfigOptionsOf(deps.settings),
      now: deps.now,
    });
    if (identities.claimed + decks.claimed + configs.claimed === 0) return;
  }
  throw new Error('desired state not settled after 1000 rounds');
}
