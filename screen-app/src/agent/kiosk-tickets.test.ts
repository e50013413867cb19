// Claim tickets through a real kiosk agent and embedded cloud (docs/kiosk.md §9): the screen state
// carries the QR ticket's URL on the cloud's origin, signed by the enrolled key; the cloud's claimed
// message over the broker (and its ACL) replaces it at once; a restarted agent never repeats a number.
import {
  decodeTicket,
  importPublicKeyRaw,
  ticketFromUrl,
  TicketPath,
  verifyTicketSignature,
} from '@redtap/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnrolledAgent, stopEnrolledAgent, type EnrolledAgent } from '../../test/agent-harness.ts';
import { tempDir } from '../../test/fixtures.ts';
import { testEnv, Waiter } from '../../test/sync-harness.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { reservedTicketSeq } from '../store/ticket-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import { describeRefusal } from './enroll-kiosk.ts';
import { startKioskAgent } from './kiosk-agent.ts';

describe('a kiosk agent issues claim tickets', () => {
  let running: EnrolledAgent | undefined;
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();

  beforeAll(async () => {
    running = await startEnrolledAgent({ screenName: 'Tickets', dataDir: dir.dir, events, screen });
  }, 60_000);

  afterAll(async () => {
    await stopEnrolledAgent(running);
    dir.cleanup();
  });

  function shownTicketUrl(): string | null {
    return running?.agent.ui.state().ticketUrl ?? null;
  }

  it('shows a QR ticket on the cloud URL, replaces it when the cloud says it was claimed', async () => {
    if (running === undefined) throw new Error('no agent');
    const { agent, cloud, screenId } = running;
    const first = shownTicketUrl();
    expect(first?.startsWith(`${cloud.cloud.httpUrl.replace(/\/+$/, '')}/claim?t=`)).toBe(true);
    const read = ticketFromUrl(first ?? '');
    expect(read).toMatchObject({ ok: true, value: { ticket: { screenId, path: TicketPath.screenQr } } });
    const key = importPublicKeyRaw(agent.identity.publicKey);
    expect(key.ok && read.ok && verifyTicketSignature(read.value.bytes, key.value)).toBe(true);
    const seq = read.ok ? read.value.ticket.ticketSeq : 0;
    expect(agent.tickets?.current?.ticketSeq).toBe(seq);

    // A claim of another number changes nothing; a claim of the ticket on screen replaces it.
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, { ticketSeq: seq + 1_000, claimedAt: 1 });
    await events.next(
      (event) => event.type === 'ticket-claimed' && event.claimed?.ticketSeq === seq + 1_000,
      'the unrelated claim',
      { includeSeen: true },
    );
    expect(shownTicketUrl()).toBe(first);
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, { ticketSeq: seq, claimedAt: 1 });
    await screen.next(
      (event) => event.channel === 'state' && event.payload.ticketUrl !== first,
      'the replaced QR ticket',
      { includeSeen: true },
    );
    const next = ticketFromUrl(shownTicketUrl() ?? '');
    expect(next.ok && next.value.ticket.ticketSeq).toBe(seq + 1);
  });

  it('celebrates a claim the cloud paid of its own ticket once, with the amount the cloud sent', async () => {
    if (running === undefined) throw new Error('no agent');
    const { agent, cloud, screenId } = running;
    const seq = agent.tickets?.current?.ticketSeq ?? 0;
    const celebrations = () =>
      screen.seen.filter((event) => event.channel === 'tap' && event.payload.state === 'claimed');
    const notice = {
      ticketSeq: seq,
      claimedAt: 1_795_000_000,
      result: { status: 'credited' as const, amountFen: 84, brand: '茶颜悦色' },
    };
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, notice);
    const shown = await screen.next(
      (event) => event.channel === 'tap' && event.payload.state === 'claimed',
      'the celebration',
      { includeSeen: true },
    );
    expect(shown.payload).toMatchObject({
      state: 'claimed',
      ticketSeq: seq,
      amountFen: 84,
      brand: '茶颜悦色',
    });

    // The same word again, a credited claim of a number it never issued, and a refusal of its next
    // ticket celebrate nothing; the last message is seen after them (one publisher, QoS 1, in order).
    const next = agent.tickets?.current?.ticketSeq ?? 0;
    expect(next).toBeGreaterThan(seq);
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, notice);
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, { ...notice, ticketSeq: seq + 50_000 });
    await cloud.cloud.deps.broker.publishTicketClaimed(screenId, {
      ticketSeq: next,
      claimedAt: 1_795_000_001,
      result: { status: 'rejected', code: 'CAP_CAMPAIGN_WALLET' },
    });
    await events.next(
      (event) => event.type === 'ticket-claimed' && event.claimed?.ticketSeq === next,
      'the refusal',
      { includeSeen: true },
    );
    expect(celebrations()).toHaveLength(1);
    // The refused ticket was on screen, so it was replaced all the same (before the event was emitted).
    expect(agent.tickets?.current?.ticketSeq).toBeGreaterThan(next);
  });

  it('signs tag tickets on request', () => {
    const url = running?.agent.tickets?.issueTagTicket() ?? '';
    const read = ticketFromUrl(url);
    expect(read).toMatchObject({ ok: true, value: { ticket: { path: TicketPath.readerTag } } });
    expect(read.ok && decodeTicket(read.value.bytes).ok).toBe(true);
  });

  it('never repeats a ticket number after a restart', async () => {
    if (running === undefined) throw new Error('no agent');
    const before = ticketFromUrl(shownTicketUrl() ?? '');
    const lastSeq = before.ok ? before.value.ticket.ticketSeq : Number.POSITIVE_INFINITY;
    const reserved = reservedTicketSeq(running.agent.store);
    expect(reserved).toBeGreaterThanOrEqual(lastSeq);
    await running.agent.stop();
    const restarted = await startKioskAgent({
      dataDir: dir.dir,
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
    });
    if (!restarted.ok) throw new Error(describeRefusal(restarted));
    running = { ...running, agent: restarted.agent };
    const after = ticketFromUrl(restarted.agent.ui.state().ticketUrl ?? '');
    // The rest of the old block is skipped: the first new number is past everything reserved before.
    expect(after.ok && after.value.ticket.ticketSeq).toBe(reserved + 1);
  });
});
