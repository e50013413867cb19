// Sandboxed preload: exposes one method per UI action and one event subscription on `window.redtap`
// through contextBridge. ipcRenderer itself never reaches the page. Bundled by build-electron.ts,
// since a sandboxed preload cannot require anything but `electron`.
import {
  ipcChannelOf,
  isUiEventChannel,
  type UiEventChannelName as UiEventChannel,
} from '../ui-api/channel-names.ts';
import { PRELOAD_GLOBAL, type RedtapPreloadApi } from '../ui-api/preload-api.ts';
import type { ElectronRenderer } from './electron-api.ts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload only has require('electron')
const { contextBridge, ipcRenderer } = require('electron') as ElectronRenderer;

/** Subscriptions one page may hold; the renderer needs two. */
const SUBSCRIPTIONS_MAX = 16;
let subscriptions = 0;

const api: RedtapPreloadApi = {
  ready: (args) => ipcRenderer.invoke(ipcChannelOf('ready'), args),
  reportPlay: (args) => ipcRenderer.invoke(ipcChannelOf('reportPlay'), args),
  getCreativeUrl: (args) => ipcRenderer.invoke(ipcChannelOf('getCreativeUrl'), args),
  on: (channel: UiEventChannel, listener: (payload: unknown) => void) => {
    if (!isUiEventChannel(channel) || subscriptions >= SUBSCRIPTIONS_MAX) return () => undefined;
    subscriptions += 1;
    // Only the payload crosses over: the IPC event object would hand the page a reference to ipcRenderer.
    const wrapped = (_event: unknown, payload: unknown) => {
      listener(payload);
    };
    ipcRenderer.on(ipcChannelOf(channel), wrapped);
    return () => {
      subscriptions -= 1;
      ipcRenderer.removeListener(ipcChannelOf(channel), wrapped);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, api);
