// The UI API over WebSocket for browser host mode: events fan out to every screen, invokes are
// validated, dispatched and answered. Only same-origin pages on this host may connect.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  BRIDGE_FRAME_BYTES_MAX,
  BRIDGE_PENDING_MAX,
  decodeInvokeFrame,
  encodeEventFrame,
  encodeResultFrame,
  UiBridgeCode,
} from '../ui-api/bridge-frames.ts';
import type { KioskUiEvent, KioskUiPort } from './kiosk-ui-port.ts';
import { dispatchUiAction, type UiActionHandlers } from './ui-actions.ts';

export const UI_BRIDGE_PATH = '/ui';
/** Screens connected over the bridge at once. */
export const BRIDGE_CLIENTS_MAX = 8;
/** A screen that cannot keep up is dropped rather than buffered without bound. */
const SEND_BUFFER_BYTES_MAX = 1024 * 1024;

export interface UiBridge {
  clientCount(): number;
  close(): Promise<void>;
}

/**
 * The page and the socket must come from this very host: a page on another origin in the same
 * browser must not drive the kiosk's screen API.
 */
function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export function isSameOriginUpgrade(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin === undefined || host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}

export function attachUiBridge(options: {
  server: Server;
  kiosk: KioskUiPort;
  handlers: UiActionHandlers;
  logger: Logger;
}): UiBridge {
  const { server, kiosk, handlers, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_FRAME_BYTES_MAX });
  const clients = new Set<WebSocket>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== UI_BRIDGE_PATH) {
      socket.destroy();
      return;
    }
    if (!isSameOriginUpgrade(request) || clients.size >= BRIDGE_CLIENTS_MAX) {
      logger.warn(
        { origin: request.headers.origin, clients: clients.size },
        'screen bridge connection refused',
      );
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      onConnection(ws);
    });
  };

  const send = (ws: WebSocket, frame: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > SEND_BUFFER_BYTES_MAX) {
      logger.warn('screen bridge client is not reading; closing it');
      ws.terminate();
      return;
    }
    ws.send(frame);
  };

  const onConnection = (ws: WebSocket) => {
    clients.add(ws);
    let pending = 0;
    const unsubscribe = kiosk.subscribe((event: KioskUiEvent) => {
      send(ws, encodeEventFrame(event.channel, event.payload));
    });
    // A screen that (re)connects gets the whole state at once, without waiting for the next change.
    send(ws, encodeEventFrame('state', kiosk.state()));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const decoded = decodeInvokeFrame(rawText(data));
      if (!decoded.ok) {
        if (decoded.id !== undefined)
          send(
            ws,
            encodeResultFrame({ id: decoded.id, ok: false, code: decoded.code, message: decoded.message }),
          );
        else logger.warn({ code: decoded.code }, 'screen bridge frame dropped');
        return;
      }
      const invoke = decoded.value;
      if (pending >= BRIDGE_PENDING_MAX) {
        send(
          ws,
          encodeResultFrame({
            id: invoke.id,
            ok: false,
            code: UiBridgeCode.TOO_MANY_PENDING,
            message: 'busy',
          }),
        );
        return;
      }
      pending += 1;
      dispatchUiAction(handlers, invoke)
        .then((value) => {
          send(ws, encodeResultFrame({ id: invoke.id, ok: true, value }));
        })
        .catch((error: unknown) => {
          logger.error({ err: error, channel: invoke.channel }, 'screen action failed');
          send(
            ws,
            encodeResultFrame({
              id: invoke.id,
              ok: false,
              code: UiBridgeCode.ACTION_FAILED,
              message: 'failed',
            }),
          );
        })
        .finally(() => {
          pending -= 1;
        });
    });
    ws.on('close', () => {
      clients.delete(ws);
      unsubscribe();
    });
    ws.on('error', (error) => {
      logger.warn({ err: error }, 'screen bridge socket error');
    });
  };

  server.on('upgrade', onUpgrade);
  return {
    clientCount: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.off('upgrade', onUpgrade);
        for (const ws of clients) ws.terminate();
        wss.close(() => {
          resolve();
        });
      }),
  };
}
