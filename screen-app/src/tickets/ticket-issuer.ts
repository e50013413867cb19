// Claim tickets on the kiosk (docs/protocol.md §3.8, docs/kiosk.md §9): signs the ticket the screen shows
// as a QR code, replaces it at least every 10 s and as soon as the cloud says it was claimed (§5.7) or
// another campaign's creative comes on screen, and signs one-off tickets for the reader acting as a tag.
// It remembers the tickets it issued lately, so that word of a claim (§5.7) is believed once, for a ticket
// of its own. A ticket moves no money here: the cloud decides the prize when a phone posts it.
import { randomBytes, type KeyObject } from 'node:crypto';
import { signTicket, TICKET_NONCE_LENGTH, TicketPath, ticketUrl } from '@redtap/shared';
import { pino, type Logger } from 'pino';
import type { StartTimer } from '../engine/tap-lease.ts';
import type { TicketSeqBlock } from '../store/ticket-queries.ts';

export interface TicketIssuerLimits {
  /** The QR ticket is replaced at least this often. */
  rotationIntervalMs: number;
  /** Sequence numbers reserved per store write; a restart skips what is left of a block. */
  seqBlockSize: number;
  /** A change of campaign on screen replaces the QR ticket at most this often. */
  campaignRotationMinIntervalMs: number;
  /**
   * Issued tickets are remembered this long (kiosk clock), for word of their claims: the cloud takes a
   * ticket for 15 min and publishes its notice within 300 s of the claim.
   */
  rememberedMaxAgeS: number;
  /** Issued tickets remembered at most (the oldest are forgotten first). */
  rememberedMax: number;
}

export const defaultTicketIssuerLimits: TicketIssuerLimits = {
  rotationIntervalMs: 10_000,
  seqBlockSize: 64,
  campaignRotationMinIntervalMs: 1_000,
  rememberedMaxAgeS: 1_200,
  rememberedMax: 2_048,
};

export interface IssuedTicket {
  /** `<origin>/claim?t=…`, what the QR code or the tag carries. */
  url: string;
  ticketSeq: number;
  ts: number;
  campaignId: number;
  path: TicketPath;
  bytes: Uint8Array;
}

export interface TicketIssuerOptions {
  screenId: number;
  screenKey: KeyObject;
  /** Origin of the claim URLs, read at every ticket (the config may change it). */
  origin: () => string;
  /** Durably reserves `count` sequence numbers (the store's reserveTicketSeqs). */
  reserveSeqs: (count: number) => TicketSeqBlock;
  /** The campaign whose creative is on screen now; null for none (the ticket names 0). */
  showingCampaign: () => number | null;
  /** Kiosk clock, Unix seconds. */
  nowS: () => number;
  startTimer: StartTimer;
  randomNonce?: () => Uint8Array;
  limits?: Partial<TicketIssuerLimits>;
  logger?: Logger;
  /** The QR ticket changed; null while none could be signed (a store failure before the first one). */
  onScreenTicket: (ticket: IssuedTicket | null) => void;
}

export class TicketIssuer {
  readonly limits: TicketIssuerLimits;
  private readonly options: TicketIssuerOptions;
  private readonly logger: Logger;
  private readonly randomNonce: () => Uint8Array;
  private block: TicketSeqBlock | null = null;
  private nextSeq = 0;
  private screenTicket: IssuedTicket | null = null;
  /** Tickets issued lately and not yet reported claimed, by ticketSeq, oldest first. */
  private readonly remembered = new Map<number, { ts: number; path: TicketPath }>();
  private cancelRotation: (() => void) | null = null;
  private cancelQuiet: (() => void) | null = null;
  private campaignCheckPending = false;
  private running = false;

