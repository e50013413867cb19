// An in-memory CloudBroker for tests of the HTTP side: records what the cloud publishes and lets a
// test deliver screen events as the broker would.
import type { Ack, ScreenConfig, TicketClaimed } from '@redtap/shared';
import type {
  BrokerStats,
  CloudBroker,
  ScreenEventMessage,
  ScreenPresenceMessage,
  TapBatchMessage,
} from '../src/broker/types.ts';

export class FakeBroker implements CloudBroker {
  readonly url = 'mqtt://127.0.0.1:1884';
  readonly provisioned = new Map<number, { username: string; password: string }>();
  readonly revoked: number[] = [];
  readonly suspended: { screenId: number; untilMs: number }[] = [];
  readonly configs = new Map<number, ScreenConfig>();
  readonly acks: { screenId: number; ack: Ack }[] = [];
  readonly decks: { screenId: number; deck: Uint8Array }[] = [];
  readonly ticketsClaimed: { screenId: number; notice: TicketClaimed }[] = [];
  private readonly eventHandlers: ((message: ScreenEventMessage) => Promise<void>)[] = [];
  private readonly tapHandlers: ((message: TapBatchMessage) => Promise<void>)[] = [];
  private readonly presenceHandlers: ((message: ScreenPresenceMessage) => Promise<void>)[] = [];
  closed = false;

  provisionScreen(screenId: number, username: string, password: string): Promise<void> {
    this.provisioned.set(screenId, { username, password });
    return Promise.resolve();
  }
  revokeScreen(screenId: number): Promise<void> {
    this.provisioned.delete(screenId);
    this.revoked.push(screenId);
    return Promise.resolve();
  }
  suspendScreen(screenId: number, untilMs: number): Promise<void> {
    this.suspended.push({ screenId, untilMs });
    return Promise.resolve();
  }
  publishConfig(screenId: number, config: ScreenConfig): Promise<void> {
    this.configs.set(screenId, config);
    return Promise.resolve();
  }
  publishDeck(screenId: number, deck: Uint8Array): Promise<void> {
    this.decks.push({ screenId, deck });
    return Promise.resolve();
  }
  publishAck(screenId: number, ack: Ack): Promise<void> {
    this.acks.push({ screenId, ack });
    return Promise.resolve();
  }
  publishTicketClaimed(screenId: number, notice: TicketClaimed): Promise<void> {
    this.ticketsClaimed.push({ screenId, notice });
    return Promise.resolve();
  }
  onTapBatch(handler: (message: TapBatchMessage) => Promise<void>): void {
    this.tapHandlers.push(handler);
  }
  onScreenEvent(handler: (message: ScreenEventMessage) => Promise<void>): void {
    this.eventHandlers.push(handler);
  }
  onScreenPresence(handler: (message: ScreenPresenceMessage) => Promise<void>): void {
    this.presenceHandlers.push(handler);
  }
  /** Hands a presence message to the handlers as the broker's presence lane would. */
  async deliverPresence(message: ScreenPresenceMessage): Promise<void> {
    for (const handler of this.presenceHandlers) await handler(message);
  }
  /** Delivers an event to every handler and waits for them, as the real broker's dispatch would. */
  async deliverEvent(message: ScreenEventMessage): Promise<void> {
    for (const handler of this.eventHandlers) await handler(message);
  }
  /** Hands a tap batch to the handlers as the broker's taps lane would. */
  async deliverTapBatch(message: TapBatchMessage): Promise<void> {
    for (const handler of this.tapHandlers) await handler(message);
  }
  /** The first ack for a screen published after `from` acks, waited for with a bound. */
  async nextAck(screenId: number, from: number, timeoutMs = 10_000): Promise<Ack> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.acks.slice(from).find((entry) => entry.screenId === screenId);
      if (found !== undefined) return found.ack;
      if (Date.now() > deadline) throw new Error(`no ack for screen ${screenId} within ${timeoutMs} ms`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  stats(): BrokerStats {
    return {
      tapBatchesAccepted: 0,
      tapBatchesOversize: 0,
      eventsAccepted: 0,
      eventsInvalid: 0,
      presenceAccepted: 0,
      presenceInvalid: 0,
      messagesIgnored: 0,
      messagesDropped: 0,
      handlerErrors: 0,
      handlerTimeouts: 0,
    };
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
