// PcscTapSource lending its reader to tag mode (docs/tap-exchange.md §10.5), against the ACR122U stand-in:
// pause() waits for a tap in progress and holds a card that comes meanwhile until resume(); the tag link
// speaks to the PN532 over SCardControl on a direct connection, and only on readers that report one.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createKiosk, createPhone } from '../test/fixtures.ts';
import { PcscTapSource, readerReportsPn532 } from './pcsc-reader.ts';
import { runTagSession } from './pn532-target.ts';
import { Type4Tag } from './type4-tag.ts';
import type { ExchangeResult } from './types.ts';
import { VirtualNfc, VirtualPcscReader } from './virtual-pcsc.ts';

const WAIT_MS = 10_000;

function sourceWith(readers: VirtualPcscReader[]): PcscTapSource {
  return new PcscTapSource({
    handler: createKiosk(),
    logger: pino({ level: 'silent' }),
    probe: () => Promise.resolve(true),
    createNfc: () => new VirtualNfc(readers),
  });
}

/** Yields to the event loop until `condition` holds; fails after WAIT_MS. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function attached(source: PcscTapSource, count: number): Promise<void> {
  return eventually(() => source.readers().length >= count, 'the readers');
}

function nextTap(source: PcscTapSource): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const off = source.on((event) => {
      if (event.type !== 'tap') return;
      off();
      resolve(event.result);
    });
  });
}

describe('PcscTapSource pause, resume and the tag link', () => {
  let source: PcscTapSource | null = null;
  afterEach(async () => {
    await source?.stop();
    source = null;
  });

  it('knows PN532 readers by name', () => {
    expect(readerReportsPn532('ACS ACR122U PICC Interface 00 00')).toBe(true);
    expect(readerReportsPn532('ACS ACR 38U-CCID 00 00')).toBe(false);
    expect(readerReportsPn532('Adafruit PN532 board')).toBe(true);
    expect(readerReportsPn532('SCM Microsystems SCL3711 (PN533)')).toBe(true);
    expect(readerReportsPn532('Virtual PCD 00 00')).toBe(false);
  });

  it('pauses only once the tap in progress has ended, and the tap completes', async () => {
    const reader = new VirtualPcscReader();
    source = sourceWith([reader]);
    await source.start();
    await attached(source, 1);
    const phone = createPhone();
    const order: string[] = [];
    const tap = nextTap(source).then((result) => {
      order.push('tap');
      return result;
    });
    reader.present(phone);
    expect(source.readers()).toEqual([{ name: reader.name, state: 'exchanging' }]);
    await source.pause().then(() => order.push('paused'));
    const result = await tap;
    expect(order).toEqual(['tap', 'paused']);
    expect(result).toMatchObject({ outcome: 'completed', committed: true });
    expect(phone.receipts).toHaveLength(1);
    expect(source.isPaused).toBe(true);
  });

  it('holds a card that comes during a pause and exchanges it at resume; one that left is forgotten', async () => {
    const reader = new VirtualPcscReader();
    source = sourceWith([reader]);
    await source.start();
    await attached(source, 1);
    await source.pause();
    const gone = createPhone();
    reader.present(gone);
    reader.remove();
    const held = createPhone();
    reader.present(held);
    expect(source.readers()).toEqual([{ name: reader.name, state: 'present' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.receipts).toHaveLength(0);
    const tap = nextTap(source);
    source.resume();
    expect(await tap).toMatchObject({ outcome: 'completed', committed: true });
    expect(held.receipts).toHaveLength(1);
    expect(gone.receipts).toHaveLength(0);
  });

  it('lends a PN532 reader as a Type 4 tag over a direct connection, and releases it', async () => {
    const other = new VirtualPcscReader({ name: 'Virtual PCD 00 00' });
    const acr = new VirtualPcscReader();
    source = sourceWith([other, acr]);
    await source.start();
    await attached(source, 2);
    const link = source.tagLink();
    expect(link?.readerName).toBe(acr.name);
    if (link === null) throw new Error('no tag link');
    await source.pause();
    let calls = 0;
    const tag = new Type4Tag({ url: () => `https://claim.example/claim?t=${++calls}` });
    const session = runTagSession({ transmit: link.transmit, tag });
    await eventually(() => acr.pn532.waitingForPhone, 'the PN532 to wait for a phone');
    expect(acr.directConnected).toBe(true);
    const read = await acr.pn532.readAsPhone();
    expect(read).toMatchObject({ ok: true, value: { url: 'https://claim.example/claim?t=1' } });
    expect(await session).toMatchObject({ outcome: 'released', readSessions: 1, completeReads: 1 });
    await link.release();
    expect(acr.directConnected).toBe(false);
    expect(other.directConnections).toBe(0);
    // `on` lends any reader that takes SCardControl; a name alone decides `auto`.
    expect(source.tagLink({ anyReader: true })?.readerName).toBe(other.name);
  });

  it('ends a wait for a phone when the link is released, so the next session can start', async () => {
    const acr = new VirtualPcscReader();
    source = sourceWith([acr]);
    await source.start();
    await attached(source, 1);
    const tag = new Type4Tag({ url: () => 'https://claim.example/claim?t=x' });
    const slice = new AbortController();
    const first = source.tagLink();
    if (first === null) throw new Error('no tag link');
    const waiting = runTagSession({ transmit: first.transmit, tag, signal: slice.signal });
    await eventually(() => acr.pn532.waitingForPhone, 'the PN532 to wait for a phone');
    slice.abort();
    expect(await waiting).toMatchObject({ outcome: 'no-phone', readSessions: 0 });
    await first.release();
    expect(acr.pn532.waitingForPhone).toBe(false);
    const second = source.tagLink();
    if (second === null) throw new Error('no tag link');
    const again = runTagSession({ transmit: second.transmit, tag });
    await eventually(() => acr.pn532.waitingForPhone, 'the PN532 to wait again');
    expect((await acr.pn532.readAsPhone()).ok).toBe(true);
    expect(await again).toMatchObject({ outcome: 'released', completeReads: 1 });
    await second.release();
    expect(tag.sessions).toBe(1);
  });
});