  constructor(options: TicketIssuerOptions) {
    this.options = options;
    this.limits = { ...defaultTicketIssuerLimits, ...options.limits };
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'tickets' });
    this.randomNonce = options.randomNonce ?? (() => new Uint8Array(randomBytes(TICKET_NONCE_LENGTH)));
  }

  /** The ticket the screen shows now, if any. */
  get current(): IssuedTicket | null {
    return this.screenTicket;
  }

  /** Signs the first QR ticket and starts rotating. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.rotate();
  }

  stop(): void {
    this.running = false;
    this.cancelRotation?.();
    this.cancelRotation = null;
    this.cancelQuiet?.();
    this.cancelQuiet = null;
  }

  /**
   * The cloud says ticket `ticketSeq` was claimed (§5.7): the QR code is replaced if it showed it. Answers
   * the ticket when this kiosk issued it lately and hears of its claim for the first time; null for a
   * number it did not issue, issued too long ago (or before a restart), or already heard of.
   */
  claimed(ticketSeq: number): { ticketSeq: number; ts: number; path: TicketPath } | null {
    this.forgetOld();
    const issued = this.remembered.get(ticketSeq);
    this.remembered.delete(ticketSeq);
    if (this.running && this.screenTicket?.ticketSeq === ticketSeq) {
      this.logger.info({ ticketSeq }, 'QR ticket claimed; replacing it');
      this.rotate();
    }
    return issued === undefined ? null : { ticketSeq, ...issued };
  }

  /** The ad on screen changed: a QR ticket naming another campaign is replaced (at most once a second). */
  showingChanged(): void {
    if (!this.running || this.screenTicket === null) return;
    if (this.cancelQuiet !== null) {
      this.campaignCheckPending = true;
      return;
    }
    if (this.screenTicket.campaignId !== (this.options.showingCampaign() ?? 0)) this.rotate();
  }

  /**
   * A fresh ticket for the reader acting as an NFC tag (path 2), as its claim URL. Each call signs a new
   * ticket; the QR ticket is not affected. Throws only when the store cannot reserve sequence numbers.
   */
  issueTagTicket(): string {
    return this.issue(TicketPath.readerTag).url;
  }

  private rotate(): void {
    this.cancelRotation?.();
    this.cancelRotation = null;
    try {
      this.screenTicket = this.issue(TicketPath.screenQr);
      this.options.onScreenTicket(this.screenTicket);
    } catch (error) {
      // The store failed to reserve numbers: keep the last ticket (the cloud judges its age) and try again
      // at the next rotation; a screen that never had one shows none.
      this.logger.error({ err: error }, 'signing a claim ticket failed');
      if (this.screenTicket === null) this.options.onScreenTicket(null);
    }
    if (!this.running) return;
    this.cancelRotation = this.options.startTimer(() => this.rotate(), this.limits.rotationIntervalMs);
    this.cancelQuiet?.();
    this.campaignCheckPending = false;
    this.cancelQuiet = this.options.startTimer(() => {
      this.cancelQuiet = null;
      if (this.campaignCheckPending) {
        this.campaignCheckPending = false;
        this.showingChanged();
      }
    }, this.limits.campaignRotationMinIntervalMs);
  }

  private issue(path: TicketPath): IssuedTicket {
    const ticketSeq = this.takeSeq();
    const ts = this.options.nowS();
    const campaignId = this.options.showingCampaign() ?? 0;
    const { bytes } = signTicket(
      {
        screenId: this.options.screenId,
        ticketSeq,
        ts,
        campaignId,
        path,
        nonce: this.randomNonce(),
      },
      this.options.screenKey,
    );
    this.remembered.set(ticketSeq, { ts, path });
    this.forgetOld();
    return { url: ticketUrl(this.options.origin(), bytes), ticketSeq, ts, campaignId, path, bytes };
  }

  private forgetOld(): void {
    const oldest = this.options.nowS() - this.limits.rememberedMaxAgeS;
    for (const [seq, issued] of this.remembered) {
      // Numbers rise with time, so the map is in issue order: stop at the first one to keep.
      if (issued.ts >= oldest && this.remembered.size <= this.limits.rememberedMax) break;
      this.remembered.delete(seq);
    }
  }

  private takeSeq(): number {
    if (this.block === null || this.nextSeq > this.block.last) {
      // Reserved before use: a crash after this write can only skip numbers, never repeat one.
      this.block = this.options.reserveSeqs(this.limits.seqBlockSize);
      this.nextSeq = this.block.first;
    }
    return this.nextSeq++;
  }
}
