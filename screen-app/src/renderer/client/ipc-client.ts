// The UI API over Electron IPC: thin wrapper around the preload's `window.redtap` that validates
// every result and event payload with the channel schemas.
import {
  uiActionSchemas,
  uiEventSchemas,
  type UiApi,
  type UiEventChannel,
  type UiEventListener,
  type UiEventMap,
} from '../../ui-api/channels.ts';
import type { RedtapPreloadApi } from '../../ui-api/preload-api.ts';

export function ipcUiApi(bridge: RedtapPreloadApi): UiApi {
  return {
    ready: async (args) => uiActionSchemas.ready.result.parse(await bridge.ready(args)),
    reportPlay: async (args) => uiActionSchemas.reportPlay.result.parse(await bridge.reportPlay(args)),
    getCreativeUrl: async (args) =>
      uiActionSchemas.getCreativeUrl.result.parse(await bridge.getCreativeUrl(args)),
    on: <C extends UiEventChannel>(channel: C, listener: UiEventListener<C>) =>
      bridge.on(channel, (payload) => {
        const parsed = uiEventSchemas[channel].safeParse(payload);
        if (parsed.success) listener(parsed.data as UiEventMap[C]);
      }),
  };
}
