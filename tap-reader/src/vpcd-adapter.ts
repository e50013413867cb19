// Puts a virtual card on a vpcd slot of the local pcscd: connecting is the tap, disconnecting the
// card leaving. vpcd listens on 35963 + slot; only one client may hold a slot at a time.
import { assert } from '@redtap/shared';
import { connect, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { VirtualCard } from './virtual-card.ts';
import { VpcdControl, VpcdFrameDecoder, encodeVpcdFrame } from './vpcd-framing.ts';

export const VPCD_PORT_BASE = 35963;
export const VPCD_CONNECT_TIMEOUT_MS = 1000;

function isDestroyed(socket: Socket): boolean {
  return socket.destroyed;
}

export function vpcdPort(slot: number): number {
  return VPCD_PORT_BASE + slot;
}

export interface VpcdSlotOptions {
  port?: number;
  host?: string;
  /** Disable Nagle on our side; measured to make no difference, since vpcd's own writes wait. */
  noDelay?: boolean;
  connectTimeoutMs?: number;
  logger?: Logger;
}

export class VpcdSlot {
  readonly port: number;
  private readonly host: string;
  private readonly noDelay: boolean;
  private readonly connectTimeoutMs: number;
  private readonly logger: Logger;
  private socket: Socket | null = null;
  private card: VirtualCard | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed: Promise<void> = Promise.resolve();
  apduCount = 0;

  constructor(options: VpcdSlotOptions = {}) {
    this.port = options.port ?? VPCD_PORT_BASE;
    this.host = options.host ?? '127.0.0.1';
    this.noDelay = options.noDelay ?? true;
    this.connectTimeoutMs = options.connectTimeoutMs ?? VPCD_CONNECT_TIMEOUT_MS;
    this.logger = options.logger ?? pino({ name: 'vpcd', level: 'warn' });
  }

  get holding(): boolean {
    return this.socket !== null;
  }

  /** Taps the card: connects to vpcd, which powers it on and asks for the ATR. */
  insert(card: VirtualCard): Promise<void> {
    assert(this.socket === null, `vpcd slot ${this.port} already holds a card`);
    card.reset();
    this.card = card;
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setNoDelay(this.noDelay);
    const decoder = new VpcdFrameDecoder();
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        this.card = null;
      }
    });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        // One at a time, in order: vpcd waits for each answer anyway.
        this.queue = this.queue.then(() => this.handleFrame(socket, card, frame));
      }
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(`vpcd on ${this.host}:${this.port}: no connection within ${this.connectTimeoutMs} ms`),
        );
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        this.logger.debug({ err: error, port: this.port }, 'vpcd socket error');
        reject(new Error(`vpcd on ${this.host}:${this.port}: ${error.message}`));
      });
    });
  }

  /** The card leaves the field. Resolves once the connection is closed. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (socket === null) return;
    socket.destroy();
    await this.closed;
  }

  private async handleFrame(socket: Socket, card: VirtualCard, frame: Uint8Array): Promise<void> {
    if (socket.destroyed) return;
    if (frame.length === 1) {
      switch (frame[0]) {
        case VpcdControl.powerOff:
        case VpcdControl.powerOn:
        case VpcdControl.reset:
          card.reset();
          return;
        case VpcdControl.getAtr:
          socket.write(encodeVpcdFrame(card.atr));
          return;
        default:
          this.logger.warn({ code: frame[0] }, 'unknown vpcd control code');
          return;
      }
    }
    this.apduCount += 1;
    let reply;
    try {
      reply = await card.respond(frame);
    } catch (error) {
      this.logger.error({ err: error }, 'virtual card threw; taking it off the reader');
      socket.destroy();
      return;
    }
    // The card may have been taken away while it was answering.
    if (isDestroyed(socket)) return;
    if (reply.kind === 'leave') {
      socket.destroy();
      return;
    }
    socket.write(encodeVpcdFrame(reply.bytes));
  }
}
