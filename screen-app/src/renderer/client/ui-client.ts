// One typed UI API, two transports: Electron IPC when the preload put `window.redtap` there, the
// browser host's WebSocket bridge otherwise.
import type { UiApi } from '../../ui-api/channels.ts';
import type { RedtapPreloadApi } from '../../ui-api/preload-api.ts';
import { ipcUiApi } from './ipc-client.ts';
import { wsUiApi } from './ws-client.ts';

declare global {
  interface Window {
    redtap?: RedtapPreloadApi;
  }
}

export const UI_BRIDGE_PATH = '/ui';

export function createUiApi(win: Window = window): UiApi {
  if (win.redtap !== undefined) return ipcUiApi(win.redtap);
  const scheme = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return wsUiApi(`${scheme}//${win.location.host}${UI_BRIDGE_PATH}`);
}
