// The reader's tag slices on their own, on hand-driven slice time: a reader that fails every tag session
// (its firmware or driver refuses target mode) is left to taps after a run of errors and tried again later.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PcscTapSource,
  VirtualNfc,
  VirtualPcscReader,
  type HelloDecision,
  type SignatureDecision,
  type TapHandler,
  type Timers,
} from '@redtap/tap-reader';
import { ManualTimers } from '../../test/manual-timers.ts';
import { ReaderTag } from './reader-tag.ts';

const refuseAll: TapHandler = {
  onHello: (): Promise<HelloDecision> => Promise.resolve({ kind: 'refuse', code: 'TEST' }),
  onSignature: (): Promise<SignatureDecision> => Promise.resolve({ kind: 'refuse', code: 'TEST' }),
};
const WAIT_MS = 10_000;
const FAILED = Uint8Array.of(0x63, 0x00);

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('ReaderTag', () => {
  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stop?.();
    stop = null;
  });

  it('leaves a reader that keeps failing as a tag to taps, then tries it again', async () => {
    const clock = new ManualTimers();
    const timers: Timers = {
      now: () => clock.nowMs,
      setTimeout: (callback, delayMs) => clock.start(callback, delayMs),
      clearTimeout: (handle) => (handle as () => void)(),
    };
    const reader = new VirtualPcscReader();
    const pcsc = new PcscTapSource({
      handler: refuseAll,
      logger: pino({ level: 'silent' }),
      probe: () => Promise.resolve(true),
      createNfc: () => new VirtualNfc([reader]),
    });
    let urls = 0;
    const tag = new ReaderTag({
      pcsc,
      setting: 'auto',
      claimUrl: () => `https://claim.example/claim?t=${++urls}`,
      logger: pino({ level: 'silent' }),
      timers,
      readerErrorsMax: 3,
      suspendMs: 60_000,
    });
    stop = async () => {
      await tag.stop();
      await pcsc.stop();
    };
    await pcsc.start();
    await eventually(() => pcsc.readers().length === 1, 'the reader');
    tag.start();
    // Every SetParameters fails: three sessions in a row end as reader errors.
    reader.pn532.injectReplies(FAILED, FAILED, FAILED);
    clock.advance(1500);
    await eventually(() => tag.counts().sessions['reader-error'] === 1, 'the first reader error');
    for (let error = 2; error <= 3; error++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(50);
      await eventually(() => tag.counts().sessions['reader-error'] === error, `reader error ${error}`);
    }
    expect(tag.suspended).toBe(true);
    // Suspended: the tag slices leave the reader alone and taps are not paused.
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(50);
    await eventually(() => !pcsc.isPaused, 'taps to resume');
    const connections = reader.directConnections;
    for (let round = 0; round < 3; round++) {
      clock.advance(1000);
      await eventually(() => tag.scheduler.mode === 'reader', 'a reader slice');
      clock.advance(1500);
      await eventually(() => tag.scheduler.mode === 'tag', 'a tag slice');
      await new Promise((resolve) => setImmediate(resolve));
      expect(pcsc.isPaused).toBe(false);
    }
    expect(reader.directConnections).toBe(connections);
    // Past the pause the reader is lent again, and a phone reads the tag.
    clock.advance(60_000);
    await eventually(() => tag.scheduler.mode === 'tag', 'a tag slice after the pause');
    if (!reader.pn532.waitingForPhone) {
      clock.advance(1000);
      await eventually(() => tag.scheduler.mode === 'reader', 'a reader slice');
      clock.advance(1500);
    }
    await eventually(() => reader.pn532.waitingForPhone, 'the tag to be served again');
    expect(tag.suspended).toBe(false);
    const read = await reader.pn532.readAsPhone();
    expect(read).toMatchObject({ ok: true, value: { url: 'https://claim.example/claim?t=1' } });
    expect(tag.counts()).toMatchObject({ ticketsIssued: 1, ticketFailures: 0 });
  });
});
