// The loop every outbox dispatcher runs (screen configs, decks, broker identities, claim notices): a pass now and then, at once
// after a poke, straight on while a pass says there is more, and never two passes at a time. A pass
// that throws (the database away) is logged and tried again after the interval. `idle()` resolves
// after the next pass that found nothing to do, for tests and tools that wait for the outbox to drain.
import type { Logger } from 'pino';

export interface PollerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unreferenced: a poller never keeps a process alive by itself. */
export const nodeTimers: PollerTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What a pass found: work left over (run again at once), or none (wait for the interval or a poke). */
export type PassOutcome = 'more' | 'waiting' | 'idle';

export interface Poller {
  /** Asks for a pass soon (after new work was written); passes never overlap. */
  poke(): void;
  /** Resolves after the next pass that finds nothing to do. */
  idle(): Promise<void>;
  /** Stops the timer and waits for a running pass. */
  close(): Promise<void>;
}

export function startPoller(options: {
  /** Names the loop in its log lines. */
  name: string;
  /** Between passes when the last one found nothing, was waiting or failed. */
  intervalMs: number;
  pass: () => Promise<PassOutcome>;
  logger: Logger;
  timers?: PollerTimers;
}): Poller {
  const timers = options.timers ?? nodeTimers;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let timer: unknown;
  let waiters: (() => void)[] = [];

  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const schedule = (delayMs: number) => {
    if (closed) return;
    timers.clearTimeout(timer);
    timer = timers.setTimeout(run, delayMs);
  };
  function run(): void {
    if (closed) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = options
      .pass()
      .then((outcome) => {
        if (outcome === 'idle') wake();
        again ||= outcome === 'more';
      })
      .catch((error: unknown) => options.logger.error({ err: error }, `${options.name} pass failed`))
      .finally(() => {
        running = null;
        const next = again;
        again = false;
        schedule(next ? 0 : options.intervalMs);
      });
  }
  schedule(0);
  return {
    poke: () => run(),
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        run();
      }),
    close: async () => {
      closed = true;
      timers.clearTimeout(timer);
      await running;
      wake();
    },
  };
}

/** What a dispatcher's pass reports: rows it claimed, and how many of them failed (and back off). */
export interface ClaimedPassOutcome {
  claimed: number;
  failed: number;
}

/**
 * The poller of a dispatcher that claims batches of leased rows: a pass that claimed nothing is idle, one
 * whose rows all went through runs again at once (there may be more), and one with failures waits for the
 * interval (the failed rows back off). Failures are logged as a warning, work done at `doneLevel`.
 */
export function startClaimingPoller(options: {
  name: string;
  intervalMs: number;
  dispatch: () => Promise<ClaimedPassOutcome>;
  logger: Logger;
  timers?: PollerTimers;
  /** Logged with the outcome when some rows failed. */
  failedMessage: string;
  /** Logged with the outcome when rows were claimed and none failed. */
  doneMessage: string;
  doneLevel?: 'debug' | 'info';
}): Poller {
  return startPoller({
    name: options.name,
    intervalMs: options.intervalMs,
    logger: options.logger,
    ...(options.timers === undefined ? {} : { timers: options.timers }),
    pass: async () => {
      const outcome = await options.dispatch();
      if (outcome.failed > 0) options.logger.warn(outcome, options.failedMessage);
      else if (outcome.claimed > 0)
        options.logger[options.doneLevel ?? 'debug'](outcome, options.doneMessage);
      if (outcome.claimed === 0) return 'idle';
      return outcome.failed === 0 ? 'more' : 'waiting';
    },
  });
}
