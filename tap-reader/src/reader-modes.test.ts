// The mode scheduler on fake time: slices alternate with their lengths, a mode that returns early is
// restarted with a pause, one that throws or overruns is reported, stop() waits for the mode, and a
// phone that comes during the reader slice is served by the next tag slice.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReaderModeScheduler, tagModeRun, type ReaderModeEvent, type ReaderModeRun } from './reader-modes.ts';
import type { TagSessionResult } from './pn532-target.ts';
import { Type4Tag } from './type4-tag.ts';
import { VirtualPn532 } from './virtual-pn532.ts';

/** Runs until its slice ends, like HCE polling. */
const untilAborted: ReaderModeRun = (signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });

function record(): {
  events: (ReaderModeEvent & { atMs: number })[];
  onEvent: (event: ReaderModeEvent) => void;
} {
  const events: (ReaderModeEvent & { atMs: number })[] = [];
  return { events, onEvent: (event) => events.push({ ...event, atMs: performance.now() }) };
}

describe('reader mode scheduler', () => {
  let scheduler: ReaderModeScheduler | null = null;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(async () => {
    const stopping = scheduler?.stop();
    await vi.runAllTimersAsync();
    await stopping;
    scheduler = null;
    vi.useRealTimers();
  });

  it('alternates reader and tag slices of their own lengths, reader first', async () => {
    const { events, onEvent } = record();
    scheduler = new ReaderModeScheduler({
      modes: { reader: untilAborted, tag: untilAborted },
      readerSliceMs: 1500,
      tagSliceMs: 1000,
      onEvent,
    });
    scheduler.start();
    expect(scheduler.mode).toBe('reader');
    await vi.advanceTimersByTimeAsync(5000);
    const starts = events.filter((event) => event.type === 'slice.start');
    expect(starts.map((event) => [event.mode, Math.round(event.atMs)])).toEqual([
      ['reader', 0],
      ['tag', 1500],
      ['reader', 2500],
      ['tag', 4000],
      ['reader', 5000],
    ]);
    const ends = events.filter((event) => event.type === 'slice.end');
    expect(ends.map((event) => [event.mode, event.durationMs, event.runs, event.overrunMs])).toEqual([
      ['reader', 1500, 1, 0],
      ['tag', 1000, 1, 0],
      ['reader', 1500, 1, 0],
      ['tag', 1000, 1, 0],
    ]);
  });

  it('runs a mode that returns early again after the restart delay, never spinning', async () => {
    const { events, onEvent } = record();
    let tagRuns = 0;
    scheduler = new ReaderModeScheduler({
      modes: {
        reader: untilAborted,
        tag: () => {
          tagRuns += 1;
          return Promise.resolve();
        },
      },
      readerSliceMs: 100,
      tagSliceMs: 1000,
      restartDelayMs: 50,
      onEvent,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1100);
    const tagEnd = events.find((event) => event.type === 'slice.end' && event.mode === 'tag');
    // Runs at 0, 50, … 950 of the slice.
    expect(tagEnd).toMatchObject({ runs: 20, durationMs: 1000 });
    expect(tagRuns).toBe(20);
  });

  it('reports a mode that throws and carries on', async () => {
    const { events, onEvent } = record();
    scheduler = new ReaderModeScheduler({
      modes: { reader: untilAborted, tag: () => Promise.reject(new Error('SCardControl failed')) },
      readerSliceMs: 100,
      tagSliceMs: 100,
      restartDelayMs: 60,
      onEvent,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(450);
    const errors = events.filter((event) => event.type === 'mode.error');
    expect(errors).toHaveLength(4); // two per tag slice: at 0 and 60
    expect(errors[0]).toMatchObject({ mode: 'tag', message: 'SCardControl failed' });
    expect(events.filter((event) => event.type === 'slice.start').map((event) => event.mode)).toEqual([
      'reader',
      'tag',
      'reader',
      'tag',
      'reader',
    ]);
  });

  it('waits for a mode that overruns its slice, and says so', async () => {
    const { events, onEvent } = record();
    scheduler = new ReaderModeScheduler({
      modes: {
        // A tap exchange that was mid-commit when the slice ended: it takes 3 s more.
        reader: (signal) =>
          untilAborted(signal).then(() => new Promise<void>((resolve) => setTimeout(resolve, 3000))),
        tag: untilAborted,
      },
      readerSliceMs: 1000,
      tagSliceMs: 1000,
      overrunWarnMs: 2000,
      onEvent,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(3999);
    expect(scheduler.mode).toBe('reader');
    expect(events.find((event) => event.type === 'slice.overrun')).toMatchObject({
      mode: 'reader',
      overrunMs: 2000,
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(scheduler.mode).toBe('tag');
    expect(events.find((event) => event.type === 'slice.end')).toMatchObject({
      durationMs: 4000,
      overrunMs: 3000,
    });
  });

  it('stop() ends the slice and resolves once the mode has returned', async () => {
    const { events, onEvent } = record();
    scheduler = new ReaderModeScheduler({
      modes: { reader: untilAborted, tag: untilAborted },
      onEvent,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(200);
    await scheduler.stop();
    expect(scheduler.mode).toBeNull();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events.map((event) => event.type)).toEqual(['slice.start', 'slice.end']);
    expect(events[1]).toMatchObject({ mode: 'reader', durationMs: 200 });
  });

  it('serves a phone that arrives during the reader slice in the next tag slice', async () => {
    const pn532 = new VirtualPn532();
    const sessions: TagSessionResult[] = [];
    let ticket = 0;
    const tag = new Type4Tag({ url: () => `https://r.redtap.cn/claim?t=${++ticket}` });
    scheduler = new ReaderModeScheduler({
      modes: {
        reader: untilAborted,
        tag: tagModeRun({ transmit: pn532.transmit, tag }, (s) => sessions.push(s)),
      },
      readerSliceMs: 1500,
      tagSliceMs: 1000,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(100);
    let readAtMs: number | null = null;
    const read = pn532.readAsPhone().then((result) => {
      readAtMs = performance.now();
      return result;
    });
    await vi.advanceTimersByTimeAsync(1300);
    expect(readAtMs).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(await read).toMatchObject({ ok: true, value: { url: 'https://r.redtap.cn/claim?t=1' } });
    expect(readAtMs).toBe(1500);
    // The tag slice goes on waiting for the next phone, then yields to the reader.
    await vi.advanceTimersByTimeAsync(1000);
    expect(scheduler.mode).toBe('reader');
    expect(sessions.map((session) => session.outcome)).toEqual(['released', 'no-phone']);
    expect(pn532.waitingForPhone).toBe(false);
  });
});
