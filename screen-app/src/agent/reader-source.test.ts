// Choosing the tap source: none and simulated start at once; a PC/SC source without pcscd logs a clear
// error, keeps retrying without crashing, and is restarted after the driver gives up.
import { describe, expect, it } from 'vitest';
import {
  waitForTapEvent,
  type HelloDecision,
  type SignatureDecision,
  type TapHandler,
} from '@redtap/tap-reader';
import { pino } from 'pino';
import { createReaderSource, logReaderEvent } from './reader-source.ts';

const refuseAll: TapHandler = {
  onHello: (): Promise<HelloDecision> => Promise.resolve({ kind: 'refuse', code: 'TEST' }),
  onSignature: (): Promise<SignatureDecision> => Promise.resolve({ kind: 'refuse', code: 'TEST' }),
};

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
  );
  return { logger, lines };
}

describe('createReaderSource', () => {
  it('runs no source for none, and a simulated reader with its presenter', async () => {
    const { logger } = capturingLogger();
    const none = createReaderSource('none', refuseAll, logger);
    await none.start();
    expect(none).toMatchObject({ choice: 'none', source: null, simulator: null });
    await none.stop();

    const simulated = createReaderSource('simulated', refuseAll, logger, { simulatedReaderNames: ['Demo'] });
    await simulated.start();
    expect(simulated.simulator?.readers()).toEqual([{ name: 'Demo', state: 'empty' }]);
    await simulated.stop();
  });

  it('says pcscd is missing, retries, and restarts the reader after it gives up', async () => {
    const { logger, lines } = capturingLogger();
    const pcsc = createReaderSource('pcsc', refuseAll, logger, {
      pcscdSocketPath: '/nonexistent/pcscd.comm',
      pcscRetryInitialMs: 5,
      pcscRetryMaxMs: 10,
      pcscRetryAttemptsMax: 2,
      pcscRestartAfterMs: 20,
    });
    const source = pcsc.source;
    if (source === null) throw new Error('expected a PC/SC source');
    const offLog = source.on((event) => logReaderEvent(event, logger));
    const gaveUp = waitForTapEvent(source, 'source.gave-up');
    await pcsc.start();
    await gaveUp;
    // Restarted after the pause: a fresh first attempt.
    await waitForTapEvent(source, 'source.unavailable', (event) => event.attempt === 1);
    await pcsc.stop();
    offLog();
    const errors = lines.filter((line) => line.level >= 50).map((line) => line.msg);
    expect(errors.some((msg) => msg.includes('pcscd is not running') && msg.includes('retrying'))).toBe(true);
    expect(errors).toContain('the PC/SC reader gave up; restarting it later');
  });
});
