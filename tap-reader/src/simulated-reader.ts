// In-process tap source for demos and machines without PC/SC: virtual cards are presented and
// removed by calls, and run the same exchange as real readers (exchange.ts) over a direct transport.
import { assert, toHex } from '@redtap/shared';
import { pino, type Logger } from 'pino';
import { DirectTransport } from './direct-transport.ts';
import { runTapExchange } from './exchange.ts';
import { TapEventHub } from './tap-events.ts';
import { systemTimers, type Timers } from './timers.ts';
import type { ExchangeResult, ReaderInfo, TapEventListener, TapHandler, TapSource } from './types.ts';
import { cardTypeFromAtr, type VirtualCard } from './virtual-card.ts';

export interface SimulatedReaderOptions {
  handler: TapHandler;
  readerNames?: readonly string[];
  timers?: Timers;
  logger?: Logger;
  budgetMs?: number;
  receiptTimeoutMs?: number;
  commitWaitMaxMs?: number;
  apduLatencyMs?: number;
}

interface SimulatedSlot {
  name: string;
  card: VirtualCard | null;
  transport: DirectTransport | null;
  exchange: Promise<ExchangeResult> | null;
}

export const SIMULATED_READER_NAMES = ['Simulated Reader 0', 'Simulated Reader 1'] as const;

export class SimulatedTapSource implements TapSource {
  private readonly options: SimulatedReaderOptions;
  private readonly timers: Timers;
  private readonly hub: TapEventHub;
  private readonly slots: SimulatedSlot[];
  private running = false;

  constructor(options: SimulatedReaderOptions) {
    this.options = options;
    this.timers = options.timers ?? systemTimers;
    const logger = options.logger ?? pino({ name: 'tap-reader', level: 'warn' });
    this.hub = new TapEventHub((error) => logger.error({ err: error }, 'tap event listener threw'));
    const names = options.readerNames ?? SIMULATED_READER_NAMES;
    assert(names.length > 0, 'a simulated source needs at least one reader');
    this.slots = names.map((name) => ({ name, card: null, transport: null, exchange: null }));
  }

  on(listener: TapEventListener): () => void {
    return this.hub.on(listener);
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.hub.emit({ type: 'source.ready' });
    for (const slot of this.slots) this.hub.emit({ type: 'reader.attached', readerName: slot.name });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const slot of this.slots) this.remove(slot.name);
    await Promise.all(this.slots.flatMap((slot) => (slot.exchange === null ? [] : [slot.exchange])));
    for (const slot of this.slots) this.hub.emit({ type: 'reader.detached', readerName: slot.name });
  }

  readers(): ReaderInfo[] {
    return this.slots.map((slot) => ({
      name: slot.name,
      state: slot.exchange !== null ? 'exchanging' : slot.card !== null ? 'present' : 'empty',
    }));
  }

  /**
   * Puts a card on a reader and runs one exchange; resolves with its result. One exchange per
   * presentation: the card must be removed before it is presented again.
   */
  present(card: VirtualCard, readerName: string = this.defaultReader()): Promise<ExchangeResult> {
    assert(this.running, 'the simulated source is not started');
    const slot = this.slot(readerName);
    assert(slot.card === null, `a card is already on ${readerName}`);
    const presentedAtMs = this.timers.now();
    card.reset();
    const transport = new DirectTransport(card, {
      timers: this.timers,
      ...(this.options.apduLatencyMs === undefined ? {} : { apduLatencyMs: this.options.apduLatencyMs }),
      onLeave: () => {
        this.remove(readerName);
      },
    });
    slot.card = card;
    slot.transport = transport;
    const cardType = cardTypeFromAtr(card.atr);
    this.hub.emit({ type: 'card.present', readerName, atr: toHex(card.atr), cardType });
    const exchange = runTapExchange({
      transport,
      handler: this.options.handler,
      readerName,
      cardType,
      timers: this.timers,
      presentedAtMs,
      ...this.limits(),
      onApdu: (timing) => this.hub.emit({ type: 'apdu', readerName, timing }),
    }).then((result) => {
      slot.exchange = null;
      this.hub.emit({ type: 'tap', result });
      return result;
    });
    slot.exchange = exchange;
    return exchange;
  }

  /** Takes the card off the reader (no-op when there is none). */
  remove(readerName: string = this.defaultReader()): void {
    const slot = this.slot(readerName);
    if (slot.card === null) return;
    slot.transport?.markRemoved();
    slot.card.reset();
    slot.card = null;
    slot.transport = null;
    this.hub.emit({ type: 'card.removed', readerName });
  }

  private limits(): { budgetMs?: number; receiptTimeoutMs?: number; commitWaitMaxMs?: number } {
    const { budgetMs, receiptTimeoutMs, commitWaitMaxMs } = this.options;
    return {
      ...(budgetMs === undefined ? {} : { budgetMs }),
      ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
      ...(commitWaitMaxMs === undefined ? {} : { commitWaitMaxMs }),
    };
  }

  private defaultReader(): string {
    return this.slots[0]?.name ?? '';
  }

  private slot(readerName: string): SimulatedSlot {
    const slot = this.slots.find((candidate) => candidate.name === readerName);
    assert(slot !== undefined, `no simulated reader named ${readerName}`);
    return slot;
  }
}
