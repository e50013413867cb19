// An nfc-pcsc stand-in for PcscTapSource (its `createNfc` seam): one ACR122U-like reader whose field holds
// a virtual card for reader mode (an HCE phone) and whose PN532 answers SCardControl for tag mode through a
// virtual PN532 (docs/tap-exchange.md §10). Lets the kiosk run its PC/SC path, pauses and tag slices
// included, without pcscd.
import { EventEmitter } from 'node:events';
import { cardTypeFromAtr, type VirtualCard } from './virtual-card.ts';
import { CONNECT_MODE_DIRECT, type Nfc, type NfcReader } from './pcsc-reader.ts';
import { VirtualPn532 } from './virtual-pn532.ts';

export const VIRTUAL_ACR122_READER_NAME = 'ACS ACR122U PICC Interface 00 00';

export class VirtualPcscReader extends EventEmitter implements NfcReader {
  readonly name: string;
  autoProcessing = true;
  readonly pn532: VirtualPn532;
  /** Whether a direct connection (tag mode) is open. */
  directConnected = false;
  /** Direct connections opened so far. */
  directConnections = 0;
  private card: VirtualCard | null = null;
  private direct: AbortController | null = null;

  constructor(options: { name?: string; pn532?: VirtualPn532 } = {}) {
    super();
    this.name = options.name ?? VIRTUAL_ACR122_READER_NAME;
    this.pn532 = options.pn532 ?? new VirtualPn532();
  }

  /** A card (an HCE phone) enters the field in reader mode; nfc-pcsc reports it once. */
  present(card: VirtualCard): void {
    if (this.card !== null) this.remove();
    this.card = card;
    card.reset();
    this.emit('card', { atr: Buffer.from(card.atr), type: cardTypeFromAtr(card.atr) });
  }

  /** The card leaves the field. */
  remove(): void {
    if (this.card === null) return;
    this.card.reset();
    this.card = null;
    this.emit('card.off');
  }

  async transmit(data: Buffer): Promise<Buffer> {
    const card = this.card;
    if (card === null) throw new Error('no card in the field (0x80100069)');
    const reply = await card.respond(new Uint8Array(data));
    if (reply.kind === 'leave') {
      if (this.card === card) this.remove();
      throw new Error('the card was removed (0x80100069)');
    }
    return Buffer.from(reply.bytes);
  }

  connect(mode: string): Promise<unknown> {
    if (mode !== CONNECT_MODE_DIRECT) return Promise.reject(new Error(`connect mode ${mode} not simulated`));
    if (this.directConnected) return Promise.reject(new Error('already connected (0x8010000B)'));
    this.directConnected = true;
    this.directConnections += 1;
    this.direct = new AbortController();
    return Promise.resolve({ type: 'direct' });
  }

  /**
   * Closes the direct connection. A command still waiting (TgInitAsTarget with no phone) ends with it, as
   * a reset of the reader would end it (docs/tap-exchange.md §10: to be checked on a real ACR122U).
   */
  disconnect(): Promise<unknown> {
    this.directConnected = false;
    this.direct?.abort();
    this.direct = null;
    return Promise.resolve(true);
  }

  async control(data: Buffer): Promise<Buffer> {
    const direct = this.direct;
    if (!this.directConnected || direct === null) throw new Error('not connected (0x80100009)');
    return Buffer.from(await this.pn532.transmit(new Uint8Array(data), direct.signal));
  }

  close(): void {
    this.emit('end');
  }
}

/** The NFC object PcscTapSource opens: it attaches `readers` as soon as the source listens. */
export class VirtualNfc extends EventEmitter implements Nfc {
  private readonly readers: VirtualPcscReader[];

  constructor(readers: VirtualPcscReader[]) {
    super();
    this.readers = readers;
  }

  override on(event: string, listener: (...args: never[]) => void): this {
    super.on(event, listener as (...args: unknown[]) => void);
    if (event === 'reader')
      for (const reader of this.readers) queueMicrotask(() => this.emit('reader', reader));
    return this;
  }

  close(): void {
    this.emit('closed');
  }
}
