// In-process transport: APDUs go straight to a virtual card's handler, no PC/SC in between.
import { ErrorCode } from '@redtap/shared';
import { delay, systemTimers, type Timers } from './timers.ts';
import { TransportError, type ApduTransport } from './transport.ts';
import type { CardReply, VirtualCard } from './virtual-card.ts';

export interface DirectTransportOptions {
  /** Simulated air time per APDU, for demos; 0 by default. */
  apduLatencyMs?: number;
  timers?: Timers;
  /** Called once when the card leaves the field on its own. */
  onLeave?: () => void;
}

export class DirectTransport implements ApduTransport {
  private readonly card: VirtualCard;
  private readonly options: DirectTransportOptions;
  private readonly removal = new AbortController();

  constructor(card: VirtualCard, options: DirectTransportOptions = {}) {
    this.card = card;
    this.options = options;
  }

  get removed(): boolean {
    return this.removal.signal.aborted;
  }

  /** The card was taken away: any APDU in flight or later fails with CARD_REMOVED. */
  markRemoved(): void {
    this.removal.abort();
  }

  async transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const removed = (): TransportError => new TransportError(ErrorCode.CARD_REMOVED, 'card left the field');
    if (this.removed) throw removed();
    const either = AbortSignal.any([signal, this.removal.signal]);
    const reply = await new Promise<CardReply>((resolve, reject) => {
      const onAbort = (): void => {
        reject(
          this.removed ? removed() : new TransportError(ErrorCode.APDU_TIMEOUT, 'exchange budget spent'),
        );
      };
      if (either.aborted) {
        onAbort();
        return;
      }
      either.addEventListener('abort', onAbort, { once: true });
      const latencyMs = this.options.apduLatencyMs ?? 0;
      const air = latencyMs > 0 ? delay(latencyMs, this.options.timers ?? systemTimers) : Promise.resolve();
      air
        .then(() => this.card.respond(apdu))
        .then(
          (value) => {
            either.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (error: unknown) => {
            either.removeEventListener('abort', onAbort);
            reject(new TransportError(ErrorCode.READER_ERROR, `card failed: ${String(error)}`));
          },
        );
    });
    if (reply.kind === 'leave') {
      if (!this.removal.signal.aborted) {
        this.markRemoved();
        this.options.onLeave?.();
      }
      throw removed();
    }
    return reply.bytes;
  }
}
