// The kiosk as the screen UI sees it. The agent implements this (usually through KioskUiHub); the
// browser host and the Electron shell only ever talk to a screen through it.
import type { PlayReport, ScreenState, UiEventChannel, UiEventMap } from '../ui-api/channels.ts';

export type KioskUiEvent = { [C in UiEventChannel]: { channel: C; payload: UiEventMap[C] } }[UiEventChannel];

export interface CreativeFile {
  /** Absolute path of the cached file. */
  path: string;
  mime: string;
}

export interface KioskUiPort {
  /** The current state, for a screen that just (re)connected. */
  state(): ScreenState;
  /** kiosk → screen events; returns a function that unsubscribes. */
  subscribe(listener: (event: KioskUiEvent) => void): () => void;
  /** Proof of play from the screen; already validated against the channel's schema. */
  reportPlay(report: PlayReport): void;
  /** The cached file of a creative, or null when it is not in the content cache. */
  creativeFile(sha256: string): CreativeFile | null;
}
