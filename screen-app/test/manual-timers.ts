// Hand-driven time for state-machine tests: timers fire only when the test advances the clock.
import type { StartTimer } from '../src/engine/tap-lease.ts';

export class ManualTimers {
  nowMs = 0;
  private readonly pending = new Map<number, { dueMs: number; callback: () => void }>();
  private nextId = 1;

  readonly start: StartTimer = (callback, delayMs) => {
    const id = this.nextId++;
    this.pending.set(id, { dueMs: this.nowMs + delayMs, callback });
    return () => this.pending.delete(id);
  };

  get size(): number {
    return this.pending.size;
  }

  /** Moves time forward, firing due timers in order (bounded, so a timer loop cannot hang a test). */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (let fired = 0; fired < 100_000; fired++) {
      let nextId: number | undefined;
      let nextDueMs = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.pending) {
        if (timer.dueMs <= targetMs && timer.dueMs < nextDueMs) {
          nextId = id;
          nextDueMs = timer.dueMs;
        }
      }
      const timer = nextId === undefined ? undefined : this.pending.get(nextId);
      if (nextId === undefined || timer === undefined) break;
      this.pending.delete(nextId);
      this.nowMs = timer.dueMs;
      timer.callback();
    }
    this.nowMs = targetMs;
  }
}
