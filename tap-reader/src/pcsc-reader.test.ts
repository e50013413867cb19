// PC/SC source lifecycle against a fake nfc-pcsc: pcscd missing at start, failing, readers leaving.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PcscTapSource } from './pcsc-reader.ts';
import type { TapEvent } from './types.ts';
import { createKiosk } from '../test/fixtures.ts';

class FakeReader extends EventEmitter {
  autoProcessing = true;
  readonly name: string;
  constructor(name: string) {
    super();
    this.name = name;
  }
  transmit(): Promise<Buffer> {
    return Promise.reject(new Error('no card'));
  }
  close(): void {
    this.emit('closed');
  }
}

class FakeNfc extends EventEmitter {
  close(): void {
    this.emit('closed');
  }
}

describe('PcscTapSource lifecycle', () => {
  it('retries with backoff while pcscd is missing, then attaches readers; reconnects after a failure', async () => {
    let pcscdUp = false;
    const nfcs: FakeNfc[] = [];
    const events: TapEvent[] = [];
    const source = new PcscTapSource({
      handler: createKiosk(),
      logger: pino({ level: 'silent' }),
      probe: () => Promise.resolve(pcscdUp),
      createNfc: () => {
        const nfc = new FakeNfc();
        nfcs.push(nfc);
        return nfc;
      },
      retryInitialMs: 1,
      retryMaxMs: 4,
      random: () => 1,
    });
    const next = (type: TapEvent['type']): Promise<void> =>
      new Promise((resolve) => {
        const off = source.on((event) => {
          if (event.type !== type) return;
          off();
          resolve();
        });
      });
    source.on((event) => events.push(event));
    const unavailable = next('source.unavailable');
    await source.start();
    await unavailable;
    const ready = next('source.ready');
    pcscdUp = true;
    await ready;
    const retries = events.filter((event) => event.type === 'source.unavailable');
    expect(retries[0]).toMatchObject({ code: 'PCSC_UNAVAILABLE', attempt: 1, retryInMs: 1 });
    expect(retries.every((event) => event.retryInMs <= 4)).toBe(true);

    const reader = new FakeReader('Reader A');
    nfcs[0]!.emit('reader', reader);
    expect(reader.autoProcessing).toBe(false);
    expect(source.readers()).toEqual([{ name: 'Reader A', state: 'empty' }]);
    reader.emit('end');
    expect(source.readers()).toEqual([]);

    const again = next('source.ready');
    nfcs[0]!.emit('reader', new FakeReader('Reader B'));
    nfcs[0]!.emit('error', new Error('SCardGetStatusChange error: RPC transport error.(0x80100013)'));
    expect(source.readers()).toEqual([]);
    await again;
    expect(nfcs).toHaveLength(2);
    await source.stop();
  });

  it('gives up after the bounded number of attempts and says so', async () => {
    const source = new PcscTapSource({
      handler: createKiosk(),
      logger: pino({ level: 'silent' }),
      probe: () => Promise.resolve(false),
      retryInitialMs: 1,
      retryMaxMs: 1,
      retryAttemptsMax: 3,
    });
    const gaveUp = new Promise<TapEvent>((resolve) => {
      source.on((event) => {
        if (event.type === 'source.gave-up') resolve(event);
      });
    });
    await source.start();
    expect(await gaveUp).toMatchObject({ attempts: 3, code: 'PCSC_UNAVAILABLE' });
    await source.stop();
  });
});
