// A small typed event hub shared by the tap sources, and a bounded wait for one event.
import type { TapEvent, TapEventListener, TapSource } from './types.ts';

export class TapEventHub {
  private readonly listeners = new Set<TapEventListener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.onListenerError = onListenerError;
  }

  on(listener: TapEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: TapEvent): void {
    for (const listener of [...this.listeners]) {
      // A broken listener must not take the reader loop down with it.
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

export type TapEventOf<T extends TapEvent['type']> = Extract<TapEvent, { type: T }>;

/** Resolves with the first event of `type` that matches, or rejects after `timeoutMs`. */
export function waitForTapEvent<T extends TapEvent['type']>(
  source: Pick<TapSource, 'on'>,
  type: T,
  predicate: (event: TapEventOf<T>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<TapEventOf<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = source.on((event) => {
      if (event.type !== type) return;
      const typed = event as TapEventOf<T>;
      if (!predicate(typed)) return;
      clearTimeout(timer);
      off();
      resolve(typed);
    });
  });
}
