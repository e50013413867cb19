// Screen events from the broker (docs/protocol.md §5.3): heartbeats update screen health, deck-low
// issues a refill, deck-close returns unused escrow early, proof-of-play feeds the reports. Presence
// messages (§5.6) record whether the broker holds the screen's connection.
import type { AppDeps } from '../http/context.ts';
import { closeDeck, handleDeckLow } from './decks.ts';
import { recordProofOfPlay } from './proof-of-play.ts';
import { recordHeartbeat } from './screen-health.ts';
import { recordPresence } from './screen-presence.ts';

export function wireScreenEvents(
  deps: Pick<AppDeps, 'broker' | 'db' | 'logger' | 'now' | 'secrets' | 'settings'>,
): void {
  deps.broker.onScreenPresence(async ({ screenId, presence }) => {
    const outcome = await recordPresence(deps.db, screenId, presence, deps.now());
    if (outcome === 'seq-ahead')
      deps.logger.warn(
        { screenId, seq: presence.seq },
        'presence numbered ahead of the cloud clock; dropped',
      );
  });
  deps.broker.onScreenEvent(async ({ screenId, event }) => {
    switch (event.type) {
      case 'heartbeat': {
        const recorded = await recordHeartbeat(deps.db, screenId, event, deps.now());
        if (!recorded) deps.logger.warn({ screenId }, 'heartbeat from a screen that is not active; dropped');
        return;
      }
      case 'deck-low': {
        const deck = await handleDeckLow(
          {
            db: deps.db,
            broker: deps.broker,
            logger: deps.logger,
            kek: deps.secrets.issuerKek,
            settings: deps.settings.money,
            now: deps.now,
          },
          screenId,
          event,
        );
        deps.logger.info(
          { screenId, campaignId: event.campaignId, deckId: deck?.deckId },
          'deck-low handled',
        );
        return;
      }
      case 'deck-close': {
        const outcome = await closeDeck(deps.db, { screenId, reportHex: event.report });
        if (!outcome.ok) deps.logger.warn({ screenId, code: outcome.code }, 'deck close report refused');
        return;
      }
      case 'proof-of-play':
        await recordProofOfPlay(deps.db, screenId, event, deps.settings.money.timezone);
        return;
      case 'deck-receipt':
        if (event.status === 'rejected')
          deps.logger.warn({ screenId, deckId: event.deckId, code: event.code }, 'screen rejected a deck');
        return;
    }
  });
}
