// Which tap source the kiosk runs: the PC/SC reader, the in-process simulated reader (demos, the phone
// simulator, tests) or none. A PC/SC source that cannot reach pcscd is logged and retried, never fatal;
// after the driver gives up, the source is restarted after a pause.
import {
  PcscTapSource,
  SIMULATED_READER_NAMES,
  SimulatedTapSource,
  type TapEvent,
  type TapHandler,
  type TapSource,
} from '@redtap/tap-reader';
import type { Logger } from 'pino';

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
}

export const PCSC_RESTART_AFTER_MS = 60_000;
/** While pcscd stays away, repeat the error every this many attempts (about 5 min at the 5 s cap). */
const PCSC_UNAVAILABLE_LOG_EVERY = 60;

export interface ReaderSource {
  choice: ReaderChoice;
  source: TapSource | null;
  /** Only for `simulated`: present virtual phones on it. */
  simulator: SimulatedTapSource | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createReaderSource(
  choice: ReaderChoice,
  handler: TapHandler,
  logger: Logger,
  options: ReaderSourceOptions = {},
): ReaderSource {
  const budget = options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs };
  if (choice === 'none')
    return {
      choice,
      source: null,
      simulator: null,
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
    start: async () => {
      running = true;
      await pcsc.start();
    },
    stop: async () => {
      running = false;
      if (restart !== null) clearTimeout(restart);
      restart = null;
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
