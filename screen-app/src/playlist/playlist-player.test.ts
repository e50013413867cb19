import { describe, expect, it } from 'vitest';
import type { PlaylistItem } from '@redtap/shared';
import { ManualTimers } from '../../test/manual-timers.ts';
import type { PlaylistItemView } from '../ui-api/channels.ts';
import { DEFAULT_CONTENT_DURATION_MS, type CreativeMime } from './playlist.ts';
import { PlaylistPlayer, type PlaylistSource } from './playlist-player.ts';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const T0_MS = Date.UTC(2026, 10, 21, 0, 0);

function item(n: number, durationMs: number): PlaylistItem {
  return {
    campaignId: n,
    creativeSha256: sha(n),
    durationMs,
    validFrom: 0,
    validUntil: 0xffffffff,
    dayparts: [],
  };
}

function setup(playlist: PlaylistItem[], cachedNs: number[]) {
  const timers = new ManualTimers();
  const source: PlaylistSource & { cached: Map<string, CreativeMime> } = {
    playlist,
    timezone: 'Asia/Shanghai',
    cached: new Map(cachedNs.map((n) => [sha(n), 'image/png' as const])),
  };
  const shown: PlaylistItemView[] = [];
  const player = new PlaylistPlayer({
    source: () => source,
    nowMs: () => T0_MS + timers.nowMs,
    startTimer: timers.start,
    onItem: (view) => shown.push(view),
  });
  return { timers, source, shown, player };
}

const campaignOf = (view: PlaylistItemView) => (view.kind === 'creative' ? view.campaignId : 'default');

describe('PlaylistPlayer', () => {
  it('advances through the playlist at each item duration', () => {
    const { timers, shown, player } = setup([item(1, 5_000), item(2, 8_000)], [1, 2]);
    expect(campaignOf(player.current)).toBe(1);
    player.start();
    timers.advance(4_999);
    expect(shown).toEqual([]);
    timers.advance(1);
    timers.advance(8_000);
    timers.advance(5_000);
    expect(shown.map(campaignOf)).toEqual([2, 1, 2]);
    expect(shown.map((view) => view.seq)).toEqual([2, 3, 4]);
    player.stop();
    timers.advance(60_000);
    expect(shown).toHaveLength(3);
  });

  it('says which campaign is on screen, for the tap engine', () => {
    const { timers, player } = setup([item(1, 5_000), item(2, 8_000)], [1, 2]);
    expect(player.showingCampaignId).toBe(1);
    player.start();
    timers.advance(5_000);
    expect(player.showingCampaignId).toBe(2);
    expect(setup([item(1, 5_000)], []).player.showingCampaignId).toBeNull();
  });

  it('shows default content until a creative is cached, then switches on refresh', () => {
    const { timers, source, shown, player } = setup([item(1, 5_000)], []);
    expect(player.current).toMatchObject({ kind: 'default', durationMs: DEFAULT_CONTENT_DURATION_MS });
    player.start();
    player.refresh();
    expect(shown).toEqual([]);
    source.cached.set(sha(1), 'video/mp4');
    player.refresh();
    expect(shown).toEqual([
      {
        kind: 'creative',
        seq: 2,
        creativeSha256: sha(1),
        campaignId: 1,
        mime: 'video/mp4',
        durationMs: 5_000,
      },
    ]);
    // The timer restarted with the new item's duration.
    timers.advance(4_999);
    expect(shown).toHaveLength(1);
    timers.advance(1);
    expect(shown.map((view) => view.seq)).toEqual([2, 3]);
  });

  it('replaces a creative that left the cache at once', () => {
    const { source, shown, player } = setup([item(1, 5_000), item(2, 5_000)], [1, 2]);
    player.start();
    source.cached.delete(sha(1));
    player.refresh();
    expect(shown.map(campaignOf)).toEqual([2]);
    player.refresh();
    expect(shown).toHaveLength(1);
  });

  it("plays a campaign's creatives only while the screen holds a usable deck of it", () => {
    const { timers, source, shown, player } = setup(
      [item(1, 5_000), item(2, 5_000), item(3, 5_000)],
      [1, 2, 3],
    );
    source.campaignsWithDeck = new Set([2]);
    player.refresh();
    // Campaign 1 has no deck: campaign 2 replaces it at once, and plays on its own.
    expect(shown.map(campaignOf)).toEqual([2]);
    player.start();
    timers.advance(5_000);
    expect(shown.map(campaignOf)).toEqual([2, 2]);
    // A deck of campaign 3 arrives: it joins the rotation at the next item, not mid-item.
    source.campaignsWithDeck = new Set([2, 3]);
    player.refresh();
    expect(shown).toHaveLength(2);
    timers.advance(5_000);
    expect(shown.map(campaignOf)).toEqual([2, 2, 3]);
    // Campaign 3's last envelope is taken while it is on screen: it gives way at once.
    source.campaignsWithDeck = new Set([2]);
    player.refresh();
    expect(shown.map(campaignOf)).toEqual([2, 2, 3, 2]);
    expect(player.showingCampaignId).toBe(2);
    // No deck at all: default content, and a deck that arrives brings its creative back at once.
    source.campaignsWithDeck = new Set();
    player.refresh();
    expect(player.current.kind).toBe('default');
    expect(player.showingCampaignId).toBeNull();
    source.campaignsWithDeck = new Set([1]);
    player.refresh();
    expect(shown.map(campaignOf).slice(-2)).toEqual(['default', 1]);
  });
});
