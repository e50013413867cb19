// A FIFO per key served round-robin, with a bound per key and one in total: one screen flooding its
// topic fills only its own queue, and every other screen's next message is served after at most one
// message of each busy screen (docs/reliability.md).

export class FairQueue<K, T> {
  private readonly queues = new Map<K, T[]>();
  /** Keys with something queued, in the order they are served next. */
  private readonly rotation: K[] = [];
  private size = 0;
  private readonly perKeyMax: number;
  private readonly totalMax: number;

  constructor(limits: { perKeyMax: number; totalMax: number }) {
    this.perKeyMax = limits.perKeyMax;
    this.totalMax = limits.totalMax;
  }

  get length(): number {
    return this.size;
  }

  /** How many of `key`'s items wait. */
  countOf(key: K): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** False, and nothing queued, when the key's queue or the whole queue is full. */
  push(key: K, item: T, perKeyMax = this.perKeyMax): boolean {
    if (this.size >= this.totalMax) return false;
    let queue = this.queues.get(key);
    if ((queue?.length ?? 0) >= perKeyMax) return false;
    if (queue === undefined) {
      queue = [];
      this.queues.set(key, queue);
      this.rotation.push(key);
    }
    queue.push(item);
    this.size += 1;
    return true;
  }

  /** The item `shift` would return next. */
  peek(): T | undefined {
    const key = this.rotation[0];
    return key === undefined ? undefined : this.queues.get(key)?.[0];
  }

  /** The next item round-robin: the head of the key served longest ago. */
  shift(): T | undefined {
    const key = this.rotation.shift();
    if (key === undefined) return undefined;
    const queue = this.queues.get(key);
    const item = queue?.shift();
    if (queue !== undefined && queue.length > 0) this.rotation.push(key);
    else this.queues.delete(key);
    if (item !== undefined) this.size -= 1;
    return item;
  }

  /** Removes and returns everything, in service order. */
  drainAll(): T[] {
    const items: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }

  clear(): void {
    this.queues.clear();
    this.rotation.length = 0;
    this.size = 0;
  }
}
