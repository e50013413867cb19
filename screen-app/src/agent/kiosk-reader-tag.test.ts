// The PC/SC reader taking turns as a Type 4 tag in a real kiosk agent on a real embedded cloud
// (docs/tap-exchange.md §10.5, docs/kiosk.md §9): an ACR122U stand-in holds an HCE wallet phone in reader
// slices and a virtual PN532 in tag slices, on hand-driven slice time. Taps commit as without tag slices,
// a slice never cuts one, a phone that comes during a tag slice is served at the next reader slice, each
// NDEF read gets a fresh path-2 ticket signed by the screen, and tag slices with no phone use no number.
import {
  HeartbeatEvent,
  importPublicKeyRaw,
  ticketFromUrl,
  TicketPath,
  verifyTicketSignature,
} from '@redtap/shared';
import {
  VirtualNfc,
  VirtualPcscReader,
  VirtualPhone,
  type ExchangeResult,
  type TagSessionResult,
  type TapEvent,
  type Timers,
} from '@redtap/tap-reader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrolledAgent, stopEnrolledAgent, type EnrolledAgent } from '../../test/agent-harness.ts';
import { activeCampaign, registerWallet } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import { Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { lastCommittedCounter } from '../store/tap-queries.ts';
import { heartbeatEvent } from '../sync/screen-events.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import type { KioskAgent } from './kiosk-agent.ts';

const AMOUNT_FEN = 66;
const READER_SLICE_MS = 1500;
const TAG_SLICE_MS = 1000;
/** The scheduler's pause before a mode that returned early runs again (reader-modes.ts). */
const RESTART_DELAY_MS = 50;
/** Bound on waiting for the agent's promises to move after the slice clock does (a loaded machine). */
const SETTLE_MS = 15_000;

/** Waits for `condition`, yielding to the event loop between checks; fails after `SETTLE_MS`. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a kiosk reader alternating between wallet taps and a Type 4 tag', () => {
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();
  const taps = new Waiter<ExchangeResult>();
  const sessions = new Waiter<TagSessionResult>();
  const clock = new ManualTimers();
  const timers: Timers = {
    now: () => clock.nowMs,
    setTimeout: (callback, delayMs) => clock.start(callback, delayMs),
    clearTimeout: (handle) => (handle as () => void)(),
  };
  const reader = new VirtualPcscReader();
  const pn532 = reader.pn532;
  let running: EnrolledAgent | undefined;
  let agent: KioskAgent;
  let pn532CommandsAtTap: number[] = [];

  beforeAll(async () => {
    running = await startEnrolledAgent({
      screenName: 'Reader tag',
      dataDir: dir.dir,
      events,
      screen,
      agentOptions: {
        reader: 'pcsc',
        readerTag: 'auto',
        // No timed QR rotation: the QR code takes a number only when another campaign comes on screen.
        ticketLimits: { rotationIntervalMs: 86_400_000 },
        readerOptions: {
          pcscCreateNfc: () => new VirtualNfc([reader]),
          pcscProbe: () => Promise.resolve(true),
          tagTimers: timers,
          readerSliceMs: READER_SLICE_MS,
          tagSliceMs: TAG_SLICE_MS,
          onTagSession: sessions.push,
        },
      },
    });
    agent = running.agent;
    agent.tapSource?.on((event: TapEvent) => {
      if (event.type !== 'tap') return;
      pn532CommandsAtTap = [...pn532.commands];
      taps.push(event.result);
    });
    const { campaignId } = await activeCampaign(running.cloud.call, {
      city: 'Shanghai',
      amountFen: AMOUNT_FEN,
      count: 20,
    });
    await events.until(
      () =>
        agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
        deckLevels(agent.store, Math.floor(Date.now() / 1000)).some((deck) => deck.campaignId === campaignId),
      'the campaign config and its deck',
    );
    await eventually(() => agent.tapSource?.readers().length === 1, 'the ACR122U to attach');
  }, 60_000);

  afterAll(async () => {
    await stopEnrolledAgent(running);
    dir.cleanup();
  });

  async function walletPhone(): Promise<{ phone: VirtualPhone; walletId: number }> {
    if (running === undefined) throw new Error('no agent');
    const wallet = await registerWallet(running.cloud.call);
    return {
      phone: new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }),
      walletId: wallet.walletId,
    };
  }

  /** Moves slice time on to the next slice's start and waits until it is running. */
  async function nextSlice(mode: 'reader' | 'tag', advanceMs: number): Promise<void> {
    clock.advance(advanceMs);
    await eventually(
      () => agent.readerTag?.scheduler.mode === mode && (mode === 'reader' || pn532.waitingForPhone),
      `the ${mode} slice`,
    );
  }

  /** Numbers of the QR tickets the screen showed (it re-issues one when another campaign comes on screen). */
  function qrTicketSeqs(): Set<number> {
    const seqs = new Set<number>();
    for (const event of screen.seen) {
      if (event.channel !== 'state' || typeof event.payload.ticketUrl !== 'string') continue;
      const read = ticketFromUrl(event.payload.ticketUrl);
      if (read.ok) seqs.add(read.value.ticket.ticketSeq);
    }
    const current = agent.tickets?.current?.ticketSeq;
    if (current !== undefined) seqs.add(current);
    return seqs;
  }

  /** Every number between two tag tickets went to the QR code: none was spent by the tag meanwhile. */
  function expectOnlyQrTicketsBetween(before: number, after: number): void {
    expect(after).toBeGreaterThan(before);
    const qr = qrTicketSeqs();
    for (let seq = before + 1; seq < after; seq++)
      expect(qr.has(seq), `ticket ${seq} on the QR code`).toBe(true);
  }

  function ticketsIssued(): number {
    return agent.readerTag?.counts().ticketsIssued ?? -1;
  }

  async function readTag(): Promise<{ seq: number; url: string }> {
    const read = await pn532.readAsPhone();
    if (!read.ok) throw new Error(`the phone could not read the tag: ${read.code}`);
    await sessions.next((result) => result.outcome === 'released', 'the tag session to end');
    // The session hands the reader back, then the scheduler sets its restart pause on the slice clock: one
    // turn of the event loop after the connection closes, every promise of that chain has run.
    await eventually(() => !reader.directConnected, 'the tag connection to close');
    await new Promise((resolve) => setImmediate(resolve));
    const ticket = ticketFromUrl(read.value.url);
    if (!ticket.ok) throw new Error(`not a claim URL: ${read.value.url}`);
    expect(ticket.value.ticket).toMatchObject({
      screenId: agent.identity.screenId,
      path: TicketPath.readerTag,
    });
    const key = importPublicKeyRaw(agent.identity.publicKey);
    expect(key.ok && verifyTicketSignature(ticket.value.bytes, key.value)).toBe(true);
    return { seq: ticket.value.ticket.ticketSeq, url: read.value.url };
  }

  it('runs tag slices by default on a reader that reports an ACR122U', () => {
    expect(agent.readerTag).not.toBeNull();
    expect(agent.readerTag?.scheduler.mode).toBe('reader');
    expect(pn532.commands).toEqual([]);
  });

  it('finishes a tap in progress before the tag slice takes the reader, and commits it', async () => {
    const { phone, walletId } = await walletPhone();
    reader.present(phone);
    // The reader slice ends while the exchange runs: the tag slice waits for it.
    clock.advance(READER_SLICE_MS);
    const tap = await taps.next(() => true, 'the tap');
    reader.remove();
    expect(tap).toMatchObject({ outcome: 'completed', committed: true, walletId });
    expect(phone.receipts).toHaveLength(1);
    expect(pn532CommandsAtTap).toEqual([]);
    await eventually(() => pn532.waitingForPhone, 'the reader to wait as a tag');
    expect(reader.directConnected).toBe(true);
    expect(ticketsIssued()).toBe(0);
  });

  it('gives each NDEF read a fresh path-2 ticket and uses none while no phone is in the field', async () => {
    const first = await readTag();
    expect(ticketsIssued()).toBe(1);
    // The session ended; the scheduler runs the tag again within the slice.
    await nextSlice('tag', RESTART_DELAY_MS);
    const second = await readTag();
    expectOnlyQrTicketsBetween(first.seq, second.seq);
    expect(second.url).not.toBe(first.url);

    // Three rounds of slices with nobody at the screen.
    const used = ticketsIssued();
    await nextSlice('reader', TAG_SLICE_MS - RESTART_DELAY_MS);
    expect(reader.directConnected).toBe(false);
    for (let round = 0; round < 3; round++) {
      await nextSlice('tag', READER_SLICE_MS);
      await nextSlice('reader', TAG_SLICE_MS);
    }
    expect(ticketsIssued()).toBe(used);
    expect(agent.readerTag?.counts().sessions['no-phone']).toBeGreaterThanOrEqual(3);

    await nextSlice('tag', READER_SLICE_MS);
    const third = await readTag();
    expectOnlyQrTicketsBetween(second.seq, third.seq);
    expect(ticketsIssued()).toBe(used + 1);
  });

  it('serves a wallet phone that comes during a tag slice at the next reader slice', async () => {
    expect(agent.readerTag?.scheduler.mode).toBe('tag');
    const { phone, walletId } = await walletPhone();
    const tapsBefore = taps.seen.length;
    reader.present(phone);
    // Nothing is exchanged while the reader is a tag.
    await new Promise((resolve) => setImmediate(resolve));
    expect(taps.seen).toHaveLength(tapsBefore);
    expect(phone.receipts).toHaveLength(0);
    clock.advance(TAG_SLICE_MS);
    const tap = await taps.next(() => true, 'the tap held over from the tag slice');
    reader.remove();
    expect(tap).toMatchObject({ outcome: 'completed', committed: true, walletId });
    expect(phone.receipts).toHaveLength(1);
    expect(lastCommittedCounter(agent.store)).toBe(2);
  });

  it('counts tag sessions by outcome for the heartbeat', () => {
    const counts = agent.readerTag?.counts();
    expect(counts).toMatchObject({ completeReads: 3, ticketsIssued: 3, ticketFailures: 0 });
    expect(counts?.sessions.released).toBe(3);
    const heartbeat = heartbeatEvent(agent.store, Math.floor(Date.now() / 1000), 'test', 1, counts ?? null);
    expect(HeartbeatEvent.parse(heartbeat).tagReads).toEqual(counts);
  });
});
