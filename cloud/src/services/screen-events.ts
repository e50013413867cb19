// Screen events from the broker: heartbeats update screen health; other event types belong to later
// features (proof of play, decks) and are ignored here.
import type { AppDeps } from '../http/context.ts';
import { recordHeartbeat } from './screen-health.ts';

export function wireScreenEvents(deps: Pick<AppDeps, 'broker' | 'db' | 'logger' | 'now'>): void {
  deps.broker.onScreenEvent(async ({ screenId, event }) => {
    if (event.type !== 'heartbeat') return;
    const recorded = await recordHeartbeat(deps.db, screenId, event, deps.now());
    if (!recorded) deps.logger.warn({ screenId }, 'heartbeat from a screen that is not active; dropped');
  });
}
