// The agent's screen state from its parts: the playlist plays only cached creatives of the retained
// config, creative files come from the content cache, plays land in hourly aggregates, coupon titles come
// from the config, and online follows the link.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  CAMPAIGN_ID,
  deckBytes,
  FALLBACK_COUPON,
  kiosk,
  screenConfig,
  SCREEN_ID,
  T0,
  tempDir,
} from '../../test/fixtures.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import type { Store } from '../store/open-store.ts';
import { unreportedPlays } from '../store/proof-of-play-queries.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { AgentUi, PROOF_OF_PLAY_PERIOD_S } from './agent-ui.ts';

const cachedSha = 'a1'.repeat(32);
const missingSha = 'b2'.repeat(32);
const config = screenConfig({
  playlist: [cachedSha, missingSha].map((sha) => ({
    campaignId: CAMPAIGN_ID,
    creativeSha256: sha,
    durationMs: 5_000,
    validFrom: 0,
    validUntil: 0xffffffff,
    dayparts: [],
  })),
  creatives: [cachedSha, missingSha].map((sha) => ({
    sha256: sha,
    mime: 'image/png' as const,
    bytes: 10,
    url: `/v1/content/${sha}`,
  })),
});

describe('AgentUi', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let engine: ReturnType<typeof kiosk>['engine'];
  let ui: AgentUi;
  const timers = new ManualTimers();
  const events: KioskUiEvent[] = [];

  beforeEach(() => {
    dir = tempDir();
    ({ store, engine } = kiosk(dir.dir, { now: () => T0 + Math.floor(timers.nowMs / 1000) }));
    events.length = 0;
    ui = new AgentUi({
      store,
      content: {
        has: (sha) => sha === cachedSha,
        pathFor: (sha) => (sha === cachedSha ? `/cache/${sha}` : null),
      },
      screenId: SCREEN_ID,
      config: null,
      locale: 'en',
      logger: pino({ enabled: false }),
      nowMs: () => T0 * 1000 + timers.nowMs,
      startTimer: timers.start,
    });
    ui.hub.subscribe((event) => events.push(event));
    ui.start();
  });
  afterEach(() => {
    ui.stop();
    store.close();
    dir.cleanup();
  });

  it('shows the enrolled identity, default content before a config, and online from the link', () => {
    expect(ui.hub.state()).toMatchObject({
      enrolled: true,
      screenId: SCREEN_ID,
      locale: 'en',
      online: false,
      item: { kind: 'default' },
    });
    ui.setOnline(true);
    expect(ui.hub.state().online).toBe(true);
  });

  it('plays only cached creatives of the config and serves their files', () => {
    engine.storeDeck(deckBytes());
    ui.applyConfig(config);
    expect(ui.hub.state().item).toMatchObject({ kind: 'creative', creativeSha256: cachedSha });
    expect(ui.hub.creativeFile(cachedSha)).toEqual({ path: `/cache/${cachedSha}`, mime: 'image/png' });
    expect(ui.hub.creativeFile(missingSha)).toBeNull();
    expect(ui.hub.creativeFile('c3'.repeat(32))).toBeNull();
  });

  it("plays a campaign's creatives only while the store holds a usable deck of it", () => {
    ui.applyConfig(config);
    expect(ui.hub.state().item).toMatchObject({ kind: 'default' });
    engine.storeDeck(deckBytes({ validUntil: T0 + 60 }));
    ui.decksChanged();
    expect(ui.hub.state().item).toMatchObject({ kind: 'creative', campaignId: CAMPAIGN_ID });
    // Past the deck's window, at the next item, the campaign's creative gives way to default content.
    timers.advance(66_000);
    expect(ui.hub.state().item).toMatchObject({ kind: 'default' });
  });

  it('plays a campaign claimed by its QR code only without a deck, since it never gets one', () => {
    ui.applyConfig({
      ...config,
      campaigns: config.campaigns.map((campaign) => ({ ...campaign, claimPaths: ['qr'] })),
    });
    expect(ui.hub.state().item).toMatchObject({ kind: 'creative', campaignId: CAMPAIGN_ID });
  });

  it('records accepted plays in hourly aggregates', () => {
    engine.storeDeck(deckBytes());
    ui.applyConfig(config);
    const shown = ui.hub.state().item;
    if (shown.kind !== 'creative') throw new Error('expected a creative');
    const startedAtMs = (T0 + 125) * 1000;
    ui.hub.reportPlay({
      seq: shown.seq,
      creativeSha256: cachedSha,
      campaignId: CAMPAIGN_ID,
      startedAtMs,
      durationMs: 5_000,
    });
    const periodStart = Math.floor((T0 + 125) / PROOF_OF_PLAY_PERIOD_S) * PROOF_OF_PLAY_PERIOD_S;
    expect(unreportedPlays(store, Number.MAX_SAFE_INTEGER)).toEqual([
      {
        periodStart,
        periodEnd: periodStart + PROOF_OF_PLAY_PERIOD_S,
        creativeSha256: cachedSha,
        campaignId: CAMPAIGN_ID,
        plays: 1,
        durationMs: 5_000,
      },
    ]);
  });

  it('names coupons from the config in the tap view', () => {
    ui.applyConfig(config);
    ui.feed.onTapEvent({ type: 'card.present', readerName: 'R', atr: '', cardType: 'TAG_ISO_14443_4' });
    ui.feed.prizeCommitted('R', {
      counter: 3,
      campaignId: CAMPAIGN_ID,
      amountFen: 0,
      couponOfferId: FALLBACK_COUPON,
      localCap: true,
      noDeck: false,
    });
    ui.feed.onTapEvent({
      type: 'tap',
      result: {
        readerName: 'R',
        outcome: 'completed',
        code: null,
        message: '',
        committed: true,
        walletId: 1,
        apdus: [],
        transportMs: 0,
        handlerMs: 0,
        totalMs: 0,
      },
    });
    const taps = events.filter((event) => event.channel === 'tap').map((event) => event.payload);
    expect(taps).toEqual([
      { state: 'reading', tapId: 1 },
      { state: 'already-grabbed', tapId: 1, counter: 3, couponTitle: '¥2 off' },
    ]);
  });
});
