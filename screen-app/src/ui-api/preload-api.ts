// The object the Electron preload puts on `window.redtap`: one method per action and one event
// subscription, never ipcRenderer itself. Results and payloads arrive as unknown: the renderer
// validates them with the channel schemas like anything else that crosses a process boundary.
import type { CreativeUrlArgs, PlayReport, ReadyArgs, UiEventChannel } from './channels.ts';

export interface RedtapPreloadApi {
  ready(args: ReadyArgs): Promise<unknown>;
  reportPlay(args: PlayReport): Promise<unknown>;
  getCreativeUrl(args: CreativeUrlArgs): Promise<unknown>;
  on(channel: UiEventChannel, listener: (payload: unknown) => void): () => void;
}

export const PRELOAD_GLOBAL = 'redtap';
