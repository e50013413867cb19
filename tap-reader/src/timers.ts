// Injected clock and timers, so state machines run on fake time in tests.

export interface Timers {
  /** Monotonic milliseconds. */
  now: () => number;
  setTimeout: (callback: () => void, delayMs: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export interface Deadline {
  signal: AbortSignal;
  cancel: () => void;
}

/** An AbortSignal that aborts after `delayMs` (at once if it is ≤ 0). */
export function deadlineAfter(delayMs: number, timers: Timers): Deadline {
  const controller = new AbortController();
  if (delayMs <= 0) {
    controller.abort();
    return { signal: controller.signal, cancel: () => undefined };
  }
  const handle = timers.setTimeout(() => {
    controller.abort();
  }, delayMs);
  return { signal: controller.signal, cancel: () => timers.clearTimeout(handle) };
}

/** Resolves after `delayMs`, or rejects when the signal aborts first. */
export function delay(delayMs: number, timers: Timers = systemTimers, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(new Error('aborted'));
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
