// The PC/SC tap source over nfc-pcsc: finds every reader, survives readers and pcscd coming and
// going (bounded retry with backoff), and runs one exchange (exchange.ts) per card presentation.
import { ErrorCode, toHex } from '@redtap/shared';
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { backoffDelayMs } from './backoff.ts';
import { runTapExchange } from './exchange.ts';
import { pcscdSocketPath, probePcscd } from './pcscd-probe.ts';
import { pcscPn532Transmit, type Pn532Transmit } from './pn532-target.ts';
import { TapEventHub } from './tap-events.ts';
import { systemTimers, type Timers } from './timers.ts';
import { TransportError, type ApduTransport, type TransportFailure } from './transport.ts';
import {
  CardType,
  TapReaderCode,
  type ExchangeResult,
  type ReaderInfo,
  type TapEventListener,
  type TapHandler,
  type TapSource,
} from './types.ts';

/** The part of nfc-pcsc's Reader we use (node_modules/nfc-pcsc/src/Reader.js). */
export interface NfcReader {
  readonly name: string;
  autoProcessing: boolean;
  on(event: 'card', listener: (card: { atr?: Buffer; type?: string }) => void): unknown;
  on(event: 'card.off' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  /** SCardConnect; `CONNECT_MODE_DIRECT` reaches the reader itself with no card (for SCardControl). */
  connect?(mode: string): Promise<unknown>;
  disconnect?(): Promise<unknown>;
  /** SCardControl with IOCTL_CCID_ESCAPE: the ACR122U's PN532 pseudo-APDUs (docs/tap-exchange.md §10.4). */
  control?(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  removeAllListeners(): unknown;
  close(): void;
}

/** The part of nfc-pcsc's NFC we use (node_modules/nfc-pcsc/src/NFC.js). */
export interface Nfc {
  on(event: 'reader', listener: (reader: NfcReader) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
  close(): void;
}

/** nfc-pcsc's connect mode for a connection to the reader without a card (SCARD_SHARE_DIRECT). */
export const CONNECT_MODE_DIRECT = 'CONNECT_MODE_DIRECT';
/** Reader names that say a PN532 is inside (ACS ACR122U, generic PN532/PN533 boards). */
export const PN532_READER_NAME = /ACR122|PN53[23]/i;

/** Whether a PC/SC reader's name says it has a PN532, so it can act as a Type 4 tag. */
export function readerReportsPn532(readerName: string): boolean {
  return PN532_READER_NAME.test(readerName);
}

/**
 * A reader's PN532 lent out for tag mode while polling is paused: pseudo-APDUs over SCardControl on a
 * direct connection, opened at the first command and closed by `release()`.
 */
export interface PcscTagLink {
  readerName: string;
  transmit: Pn532Transmit;
  release(): Promise<void>;
}

/** Short APDU response: 256 data bytes and the status word. */
export const RESPONSE_LENGTH_MAX = 258;
export const RETRY_INITIAL_MS = 250;
export const RETRY_MAX_MS = 5000;
/** About an hour at the capped delay; then the source gives up and says so. */
export const RETRY_ATTEMPTS_MAX = 720;

export interface PcscTapSourceOptions {
  handler: TapHandler;
  /** `observe` reports readers and cards but never talks to them (for `redtap-reader list`). */
  mode?: 'exchange' | 'observe';
  logger?: Logger;
  timers?: Timers;
  random?: () => number;
  budgetMs?: number;
  receiptTimeoutMs?: number;
  commitWaitMaxMs?: number;
  pcscdSocketPath?: string;
  retryInitialMs?: number;
  retryMaxMs?: number;
  retryAttemptsMax?: number;
  /** Test seams: a fake NFC and a fake pcscd probe. */
  createNfc?: () => Nfc;
  probe?: () => Promise<boolean>;
}

interface ReaderSlot {
  reader: NfcReader;
  present: boolean;
  /** Aborted when the card (or the whole reader) goes away, failing the APDU in flight at once. */
  removal: AbortController;
  removalCode: TransportFailure;
  exchange: Promise<ExchangeResult> | null;
  /** A card that came while polling was paused: its exchange starts at resume() if it is still there. */
  deferred: { cardType: CardType } | null;
}

type NfcConstructor = new (logger?: unknown) => Nfc;

/** The fix when the optional nfc-pcsc package, or its native addon, is not installed. */
export const PCSC_INSTALL_HINT =
  'PC/SC support is not installed: run `apt-get install libpcsclite-dev` and then `npm install`';

let nfcModule: { NFC: NfcConstructor } | Error | undefined;

function requireNfc(): { NFC: NfcConstructor } | Error {
  // Loaded lazily and optionally: the native addon builds only where libpcsclite-dev is installed, so
  // a demo machine without it installs everything else and runs on the simulated reader.
  if (nfcModule === undefined) {
    try {
      nfcModule = createRequire(import.meta.url)('nfc-pcsc') as { NFC: NfcConstructor };
    } catch (error) {
      nfcModule = new Error(
        `${PCSC_INSTALL_HINT} (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      );
    }
  }
  return nfcModule;
}

/** Whether nfc-pcsc and its native addon load on this machine (pcscd itself may still be down). */
export function pcscSupportInstalled(): boolean {
  return !(requireNfc() instanceof Error);
}

function loadNfc(logger: Logger): Nfc {
  const loaded = requireNfc();
  if (loaded instanceof Error) throw loaded;
  const { NFC } = loaded;
  return new NFC({
    log: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => logger.warn({ args }, 'nfc-pcsc'),
    error: (...args: unknown[]) => logger.debug({ args }, 'nfc-pcsc'),
  });
}

/** PC/SC return codes that mean the card went away rather than the reader failing (pcsclite.h). */
const CARD_GONE_CODES = ['0x80100069', '0x80100068', '0x80100067', '0x80100066', '0x8010000c', '0x8010000C'];

function transmitFailure(error: unknown): TransportError {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    parts.push(current.message);
    current = (current as Error & { previous?: unknown }).previous;
  }
  const message = parts.join(': ');
  const gone = CARD_GONE_CODES.some((code) => message.includes(code)) || /removed|no card/i.test(message);
  return new TransportError(gone ? ErrorCode.CARD_REMOVED : ErrorCode.READER_ERROR, message);
}

class PcscTransport implements ApduTransport {
  private readonly slot: ReaderSlot;

  constructor(slot: ReaderSlot) {
    this.slot = slot;
  }

  transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const slot = this.slot;
    const removal = slot.removal.signal;
    if (removal.aborted) return Promise.reject(new TransportError(slot.removalCode, 'card left the field'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        // pcsclite cannot cancel a transmit; we stop waiting and its late answer is dropped.
        reject(
          removal.aborted
            ? new TransportError(slot.removalCode, 'card left the field')
            : new TransportError(ErrorCode.APDU_TIMEOUT, 'exchange budget spent'),
        );
      };
      const either = AbortSignal.any([signal, removal]);
      if (either.aborted) {
        onAbort();
        return;
      }
      either.addEventListener('abort', onAbort, { once: true });
      let sent: Promise<Buffer>;
      try {
        sent = slot.reader.transmit(Buffer.from(apdu), RESPONSE_LENGTH_MAX);
      } catch (error) {
        either.removeEventListener('abort', onAbort);
        reject(transmitFailure(error));
        return;
      }
      sent.then(
        (response) => {
          either.removeEventListener('abort', onAbort);
          resolve(new Uint8Array(response));
        },
        (error: unknown) => {
          either.removeEventListener('abort', onAbort);
          reject(transmitFailure(error));
        },
      );
    });
  }
}

export class PcscTapSource implements TapSource {
  private readonly options: PcscTapSourceOptions;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly hub: TapEventHub;
  private readonly slots = new Map<string, ReaderSlot>();
  private nfc: Nfc | null = null;
  private running = false;
  private attempt = 0;
  private retryTimer: unknown = null;
  private paused = false;

  constructor(options: PcscTapSourceOptions) {
    this.options = options;
    this.logger = options.logger ?? pino({ name: 'tap-reader', level: 'warn' });
    this.timers = options.timers ?? systemTimers;
    this.hub = new TapEventHub((error) => this.logger.error({ err: error }, 'tap event listener threw'));
  }

  on(listener: TapEventListener): () => void {
    return this.hub.on(listener);
  }

  readers(): ReaderInfo[] {
    return [...this.slots.entries()].map(([name, slot]) => ({
      name,
      state: slot.exchange !== null ? 'exchanging' : slot.present ? 'present' : 'empty',
    }));
  }

  /** Whether exchanges are paused (the reader is lent to tag mode). */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Stops starting exchanges (docs/tap-exchange.md §10.5) and resolves once every exchange in progress has
   * ended: a pause never cuts a tap. A card that comes meanwhile is held until resume().
   */
  async pause(): Promise<void> {
    this.paused = true;
    const exchanges = [...this.slots.values()].flatMap((slot) =>
      slot.exchange === null ? [] : [slot.exchange],
    );
    await Promise.all(exchanges);
  }

  /** Takes taps again; a card that came during the pause and is still present is exchanged now. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const [name, slot] of this.slots) {
      const deferred = slot.deferred;
      slot.deferred = null;
      if (deferred !== null && slot.present && slot.exchange === null && this.running)
        this.startExchange(name, slot, deferred.cardType, this.timers.now());
    }
  }

  /**
   * The first attached reader that can act as a Type 4 tag: one whose name says PN532/ACR122U, or any
   * reader with SCardControl when `anyReader` (the kiosk's setting forces tag mode on). Null when none is.
   * pause() before its first command: the reader cannot poll for phones and be a tag at once.
   */
  tagLink(options: { anyReader?: boolean } = {}): PcscTagLink | null {
    for (const [name, slot] of this.slots) {
      const { reader } = slot;
      if (reader.control === undefined || reader.connect === undefined) continue;
      if (options.anyReader !== true && !readerReportsPn532(name)) continue;
      return this.openTagLink(name, reader);
    }
    return null;
  }

  private openTagLink(readerName: string, reader: NfcReader): PcscTagLink {
    let connected: Promise<unknown> | null = null;
    const control = (data: Buffer, responseMaxLength: number): Promise<Buffer> => {
      connected ??= reader.connect?.(CONNECT_MODE_DIRECT) ?? Promise.reject(new Error('no SCardConnect'));
      return connected.then(() => {
        if (reader.control === undefined) throw new Error('no SCardControl');
        return reader.control(data, responseMaxLength);
      });
    };
    return {
      readerName,
      transmit: pcscPn532Transmit(control),
      release: async () => {
        const was = connected;
        connected = null;
        if (was === null) return;
        try {
          await was;
          await reader.disconnect?.();
        } catch (error) {
          this.logger.debug({ err: error, reader: readerName }, 'closing the tag connection failed');
        }
      },
    };
  }

  /** Resolves after the first connection attempt; failures are retried in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    await this.connect();
  }

  async stop(): Promise<void> {
    // pcsclite calls into JS while holding the reader's mutex, and promise continuations of our
    // events run inside that call. Closing (or exiting) from there deadlocks on the mutex: step out
    // to a fresh turn of the event loop first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.running = false;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const exchanges = [...this.slots.values()].flatMap((slot) =>
      slot.exchange === null ? [] : [slot.exchange],
    );
    this.teardown(ErrorCode.READER_ERROR, 'now');
    await Promise.all(exchanges);
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    if (!this.running) return;
    const socketPath = this.options.pcscdSocketPath ?? pcscdSocketPath();
    const up = await (this.options.probe ?? (() => probePcscd(socketPath)))();
    // stop() may have run while the probe was out.
    if (!this.isRunning()) return;
    if (!up) {
      this.scheduleRetry(`pcscd is not running (nothing answers on ${socketPath}); start it with \`pcscd\``);
      return;
    }
    let nfc: Nfc;
    try {
      nfc = (this.options.createNfc ?? (() => loadNfc(this.logger)))();
    } catch (error) {
      this.scheduleRetry(`cannot open PC/SC: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.nfc = nfc;
    this.attempt = 0;
    nfc.on('reader', (reader) => this.attach(reader));
    nfc.on('error', (error) => {
      if (this.nfc !== nfc) return;
      this.logger.warn({ err: error }, 'PC/SC failed; reconnecting');
      this.teardown(ErrorCode.READER_ERROR);
      this.scheduleRetry(`PC/SC failed: ${error.message}`);
    });
    this.hub.emit({ type: 'source.ready' });
  }

  private isRunning(): boolean {
    return this.running;
  }

  private scheduleRetry(message: string): void {
    if (!this.running) return;
    this.attempt += 1;
    const attemptsMax = this.options.retryAttemptsMax ?? RETRY_ATTEMPTS_MAX;
    const code = TapReaderCode.PCSC_UNAVAILABLE;
    if (this.attempt > attemptsMax) {
      this.running = false;
      this.logger.error({ attempts: attemptsMax }, `giving up on PC/SC: ${message}`);
      this.hub.emit({ type: 'source.gave-up', code, message, attempts: attemptsMax });
      return;
    }
    const retryInMs = backoffDelayMs(
      this.attempt,
      {
        initialMs: this.options.retryInitialMs ?? RETRY_INITIAL_MS,
        maxMs: this.options.retryMaxMs ?? RETRY_MAX_MS,
      },
      this.options.random ?? Math.random,
    );
    this.logger.warn({ attempt: this.attempt, retryInMs }, message);
    this.hub.emit({ type: 'source.unavailable', code, message, attempt: this.attempt, retryInMs });
    this.retryTimer = this.timers.setTimeout(() => void this.connect(), retryInMs);
  }

  /**
   * Drops the PC/SC context and every reader; in-flight APDUs fail with `code` at once. From inside a
   * pcsclite callback the native close must wait for the next turn (see stop()).
   */
  private teardown(code: TransportFailure, close: 'now' | 'deferred' = 'deferred'): void {
    const nfc = this.nfc;
    this.nfc = null;
    for (const name of [...this.slots.keys()]) this.detach(name, code, close);
    if (nfc === null) return;
    nfc.removeAllListeners();
    // A late error with no listener would be thrown by EventEmitter.
    nfc.on('error', () => undefined);
    const closeContext = (): void => {
      try {
        nfc.close();
      } catch (error) {
        this.logger.debug({ err: error }, 'closing PC/SC context failed');
      }
    };
    if (close === 'now') closeContext();
    else setImmediate(closeContext);
  }

  private attach(reader: NfcReader): void {
    const name = reader.name;
    if (this.slots.has(name)) this.detach(name, ErrorCode.READER_ERROR);
    reader.autoProcessing = false;
    const slot: ReaderSlot = {
      reader,
      present: false,
      removal: new AbortController(),
      removalCode: ErrorCode.CARD_REMOVED,
      exchange: null,
      deferred: null,
    };
    this.slots.set(name, slot);
    reader.on('card', (card) => this.onCard(name, slot, card));
    reader.on('card.off', () => this.onCardOff(name, slot));
    reader.on('error', (error) => {
      this.logger.warn({ err: error, reader: name }, 'reader error');
      this.hub.emit({ type: 'reader.error', readerName: name, message: error.message });
    });
    reader.on('end', () => {
      if (this.slots.get(name) === slot) this.detach(name, ErrorCode.READER_ERROR);
    });
    this.hub.emit({ type: 'reader.attached', readerName: name });
  }

  private detach(name: string, code: TransportFailure, close: 'now' | 'deferred' = 'deferred'): void {
    const slot = this.slots.get(name);
    if (slot === undefined) return;
    this.slots.delete(name);
    slot.removalCode = code;
    slot.removal.abort();
    slot.reader.removeAllListeners();
    slot.reader.on('error', () => undefined);
    if (close === 'now') this.closeReader(name, slot.reader);
    else setImmediate(() => this.closeReader(name, slot.reader));
    if (slot.present) this.hub.emit({ type: 'card.removed', readerName: name });
    this.hub.emit({ type: 'reader.detached', readerName: name });
  }

  private closeReader(name: string, reader: NfcReader): void {
    try {
      reader.close();
    } catch (error) {
      this.logger.debug({ err: error, reader: name }, 'closing reader failed');
    }
  }

  private onCard(name: string, slot: ReaderSlot, card: { atr?: Buffer; type?: string }): void {
    const presentedAtMs = this.timers.now();
    // nfc-pcsc emits `card` once per presentation; a repeat while one is handled is not a new tap.
    if (slot.present || slot.exchange !== null) {
      this.logger.warn({ reader: name }, 'card event while a card is present; ignored');
      return;
    }
    slot.present = true;
    slot.removal = new AbortController();
    slot.removalCode = ErrorCode.CARD_REMOVED;
    const cardType = card.type === CardType.iso14443_3 ? CardType.iso14443_3 : CardType.iso14443_4;
    const atr = card.atr === undefined ? '' : toHex(card.atr);
    this.hub.emit({ type: 'card.present', readerName: name, atr, cardType });
    if ((this.options.mode ?? 'exchange') === 'observe') return;
    if (this.paused) {
      // The reader is lent to tag mode: the phone is served at resume() if it stays.
      slot.deferred = { cardType };
      return;
    }
    this.startExchange(name, slot, cardType, presentedAtMs);
  }

  private startExchange(name: string, slot: ReaderSlot, cardType: CardType, presentedAtMs: number): void {
    const { budgetMs, receiptTimeoutMs, commitWaitMaxMs } = this.options;
    slot.exchange = runTapExchange({
      transport: new PcscTransport(slot),
      handler: this.options.handler,
      readerName: name,
      cardType,
      timers: this.timers,
      presentedAtMs,
      ...(budgetMs === undefined ? {} : { budgetMs }),
      ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
      ...(commitWaitMaxMs === undefined ? {} : { commitWaitMaxMs }),
      onApdu: (timing) => this.hub.emit({ type: 'apdu', readerName: name, timing }),
    }).then((result) => {
      slot.exchange = null;
      this.hub.emit({ type: 'tap', result });
      return result;
    });
  }

  private onCardOff(name: string, slot: ReaderSlot): void {
    if (!slot.present) return;
    slot.present = false;
    slot.deferred = null;
    slot.removalCode = ErrorCode.CARD_REMOVED;
    slot.removal.abort();
    this.hub.emit({ type: 'card.removed', readerName: name });
  }
}
