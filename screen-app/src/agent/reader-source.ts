// Which tap source the kiosk runs: the PC/SC reader, the in-process simulated reader (demos, the phone
// simulator, tests) or none. A PC/SC source that cannot reach pcscd is logged and retried, never fatal;
// after the driver gives up, the source is restarted after a pause.
import {
  PcscTapSource,
  SIMULATED_READER_NAMES,
  SimulatedTapSource,
  type Nfc,
  type TagSessionResult,
  type TapEvent,
  type TapHandler,
  type TapSource,
  type Timers,
} from '@redtap/tap-reader';
import type { Logger } from 'pino';
import { ReaderTag, type ReaderTagSetting } from './reader-tag.ts';

export const READER_CHOICES = ['simulated', 'pcsc', 'none'] as const;
export type ReaderChoice = (typeof READER_CHOICES)[number];

export interface ReaderSourceOptions {
  /** Simulated reader names (default: tap-reader's two). */
  simulatedReaderNames?: readonly string[];
  /** Exchange budget from card present to commit (default 500 ms, docs/tap-exchange.md §3). */
  budgetMs?: number;
  /** Where pcscd listens (default /run/pcscd/pcscd.comm). */
  pcscdSocketPath?: string;
  pcscRetryInitialMs?: number;
  pcscRetryMaxMs?: number;
  pcscRetryAttemptsMax?: number;
  /** After the PC/SC driver gives up, the kiosk starts it again this much later. */
  pcscRestartAfterMs?: number;
  /** Test seams of the PC/SC source: a stand-in for nfc-pcsc and for the pcscd probe. */
  pcscCreateNfc?: () => Nfc;
  pcscProbe?: () => Promise<boolean>;
  /** Clock of the reader/tag slices and of tag sessions (fake in tests). */
  tagTimers?: Timers;
  readerSliceMs?: number;
  tagSliceMs?: number;
  onTagSession?: (result: TagSessionResult) => void;
}

/** The reader as a Type 4 tag (docs/tap-exchange.md §10): the setting and the claim URL per phone session. */
export interface ReaderTagWiring {
  setting: ReaderTagSetting;
  claimUrl: () => string;
}

export const PCSC_RESTART_AFTER_MS = 60_000;
/** While pcscd stays away, repeat the error every this many attempts (about 5 min at the 5 s cap). */
const PCSC_UNAVAILABLE_LOG_EVERY = 60;

export interface ReaderSource {
  choice: ReaderChoice;
  source: TapSource | null;
  /** Only for `simulated`: present virtual phones on it. */
  simulator: SimulatedTapSource | null;
  /** Only for `pcsc` with the tag setting not `off`: the reader's turns as a Type 4 tag. */
  readerTag: ReaderTag | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createReaderSource(
  choice: ReaderChoice,
  handler: TapHandler,
  logger: Logger,
  options: ReaderSourceOptions = {},
  tag: ReaderTagWiring | null = null,
): ReaderSource {
  const budget = options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs };
  if (choice === 'none')
    return {
      choice,
      source: null,
      simulator: null,
      readerTag: null,
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
  if (choice === 'simulated') {
    const simulator = new SimulatedTapSource({
      handler,
      readerNames: options.simulatedReaderNames ?? SIMULATED_READER_NAMES,
      logger,
      ...budget,
    });
    return {
      choice,
      source: simulator,
      simulator,
      readerTag: null,
      start: () => simulator.start(),
      stop: () => simulator.stop(),
    };
  }
  const pcsc = new PcscTapSource({
    handler,
    logger,
    ...budget,
    ...(options.pcscdSocketPath === undefined ? {} : { pcscdSocketPath: options.pcscdSocketPath }),
    ...(options.pcscRetryInitialMs === undefined ? {} : { retryInitialMs: options.pcscRetryInitialMs }),
    ...(options.pcscRetryMaxMs === undefined ? {} : { retryMaxMs: options.pcscRetryMaxMs }),
    ...(options.pcscRetryAttemptsMax === undefined ? {} : { retryAttemptsMax: options.pcscRetryAttemptsMax }),
    ...(options.pcscCreateNfc === undefined ? {} : { createNfc: options.pcscCreateNfc }),
    ...(options.pcscProbe === undefined ? {} : { probe: options.pcscProbe }),
  });
  const readerTag =
    tag === null || tag.setting === 'off'
      ? null
      : new ReaderTag({
          pcsc,
          setting: tag.setting,
          claimUrl: tag.claimUrl,
          logger,
          ...(options.tagTimers === undefined ? {} : { timers: options.tagTimers }),
          ...(options.readerSliceMs === undefined ? {} : { readerSliceMs: options.readerSliceMs }),
          ...(options.tagSliceMs === undefined ? {} : { tagSliceMs: options.tagSliceMs }),
          ...(options.onTagSession === undefined ? {} : { onSession: options.onTagSession }),
        });
  let restart: NodeJS.Timeout | null = null;
  let running = false;
  const offHealth = pcsc.on((event) => {
    if (event.type !== 'source.gave-up' || !running) return;
    const afterMs = options.pcscRestartAfterMs ?? PCSC_RESTART_AFTER_MS;
    logger.error({ afterMs }, 'the PC/SC reader gave up; restarting it later');
    restart = setTimeout(() => {
      restart = null;
      if (running)
        pcsc.start().catch((error: unknown) => logger.error({ err: error }, 'restarting PC/SC failed'));
    }, afterMs);
    restart.unref();
  });
  return {
    choice,
    source: pcsc,
    simulator: null,
    readerTag,
    start: async () => {
      running = true;
      await pcsc.start();
      readerTag?.start();
    },
    stop: async () => {
      running = false;
      if (restart !== null) clearTimeout(restart);
      restart = null;
      // The slice in progress ends first: a tap or tag read under way finishes, then the reader closes.
      await readerTag?.stop();
      await pcsc.stop();
      offHealth();
    },
  };
}

/** Reader health in the kiosk's log; a missing pcscd says how to fix it. */
export function logReaderEvent(event: TapEvent, logger: Logger): void {
  switch (event.type) {
    case 'source.ready':
      logger.info('tap reader ready');
      return;
    case 'source.unavailable':
      if (event.attempt === 1 || event.attempt % PCSC_UNAVAILABLE_LOG_EVERY === 0)
        logger.error(
          { code: event.code, attempt: event.attempt, retryInMs: event.retryInMs },
          `tap reader unavailable: ${event.message}; retrying (taps are not taken until it is back)`,
        );
      return;
    case 'reader.attached':
      logger.info({ reader: event.readerName }, 'reader attached');
      return;
    case 'reader.detached':
      logger.warn({ reader: event.readerName }, 'reader detached');
      return;
    case 'reader.error':
      logger.warn({ reader: event.readerName, message: event.message }, 'reader error');
      return;
    case 'tap':
      logger.info(
        {
          reader: event.result.readerName,
          outcome: event.result.outcome,
          code: event.result.code,
          walletId: event.result.walletId,
          totalMs: Math.round(event.result.totalMs * 10) / 10,
        },
        'tap',
      );
      return;
    default:
      return;
  }
}
