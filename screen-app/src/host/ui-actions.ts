// The screen → kiosk actions, independent of their transport: the WebSocket bridge and the Electron
// IPC handlers both dispatch validated arguments here.
import type { UiActionArgs, UiActionChannel, UiActionResult } from '../ui-api/channels.ts';
import type { KioskUiPort } from './kiosk-ui-port.ts';

export type UiActionHandlers = {
  [C in UiActionChannel]: (args: UiActionArgs<C>) => UiActionResult<C> | Promise<UiActionResult<C>>;
};

/**
 * `creativeUrl` is transport-specific: a path on the browser host, a custom protocol URL in Electron.
 */
export function uiActionHandlers(
  kiosk: KioskUiPort,
  creativeUrl: (sha256: string) => string,
): UiActionHandlers {
  return {
    ready: () => kiosk.state(),
    reportPlay: (report) => {
      kiosk.reportPlay(report);
      return null;
    },
    getCreativeUrl: ({ creativeSha256 }) =>
      kiosk.creativeFile(creativeSha256) === null ? null : creativeUrl(creativeSha256),
  };
}

/** Calls the handler of one decoded invoke; the union is narrowed per channel. */
export function dispatchUiAction(
  handlers: UiActionHandlers,
  invoke: { [C in UiActionChannel]: { channel: C; args: UiActionArgs<C> } }[UiActionChannel],
): Promise<unknown> {
  switch (invoke.channel) {
    case 'ready':
      return Promise.resolve(handlers.ready(invoke.args));
    case 'reportPlay':
      return Promise.resolve(handlers.reportPlay(invoke.args));
    case 'getCreativeUrl':
      return Promise.resolve(handlers.getCreativeUrl(invoke.args));
  }
}
