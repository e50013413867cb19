// The kiosk's PC/SC reader taking turns as an NFC Forum Type 4 tag (docs/tap-exchange.md §10, docs/kiosk.md
// §9): reader slices take wallet taps, tag slices serve one claim URL per phone that reads the tag. Tap
// polling is paused for a tag slice only once no tap is in progress, and a ticket is signed per SELECT of
// the NDEF application, so a tag slice with no phone in the field uses no ticket number.
import type { TagReadCounts } from '@redtap/shared';
import {
  ReaderModeScheduler,
  Type4Tag,
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
}

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

  private async tagSlice(signal: AbortSignal): Promise<unknown> {
    const { pcsc } = this.options;
    const link = pcsc.tagLink({ anyReader: this.options.setting === 'on' });
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
    const fields = {
      reader: readerName,
      outcome: result.outcome,
      readSessions: result.readSessions,
      completeReads: result.completeReads,
      exchanges: result.exchanges,
      totalMs: Math.round(result.totalMs),
    };
    if (result.outcome === 'reader-error')
      logger.warn({ ...fields, message: result.message }, 'tag session failed');
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
