// Steps through the playlist on the kiosk side: picks the next item when the current one ends and
// announces it as a PlaylistItemView. Timers and clock are injected, so tests run on fake time.
import type { PlaylistItem } from '@redtap/shared';
import type { PlaylistItemView } from '../ui-api/channels.ts';
import { nextPick, type CreativeMime } from './playlist.ts';

export type StartTimer = (callback: () => void, delayMs: number) => () => void;

export const realTimer: StartTimer = (callback, delayMs) => {
  const handle = setTimeout(callback, delayMs);
  handle.unref();
  return () => clearTimeout(handle);
};

export interface PlaylistSource {
  playlist: readonly PlaylistItem[];
  timezone: string;
  cached: ReadonlyMap<string, CreativeMime>;
  /** See PlaylistContext.campaignsWithDeck. */
  campaignsWithDeck?: ReadonlySet<number>;
}

export interface PlaylistPlayerOptions {
  /** Read at every pick, so a new config or a freshly cached creative takes effect at the next item. */
  source: () => PlaylistSource;
  nowMs: () => number;
  startTimer?: StartTimer;
  onItem: (item: PlaylistItemView) => void;
}

/** The campaign of what is on screen, which the tap engine pays first; null for default content. */
export function showingCampaignOf(item: PlaylistItemView): number | null {
  return item.kind === 'creative' ? item.campaignId : null;
}

export class PlaylistPlayer {
  private readonly options: PlaylistPlayerOptions;
  private readonly startTimer: StartTimer;
  private currentView: PlaylistItemView;
  private lastIndex = -1;
  private seq = 0;
  private cancelTimer: (() => void) | null = null;

  constructor(options: PlaylistPlayerOptions) {
    this.options = options;
    this.startTimer = options.startTimer ?? realTimer;
    this.currentView = this.pick();
  }

  get current(): PlaylistItemView {
    return this.currentView;
  }

  /** See showingCampaignOf; pass `() => player.showingCampaignId` to TapEngine.setShowingCampaign. */
  get showingCampaignId(): number | null {
    return showingCampaignOf(this.currentView);
  }

  start(): void {
    if (this.cancelTimer !== null) return;
    this.schedule();
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /**
   * The playlist, the cache or the decks changed. Default content gives way at once to a creative that
   * became playable, and a creative that left the cache, or whose campaign no longer holds a usable deck,
   * is replaced at once; otherwise the item plays out.
   */
  refresh(): void {
    const current = this.currentView;
    const source = this.options.source();
    const stillPlayable =
      current.kind === 'creative' &&
      source.cached.has(current.creativeSha256) &&
      (source.campaignsWithDeck === undefined || source.campaignsWithDeck.has(current.campaignId));
    if (stillPlayable) return;
    const candidate = nextPick(source.playlist, { ...source, nowMs: this.options.nowMs() }, this.lastIndex);
    if (current.kind === 'default' && candidate.kind === 'default') return;
    this.advance();
  }

  private pick(): PlaylistItemView {
    const source = this.options.source();
    const pick = nextPick(source.playlist, { ...source, nowMs: this.options.nowMs() }, this.lastIndex);
    const seq = ++this.seq;
    if (pick.kind === 'default') return { kind: 'default', seq, durationMs: pick.durationMs };
    this.lastIndex = pick.index;
    return {
      kind: 'creative',
      seq,
      creativeSha256: pick.item.creativeSha256,
      campaignId: pick.item.campaignId,
      mime: pick.mime,
      durationMs: pick.item.durationMs,
    };
  }

  private advance(): void {
    this.currentView = this.pick();
    this.options.onItem(this.currentView);
    if (this.cancelTimer !== null) this.schedule();
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.startTimer(() => {
      this.cancelTimer = null;
      this.advance();
      this.schedule();
    }, this.currentView.durationMs);
  }
}
