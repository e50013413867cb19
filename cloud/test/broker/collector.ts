// Collects items as they arrive and lets a test wait, with a bound, for one that matches; and the
// SUBACK codes of a subscription, for the ACL suites.
import type { MqttClient } from 'mqtt';

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
}

export class Collector<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  push = (item: T): void => {
    this.items.push(item);
    for (const waiter of this.waiters) {
      if (waiter.predicate(item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  };

  async waitFor(predicate: (item: T) => boolean, timeoutMs: number, what = 'item'): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return found;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter<T> | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        waiter = { predicate, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          reject(new Error(`no ${what} within ${timeoutMs} ms (have ${this.items.length})`));
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter !== undefined) this.waiters.delete(waiter);
    }
  }
}

/** Resolves when `emitter` emits `event`, rejects after `timeoutMs`. */
export async function nextEvent(
  emitter: {
    once(event: string, listener: () => void): unknown;
    off(event: string, listener: () => void): unknown;
  },
  event: string,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let listener: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      listener = resolve;
      emitter.once(event, listener);
      timer = setTimeout(() => {
        reject(new Error(`no '${event}' within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (listener !== undefined) emitter.off(event, listener);
  }
}

/** SUBACK return codes; mqtt.js rejects when any is a failure but keeps the packet on the error. */
export async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    return granted.map((grant) => grant.qos);
  } catch (error) {
    const codes = (error as { packet?: { granted?: unknown } }).packet?.granted;
    if (!Array.isArray(codes)) throw error;
    return codes as number[];
  }
}
