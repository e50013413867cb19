// Browser host mode: a loopback HTTP server that serves the built renderer, the cached creatives and
// the UI API over a WebSocket, so any Chromium (kiosk browser, a test, a laptop) can be the screen.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { pino, type Logger } from 'pino';
import type { KioskUiPort } from './kiosk-ui-port.ts';
import { uiActionHandlers } from './ui-actions.ts';
import { attachUiBridge, UI_BRIDGE_PATH } from './ws-bridge.ts';

/** Where `vite build` puts the renderer (screen-app/dist/renderer). */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const SHA256_HEX = /^[0-9a-f]{64}$/;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface BrowserHostOptions {
  kiosk: KioskUiPort;
  /** 0 picks a free port. */
  port?: number;
  /** Loopback by default: the screen API is for the browser on this machine only. */
  host?: string;
  rendererDir?: string;
  logger?: Logger;
  /** More routes served before the renderer files (the simulated reader's /sim endpoint). */
  extraRoutes?: readonly Hono[];
}

export interface BrowserHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function creativePath(sha256: string): string {
  return `/creatives/${sha256}`;
}

export function buildHostApp(
  kiosk: KioskUiPort,
  rendererDir: string,
  extraRoutes: readonly Hono[] = [],
): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });

  app.get('/creatives/:sha256', (c) => {
    const sha256 = c.req.param('sha256');
    if (!SHA256_HEX.test(sha256)) return c.text('not found', 404);
    const file = kiosk.creativeFile(sha256);
    if (file === null || !existsSync(file.path)) return c.text('not found', 404);
    const size = statSync(file.path).size;
    const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        'Content-Type': file.mime,
        'Content-Length': String(size),
        // Content-addressed: the bytes behind a sha256 never change.
        'Cache-Control': 'public, max-age=31536000, immutable',
      },
    });
  });

  app.get('/healthz', (c) => c.json({ ok: true }));
  for (const routes of extraRoutes) app.route('/', routes);

  app.use('/*', serveStatic({ root: rendererDir }));
  app.get('/', (c) =>
    c.text(`renderer not built in ${rendererDir}: run \`npm run build:renderer -w screen-app\``, 503),
  );
  return app;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const logger = options.logger ?? pino({ name: 'browser-host', level: 'warn' });
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html')))
    logger.warn({ rendererDir }, 'renderer is not built; the host will answer 503 until it is');
  const app = buildHostApp(options.kiosk, rendererDir, options.extraRoutes);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const listening = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: host },
      (info: AddressInfo) => {
        resolve({ server: listening as Server, port: info.port });
      },
    );
    listening.once('error', reject);
  });
  const bridge = attachUiBridge({
    server,
    kiosk: options.kiosk,
    handlers: uiActionHandlers(options.kiosk, creativePath),
    logger,
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  logger.info({ url, bridge: UI_BRIDGE_PATH }, 'browser host listening');
  return {
    url,
    port,
    close: async () => {
      await bridge.close();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
