// The kiosk's claim tickets (docs/protocol.md §3.8, docs/kiosk.md §9) on hand-driven time: the QR ticket
// rotates every 10 s, at once after its claim, and when another campaign comes on screen; numbers come
// from the store in blocks and never repeat across a restart.
import { join } from 'node:path';
import { decodeTicket, TicketPath, ticketFromUrl, verifyTicketSignature } from '@redtap/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keys, SCREEN_ID, T0, tempDir } from '../../test/fixtures.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { reserveTicketSeqs, reservedTicketSeq } from '../store/ticket-queries.ts';
import { claimOrigin } from './claim-origin.ts';
import { TicketIssuer, type IssuedTicket, type TicketIssuerOptions } from './ticket-issuer.ts';

const ORIGIN = 'https://redtap.example';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let timers: ManualTimers;
let showing: number | null;
let shown: (IssuedTicket | null)[];
beforeEach(() => {
  dir = tempDir();
  store = openStore({ path: join(dir.dir, 'kiosk.db') });
  timers = new ManualTimers();
  showing = 12;
  shown = [];
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function issuer(overrides: Partial<TicketIssuerOptions> = {}): TicketIssuer {
  return new TicketIssuer({
    screenId: SCREEN_ID,
    screenKey: keys.screen.privateKey,
    origin: () => ORIGIN,
    reserveSeqs: (count) => reserveTicketSeqs(store, count),
    showingCampaign: () => showing,
    nowS: () => T0 + Math.floor(timers.nowMs / 1000),
    startTimer: timers.start,
    onScreenTicket: (ticket) => shown.push(ticket),
    ...overrides,
  });
}

function seqs(): (number | undefined)[] {
  return shown.map((ticket) => ticket?.ticketSeq);
}

describe('TicketIssuer', () => {
  it('shows a signed QR ticket at start and replaces it every 10 s', () => {
    const tickets = issuer();
    tickets.start();
    expect(seqs()).toEqual([1]);
    const first = shown[0];
    expect(first?.url.startsWith(`${ORIGIN}/claim?t=`)).toBe(true);
    const read = ticketFromUrl(first?.url ?? '');
    expect(read).toMatchObject({
      ok: true,
      value: {
        ticket: { screenId: SCREEN_ID, ticketSeq: 1, ts: T0, campaignId: 12, path: TicketPath.screenQr },
      },
    });
    expect(read.ok && verifyTicketSignature(read.value.bytes, keys.screen.publicKey)).toBe(true);

    timers.advance(9_999);
    expect(seqs()).toEqual([1]);
    timers.advance(1);
    expect(seqs()).toEqual([1, 2]);
    expect(shown[1]?.ts).toBe(T0 + 10);
    timers.advance(30_000);
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(tickets.current?.ticketSeq).toBe(5);
    // Each ticket has its own nonce.
    const nonces = new Set(
      shown.map((ticket) => Buffer.from(ticket?.bytes.subarray(22, 30) ?? []).toString('hex')),
    );
    expect(nonces.size).toBe(5);

    tickets.stop();
    expect(timers.size).toBe(0);
    timers.advance(60_000);
    expect(seqs()).toHaveLength(5);
  });

  it('replaces the QR ticket at once when it is claimed, and restarts the 10 s from there', () => {
    const tickets = issuer();
    tickets.start();
    timers.advance(4_000);
    tickets.claimed(1);
    expect(seqs()).toEqual([1, 2]);
    // Another claim of the same (old) ticket, a tag ticket's number or one never issued change nothing.
    tickets.claimed(1);
    tickets.claimed(99);
    expect(seqs()).toEqual([1, 2]);
    timers.advance(9_999);
    expect(seqs()).toEqual([1, 2]);
    timers.advance(1);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('believes word of a claim once, for a ticket of its own issued lately', () => {
    const tickets = issuer({ limits: { rememberedMaxAgeS: 60, rememberedMax: 8 } });
    tickets.start();
    const tag = ticketFromUrl(tickets.issueTagTicket());
    const tagSeq = tag.ok ? tag.value.ticket.ticketSeq : 0;
    expect(tickets.claimed(1)).toEqual({ ticketSeq: 1, ts: T0, path: TicketPath.screenQr });
    // The same word again (a redelivery), a number never issued, or 0: nothing to believe.
    expect(tickets.claimed(1)).toBeNull();
    expect(tickets.claimed(99)).toBeNull();
    expect(tickets.claimed(0)).toBeNull();
    // A tag ticket is the kiosk's own too, and is not on screen: the QR code stays.
    const before = seqs();
    expect(tickets.claimed(tagSeq)).toEqual({ ticketSeq: tagSeq, ts: T0, path: TicketPath.readerTag });
    expect(seqs()).toEqual(before);
    // A ticket older than the memory is forgotten, and so is the oldest beyond its size.
    const old = tickets.current?.ticketSeq ?? 0;
    timers.advance(61_000);
    expect(tickets.claimed(old)).toBeNull();
    for (let index = 0; index < 12; index++) tickets.issueTagTicket();
    const newest = (tickets.current?.ticketSeq ?? 0) + 12;
    expect(tickets.claimed(newest - 12)).toBeNull();
    expect(tickets.claimed(newest)).toMatchObject({ ticketSeq: newest, path: TicketPath.readerTag });
    tickets.stop();
  });

  it('forgets what it issued before a restart', () => {
    const first = issuer();
    first.start();
    first.stop();
    const second = issuer();
    second.start();
    expect(second.claimed(1)).toBeNull();
    expect(second.claimed(second.current?.ticketSeq ?? 0)).not.toBeNull();
    second.stop();
  });

  it('names the campaign on screen, and replaces the ticket when another comes on, at most once a second', () => {
    const tickets = issuer();
    tickets.start();
    expect(shown[0]?.campaignId).toBe(12);
    tickets.showingChanged(); // same campaign: nothing to do
    expect(seqs()).toEqual([1]);
    timers.advance(1_000);
    showing = 13;
    tickets.showingChanged();
    expect(shown.map((ticket) => ticket?.campaignId)).toEqual([12, 13]);
    // Within the second after a rotation the change waits, then applies once.
    showing = null;
    tickets.showingChanged();
    showing = 14;
    tickets.showingChanged();
    expect(seqs()).toEqual([1, 2]);
    timers.advance(1_000);
    expect(shown.map((ticket) => ticket?.campaignId)).toEqual([12, 13, 14]);
    showing = null;
    timers.advance(1_000);
    tickets.showingChanged();
    expect(shown.at(-1)?.campaignId).toBe(0);
  });

  it('signs tag tickets on request, from the same sequence, without touching the QR ticket', () => {
    const tickets = issuer();
    tickets.start();
    const url = tickets.issueTagTicket();
    const read = ticketFromUrl(url);
    expect(read).toMatchObject({ ok: true, value: { ticket: { ticketSeq: 2, path: TicketPath.readerTag } } });
    expect(read.ok && verifyTicketSignature(read.value.bytes, keys.screen.publicKey)).toBe(true);
    expect(seqs()).toEqual([1]);
    expect(tickets.current?.ticketSeq).toBe(1);
    timers.advance(10_000);
    expect(seqs()).toEqual([1, 3]);
    // A tag ticket needs no started issuer.
    const idle = issuer();
    expect(ticketFromUrl(idle.issueTagTicket())).toMatchObject({
      ok: true,
      value: { ticket: { ticketSeq: 65 } },
    });
  });

  it('reserves numbers in blocks, and never repeats one after a restart', () => {
    const first = issuer({ limits: { seqBlockSize: 4 } });
    first.start();
    timers.advance(20_000);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(reservedTicketSeq(store)).toBe(4);
    timers.advance(20_000);
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(reservedTicketSeq(store)).toBe(8);
    first.stop();

    // A restart on the same store file: the rest of the block (6..8) is skipped, nothing repeats.
    store.close();
    store = openStore({ path: join(dir.dir, 'kiosk.db') });
    const second = issuer({ limits: { seqBlockSize: 4 } });
    second.start();
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 9]);
    second.stop();
  });

  it('keeps the last ticket when the store fails, and recovers at the next rotation', () => {
    let failing = false;
    const tickets = issuer({
      limits: { seqBlockSize: 1 },
      reserveSeqs: (count) => {
        if (failing) throw new Error('SQLITE_IOERR');
        return reserveTicketSeqs(store, count);
      },
    });
    failing = true;
    tickets.start();
    expect(shown).toEqual([null]);
    expect(() => tickets.issueTagTicket()).toThrow(/SQLITE_IOERR/);
    failing = false;
    timers.advance(10_000);
    expect(seqs()).toEqual([undefined, 1]);
    failing = true;
    timers.advance(10_000);
    expect(seqs()).toEqual([undefined, 1]);
    expect(tickets.current?.ticketSeq).toBe(1);
    failing = false;
    timers.advance(10_000);
    expect(seqs()).toEqual([undefined, 1, 2]);
    tickets.stop();
  });

  it('builds the URL on the origin it reads at each ticket', () => {
    let origin = ORIGIN;
    const tickets = issuer({ origin: () => origin });
    tickets.start();
    origin = 'https://wallet.redtap.example';
    timers.advance(10_000);
    expect(shown.map((ticket) => ticket?.url.split('/claim?')[0])).toEqual([ORIGIN, origin]);
    const bytes = shown[1]?.bytes ?? new Uint8Array();
    expect(decodeTicket(bytes).ok).toBe(true);
    tickets.stop();
  });
});

describe('claimOrigin', () => {
  it('prefers the config’s publicOrigin, then the cloud URL, without trailing slashes', () => {
    expect(claimOrigin({ publicOrigin: 'https://hb.example/' }, 'http://10.0.0.2:8080')).toBe(
      'https://hb.example',
    );
    expect(claimOrigin({}, 'http://10.0.0.2:8080//')).toBe('http://10.0.0.2:8080');
    expect(claimOrigin(null, 'http://10.0.0.2:8080')).toBe('http://10.0.0.2:8080');
    expect(claimOrigin(null, undefined)).toBeNull();
  });

  it('skips what cannot carry a claim URL', () => {
    expect(claimOrigin(null, `https://${'a'.repeat(300)}.example`)).toBeNull();
    expect(claimOrigin(null, 'ftp://files.example')).toBeNull();
    expect(claimOrigin(null, 'https://x.example/?q=1')).toBeNull();
    expect(claimOrigin({ publicOrigin: 'https://x.example#f' }, 'http://10.0.0.2')).toBe('http://10.0.0.2');
  });
});
