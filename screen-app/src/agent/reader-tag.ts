// The kiosk's PC/SC reader taking turns as an NFC Forum Type 4 tag (docs/tap-exchange.md §10, docs/kiosk.md
// §9): reader slices take wallet taps, tag slices serve one claim URL per phone that reads the tag. Tap
// polling is paused for a tag slice only once no tap is in progress, and a ticket is signed per SELECT of
// the NDEF application, so a tag slice with no phone in the field uses no ticket number.
import type { TagReadCounts } from '@redtap/shared';
import {
  ReaderModeScheduler,
  Type4Tag,
  systemTimers,
  tagModeRun,
  type PcscTapSource,
  type ReaderModeEvent,
  type ReaderModeRun,
  type TagSessionResult,
  type Timers,
} from '@redtap/tap-reader';
import type { Logger } from 'pino';

/**
 * The kiosk setting (REDTAP_READER_TAG): `auto` runs tag slices on a reader whose name says PN532/ACR122U,
 * `on` on any PC/SC reader that takes SCardControl, `off` never.
 */
export const READER_TAG_SETTINGS = ['auto', 'on', 'off'] as const;
export type ReaderTagSetting = (typeof READER_TAG_SETTINGS)[number];

export interface ReaderTagOptions {
  pcsc: PcscTapSource;
  setting: Exclude<ReaderTagSetting, 'off'>;
  /** A fresh claim URL (path 2); called once per phone session, may throw when none can be signed. */
  claimUrl: () => string;
  logger: Logger;
  /** The scheduler's and the tag sessions' clock (fake in tests). */
  timers?: Timers;
  readerSliceMs?: number;
  tagSliceMs?: number;
  onSession?: (result: TagSessionResult) => void;
  /** After this many reader errors in a row, tag slices leave the reader to taps for `suspendMs`. */
  readerErrorsMax?: number;
  suspendMs?: number;
}

/** A reader whose firmware or driver refuses target mode fails every session: stop lending it after 10. */
export const TAG_READER_ERRORS_MAX_DEFAULT = 10;
/** Then try again five minutes later (taps run through the tag slices meanwhile). */
export const TAG_SUSPEND_MS_DEFAULT = 300_000;

/** Resolves when the slice ends: reader mode is the PC/SC source polling on its own. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export class ReaderTag {
  readonly scheduler: ReaderModeScheduler;
  private readonly options: ReaderTagOptions;
  private readonly tag: Type4Tag;
  private readonly sessions: TagReadCounts['sessions'] = {};
  private completeReads = 0;
  private ticketsIssued = 0;
  private readerErrorsInRow = 0;
  private suspendedUntilMs: number | null = null;

  constructor(options: ReaderTagOptions) {
    this.options = options;
    this.tag = new Type4Tag({
      url: () => {
        // Called on SELECT of the NDEF application only: a phone is reading, so the number is well spent.
        const url = options.claimUrl();
        this.ticketsIssued += 1;
        return url;
      },
    });
    const reader: ReaderModeRun = (signal) => {
      options.pcsc.resume();
      return untilAborted(signal);
    };
    this.scheduler = new ReaderModeScheduler({
      modes: { reader, tag: (signal) => this.tagSlice(signal) },
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      ...(options.readerSliceMs === undefined ? {} : { readerSliceMs: options.readerSliceMs }),
      ...(options.tagSliceMs === undefined ? {} : { tagSliceMs: options.tagSliceMs }),
      onEvent: (event) => this.logEvent(event),
    });
  }

  /** Tag reads since start, for the heartbeat (docs/protocol.md §5.3). */
  counts(): TagReadCounts {
    return {
      sessions: { ...this.sessions },
      completeReads: this.completeReads,
      ticketsIssued: this.ticketsIssued,
      ticketFailures: this.tag.providerFailures,
    };
  }

  start(): void {
    this.scheduler.start();
  }

  /** Ends the slice and waits for its mode (a tap or tag read in progress finishes); polling resumes. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    this.options.pcsc.resume();
  }

  /** Whether tag slices leave the reader to taps after repeated reader errors. */
  get suspended(): boolean {
    return this.suspendedUntilMs !== null;
  }

  private async tagSlice(signal: AbortSignal): Promise<unknown> {
    const { pcsc } = this.options;
    const nowMs = (this.options.timers ?? systemTimers).now();
    if (this.suspendedUntilMs !== null && nowMs >= this.suspendedUntilMs) this.suspendedUntilMs = null;
    const link =
      this.suspendedUntilMs === null ? pcsc.tagLink({ anyReader: this.options.setting === 'on' }) : null;
    // No reader to lend: taps go on through the tag slice.
    if (link === null) {
      pcsc.resume();
      return untilAborted(signal);
    }
    // Waits for a tap in progress: the slice's time is spent, never the tap.
    await pcsc.pause();
    if (signal.aborted) return null;
    try {
      const timers = this.options.timers;
      const run = tagModeRun(
        { transmit: link.transmit, tag: this.tag, ...(timers === undefined ? {} : { timers }) },
        (result) => this.recordSession(link.readerName, result),
      );
      return await run(signal);
    } finally {
      await link.release();
    }
  }

  private recordSession(readerName: string, result: TagSessionResult): void {
    this.sessions[result.outcome] = (this.sessions[result.outcome] ?? 0) + 1;
    this.completeReads += result.completeReads;
    const { logger } = this.options;
    this.readerErrorsInRow = result.outcome === 'reader-error' ? this.readerErrorsInRow + 1 : 0;
    if (this.readerErrorsInRow >= (this.options.readerErrorsMax ?? TAG_READER_ERRORS_MAX_DEFAULT)) {
      const suspendMs = this.options.suspendMs ?? TAG_SUSPEND_MS_DEFAULT;
      this.suspendedUntilMs = (this.options.timers ?? systemTimers).now() + suspendMs;
      this.readerErrorsInRow = 0;
      logger.error(
        { reader: readerName, message: result.message, suspendMs },
        'the reader keeps failing as a tag; taps only until it is tried again',
      );
    }
    const fields = {
      reader: readerName,
      outcome: result.outcome,
      readSessions: result.readSessions,
      completeReads: result.completeReads,
      exchanges: result.exchanges,
      totalMs: Math.round(result.totalMs),
    };
    // The first failure of a run is a warning; the rest of the run is in the debug log and the counts.
    if (result.outcome === 'reader-error' && this.readerErrorsInRow === 1)
      logger.warn({ ...fields, message: result.message }, 'tag session failed');
    else if (result.outcome === 'reader-error')
      logger.debug({ ...fields, message: result.message }, 'tag session failed');
    else if (result.readSessions > 0) logger.info(fields, 'tag read');
    else logger.debug(fields, 'tag session');
    try {
      this.options.onSession?.(result);
    } catch (error) {
      logger.error({ err: error }, 'tag session listener threw');
    }
  }

  private logEvent(event: ReaderModeEvent): void {
    const { logger } = this.options;
    if (event.type === 'slice.overrun')
      logger.warn({ mode: event.mode, overrunMs: event.overrunMs }, 'reader slice overran');
    else if (event.type === 'mode.error')
      logger.error({ mode: event.mode, message: event.message }, 'reader mode failed');
  }
}
