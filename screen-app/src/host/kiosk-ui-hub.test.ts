import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../test/manual-timers.ts';
import type { PlaylistItem } from '@redtap/shared';
import { KioskUiHub, UI_SUBSCRIBERS_MAX, type AcceptedPlay } from './kiosk-ui-hub.ts';
import type { KioskUiEvent } from './kiosk-ui-port.ts';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const item = (n: number): PlaylistItem => ({
  campaignId: n,
  creativeSha256: sha(n),
  durationMs: 5_000,
  validFrom: 0,
  validUntil: 0xffffffff,
  dayparts: [],
});

function setup() {
  const timers = new ManualTimers();
  const plays: AcceptedPlay[] = [];
  const events: KioskUiEvent[] = [];
  const hub = new KioskUiHub({
    nowMs: () => Date.UTC(2026, 10, 21) + timers.nowMs,
    startTimer: timers.start,
    playlist: () => ({
      playlist: [item(1), item(2)],
      timezone: 'Asia/Shanghai',
      cached: new Map([
        [sha(1), 'image/png'],
        [sha(2), 'image/png'],
      ]),
    }),
    onPlay: (play) => plays.push(play),
  });
  hub.subscribe((event) => events.push(event));
  return { timers, plays, events, hub };
}

describe('KioskUiHub', () => {
  it('announces status changes once and playlist items as they start', () => {
    const { timers, events, hub } = setup();
    expect(hub.state()).toMatchObject({ online: false, enrolled: false, screenId: null, locale: 'zh' });
    hub.setStatus({ online: true, screenId: 1001 });
    hub.setStatus({ online: true });
    expect(events).toHaveLength(1);
    hub.start();
    timers.advance(5_000);
    expect(events.map((e) => (e.channel === 'state' ? e.payload.item.seq : -1))).toEqual([1, 2]);
    expect(hub.state().item).toMatchObject({ kind: 'creative', campaignId: 2 });
  });

  it('ties reading and outcome to one tap id', () => {
    const { events, hub } = setup();
    const tapId = hub.beginTap();
    hub.showTap({ state: 'try-again', tapId, reason: 'CARD_REMOVED' });
    expect(events.map((e) => e.payload)).toEqual([
      { state: 'reading', tapId },
      { state: 'try-again', tapId, reason: 'CARD_REMOVED' },
    ]);
    expect(hub.newTapId()).toBe(tapId + 1);
  });

  it('accepts one proof-of-play report per scheduled showing, capped at its duration', () => {
    const { plays, hub } = setup();
    const shown = hub.state().item;
    if (shown.kind !== 'creative') throw new Error('expected a creative');
    const report = {
      seq: shown.seq,
      creativeSha256: shown.creativeSha256,
      campaignId: shown.campaignId,
      startedAtMs: 1,
      durationMs: 60_000,
    };
    hub.reportPlay(report);
    hub.reportPlay(report);
    hub.reportPlay({ ...report, seq: 999 });
    hub.reportPlay({ ...report, seq: shown.seq, creativeSha256: sha(2) });
    expect(plays).toEqual([{ creativeSha256: sha(1), campaignId: 1, startedAtMs: 1, durationMs: 7_000 }]);
  });

  it('bounds subscribers and survives a throwing one', () => {
    const { hub, events } = setup();
    hub.subscribe(() => {
      throw new Error('broken screen');
    });
    for (let i = 0; i < UI_SUBSCRIBERS_MAX + 4; i++) hub.subscribe(() => undefined);
    hub.setStatus({ enrolled: true });
    expect(events).toHaveLength(1);
  });
});
