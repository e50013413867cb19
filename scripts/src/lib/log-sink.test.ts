// `npm start` prints its addresses and logins once the start-up lines have stopped: whenQuiet waits for a
// pause in what the console shows, within a bound.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogSink } from './log-sink.ts';

describe('createLogSink().whenQuiet', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits until lines stop for the quiet period, and no longer than its bound', async () => {
    vi.useFakeTimers();
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const sink = createLogSink({ json: true, level: 'info' });
      let quiet = false;
      void sink.whenQuiet(1_000, 60_000).then(() => (quiet = true));
      for (let second = 0; second < 5; second += 1) {
        await vi.advanceTimersByTimeAsync(600);
        sink.writeLine(JSON.stringify({ level: 30, msg: `kiosk line ${second}` }));
      }
      expect(quiet).toBe(false);
      await vi.advanceTimersByTimeAsync(1_100);
      expect(quiet).toBe(true);

      let bounded = false;
      void sink.whenQuiet(1_000, 2_000).then(() => (bounded = true));
      for (let step = 0; step < 5; step += 1) {
        sink.logger.info(`cloud line ${step}`);
        await vi.advanceTimersByTimeAsync(500);
      }
      expect(bounded).toBe(true);
      await sink.close();
    } finally {
      written.mockRestore();
    }
  });
});
