// The kiosk's side of the screen UI in one object: holds the screen state, runs the playlist player,
// fans events out to every connected screen and checks proof-of-play reports against what it
// actually scheduled. The agent feeds it status, config and taps; hosts talk to it as a KioskUiPort.
import type { Logger } from 'pino';
import { pino } from 'pino';
import {
  PlaylistPlayer,
  realTimer,
  type PlaylistSource,
  type StartTimer,
} from '../playlist/playlist-player.ts';
import type { PlayReport, PlaylistItemView, ScreenState, TapView, UiLocale } from '../ui-api/channels.ts';
import type { CreativeFile, KioskUiEvent, KioskUiPort } from './kiosk-ui-port.ts';

/** Screens (Electron window, browser tabs, tests) one kiosk serves at once. */
export const UI_SUBSCRIBERS_MAX = 16;
/** Recently scheduled creatives a late proof-of-play report may still refer to. */
const SCHEDULED_KEPT_MAX = 32;
/** Slack on a reported duration over the scheduled one (video start-up, timer jitter). */
const PLAY_DURATION_SLACK_MS = 2_000;

/** One accepted showing, ready for the proof-of-play aggregates (store addPlays). */
export interface AcceptedPlay {
  creativeSha256: string;
  campaignId: number;
  startedAtMs: number;
  durationMs: number;
}

export interface KioskUiHubOptions {
  locale?: UiLocale;
  nowMs?: () => number;
  startTimer?: StartTimer;
  logger?: Logger;
  /** The playlist, timezone and cached creatives; read again at every item and on refreshPlaylist. */
  playlist?: () => PlaylistSource;
  /** Where a cached creative lives on disk; null when it is not cached. */
  creativeFile?: (sha256: string) => CreativeFile | null;
  /** Receives each accepted proof-of-play record. */
  onPlay?: (play: AcceptedPlay) => void;
}

const EMPTY_PLAYLIST: PlaylistSource = { playlist: [], timezone: 'UTC', cached: new Map() };

export class KioskUiHub implements KioskUiPort {
  private readonly listeners = new Set<(event: KioskUiEvent) => void>();
  private readonly logger: Logger;
  private readonly player: PlaylistPlayer;
  private readonly creativeFileOf: (sha256: string) => CreativeFile | null;
  private readonly onPlay: (play: AcceptedPlay) => void;
  private readonly scheduled: Extract<PlaylistItemView, { kind: 'creative' }>[] = [];
  private readonly reportedSeqs = new Set<number>();
  private status: Omit<ScreenState, 'item'>;
  private nextTapId = 1;

  constructor(options: KioskUiHubOptions = {}) {
    this.logger = options.logger ?? pino({ enabled: false });
    this.creativeFileOf = options.creativeFile ?? (() => null);
    this.onPlay = options.onPlay ?? (() => undefined);
    this.status = { online: false, enrolled: false, screenId: null, locale: options.locale ?? 'zh' };
    const source = options.playlist ?? (() => EMPTY_PLAYLIST);
    this.player = new PlaylistPlayer({
      source,
      nowMs: options.nowMs ?? (() => Date.now()),
      startTimer: options.startTimer ?? realTimer,
      onItem: (item) => {
        this.remember(item);
        this.emitState();
      },
    });
    this.remember(this.player.current);
  }

  start(): void {
    this.player.start();
  }

  stop(): void {
    this.player.stop();
    this.listeners.clear();
  }

  state(): ScreenState {
    return { ...this.status, item: this.player.current };
  }

  subscribe(listener: (event: KioskUiEvent) => void): () => void {
    if (this.listeners.size >= UI_SUBSCRIBERS_MAX) {
      this.logger.warn('too many screen subscribers; refusing one');
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Network, enrolment, identity or language changed. */
  setStatus(status: Partial<Omit<ScreenState, 'item'>>): void {
    const next = { ...this.status, ...status };
    const changed = (Object.keys(next) as (keyof typeof next)[]).some(
      (key) => next[key] !== this.status[key],
    );
    this.status = next;
    if (changed) this.emitState();
  }

  /** A new config or a newly cached creative: re-evaluates the current item. */
  refreshPlaylist(): void {
    this.player.refresh();
  }

  /** A card entered the field: shows `reading` and returns the id its outcome must carry. */
  beginTap(): number {
    const tapId = this.nextTapId++;
    this.emit({ channel: 'tap', payload: { state: 'reading', tapId } });
    return tapId;
  }

  /** The outcome of a tap (see tap-view.ts for building one). */
  showTap(view: TapView): void {
    this.emit({ channel: 'tap', payload: view });
  }

  /** An id for an outcome that had no `reading` before it. */
  newTapId(): number {
    return this.nextTapId++;
  }

  reportPlay(report: PlayReport): void {
    // The renderer is less trusted than the kiosk: count only what was scheduled, once, and no longer
    // than it was scheduled for.
    const shown = this.scheduled.find((item) => item.seq === report.seq);
    if (
      shown === undefined ||
      shown.creativeSha256 !== report.creativeSha256 ||
      shown.campaignId !== report.campaignId ||
      this.reportedSeqs.has(report.seq)
    ) {
      this.logger.warn({ seq: report.seq }, 'proof-of-play report does not match a scheduled showing');
      return;
    }
    this.reportedSeqs.add(report.seq);
    this.onPlay({
      creativeSha256: report.creativeSha256,
      campaignId: report.campaignId,
      startedAtMs: report.startedAtMs,
      durationMs: Math.min(report.durationMs, shown.durationMs + PLAY_DURATION_SLACK_MS),
    });
  }

  creativeFile(sha256: string): CreativeFile | null {
    return this.creativeFileOf(sha256);
  }

  private remember(item: PlaylistItemView): void {
    if (item.kind !== 'creative') return;
    this.scheduled.push(item);
    if (this.scheduled.length > SCHEDULED_KEPT_MAX) {
      const dropped = this.scheduled.shift();
      if (dropped !== undefined) this.reportedSeqs.delete(dropped.seq);
    }
  }

  private emitState(): void {
    this.emit({ channel: 'state', payload: this.state() });
  }

  private emit(event: KioskUiEvent): void {
    for (const listener of [...this.listeners]) {
      // One broken screen connection must not stop the others.
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error }, 'screen UI listener threw');
      }
    }
  }
}
