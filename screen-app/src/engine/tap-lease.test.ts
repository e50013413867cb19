import { describe, expect, it } from 'vitest';
import { TapLease, type StartTimer } from './tap-lease.ts';

function manualTimers() {
  const pending = new Map<number, { callback: () => void; delayMs: number }>();
  let next = 0;
  const startTimer: StartTimer = (callback, delayMs) => {
    const id = next++;
    pending.set(id, { callback, delayMs });
    return () => pending.delete(id);
  };
  const fire = (delayMs: number): void => {
    for (const [id, timer] of [...pending]) {
      if (timer.delayMs !== delayMs) continue;
      pending.delete(id);
      timer.callback();
    }
  };
  return { startTimer, fire, pending };
}

function lease(timers = manualTimers(), expired: number[] = []) {
  return new TapLease({
    leaseMs: 1000,
    waitMaxMs: 300,
    waitersMax: 2,
    startTimer: timers.startTimer,
    onExpired: (grant) => expired.push(grant),
  });
}

describe('TapLease', () => {
  it('grants at once when free and in FIFO order when held', async () => {
    const l = lease();
    const a = await l.acquire();
    expect(a).toBe(1);
    const b = l.acquire();
    const c = l.acquire();
    l.release(a ?? 0);
    expect(await b).toBe(2);
    l.release(2);
    expect(await c).toBe(3);
    expect(l.holds(3)).toBe(true);
  });

  it('bounds the queue and the wait', async () => {
    const timers = manualTimers();
    const l = lease(timers);
    await l.acquire();
    const waiting = l.acquire();
    void l.acquire();
    expect(await l.acquire()).toBeNull();
    timers.fire(300);
    expect(await waiting).toBeNull();
    expect(l.waiting).toBe(0);
  });

  it('expires a holder that never finishes and hands the lease on', async () => {
    const timers = manualTimers();
    const expired: number[] = [];
    const l = lease(timers, expired);
    const a = await l.acquire();
    const b = l.acquire();
    timers.fire(1000);
    expect(expired).toEqual([a]);
    expect(await b).toBe(2);
    // A late release by the expired holder changes nothing.
    l.release(a ?? 0);
    expect(l.holds(2)).toBe(true);
  });

  it('an aborted wait leaves the queue', async () => {
    const l = lease();
    await l.acquire();
    const controller = new AbortController();
    const waiting = l.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBeNull();
    expect(l.waiting).toBe(0);
  });
});
