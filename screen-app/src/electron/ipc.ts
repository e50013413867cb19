// Main-process side of the typed UI API over Electron IPC: one handler per action, each checking the
// sender frame and validating its arguments, and every kiosk event forwarded to the window.
import type { Logger } from 'pino';
import { ipcChannelOf, uiActionChannels, uiActionSchemas } from '../ui-api/channels.ts';
import type { KioskUiPort } from '../host/kiosk-ui-port.ts';
import { dispatchUiAction, type UiActionHandlers } from '../host/ui-actions.ts';
import type { IpcMainLike, WebContentsLike } from './electron-api.ts';
import { isTrustedSenderUrl } from './trusted-sender.ts';

export class UntrustedSenderError extends Error {}

export function registerUiIpc(options: {
  ipcMain: IpcMainLike;
  handlers: UiActionHandlers;
  logger: Logger;
}): () => void {
  const { ipcMain, handlers, logger } = options;
  for (const channel of uiActionChannels) {
    ipcMain.handle(ipcChannelOf(channel), (event, ...args) => {
      const url = event.senderFrame?.url;
      if (!isTrustedSenderUrl(url)) {
        logger.warn({ channel, url }, 'IPC from an untrusted frame refused');
        throw new UntrustedSenderError(`untrusted sender for ${channel}`);
      }
      const parsed = uiActionSchemas[channel].args.safeParse(args[0]);
      if (!parsed.success) throw new Error(`bad arguments for ${channel}`);
      return dispatchUiAction(handlers, { channel, args: parsed.data } as Parameters<
        typeof dispatchUiAction
      >[1]);
    });
  }
  return () => {
    for (const channel of uiActionChannels) ipcMain.removeHandler(ipcChannelOf(channel));
  };
}

/** Forwards every kiosk event to the window while it lives; returns the unsubscribe. */
export function forwardUiEvents(kiosk: KioskUiPort, webContents: WebContentsLike): () => void {
  return kiosk.subscribe((event) => {
    if (!webContents.isDestroyed()) webContents.send(ipcChannelOf(event.channel), event.payload);
  });
}
