// The phone simulator's server: the page (plain HTML/JS/CSS from ./phone-simulator, no CDN) and a small
// JSON API over the launcher's phones and kiosks. Loopback only; the phones' keys never leave it.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DemoKiosk } from './kiosk-fleet.ts';
import { PhoneError, type PhoneBook } from './phones.ts';

const PAGE_DIR = new URL('./phone-simulator/', import.meta.url);
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'phone.js': 'text/javascript; charset=utf-8',
  'phone.css': 'text/css; charset=utf-8',
};
const BODY_BYTES_MAX = 4 * 1024;

export interface DemoScreenInfo {
  index: number;
  name: string;
  city: string;
}

export interface DemoServerOptions {
  host: string;
  port: number;
  phones: PhoneBook;
  kiosks: () => readonly DemoKiosk[];
  screens: readonly DemoScreenInfo[];
  cloudUrl: string;
}

/** Host headers of a loopback address (any port): what a browser sends for the simulator's own page. */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/;

const PhoneName = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/);

export function demoApp(options: DemoServerOptions): Hono {
  const app = new Hono();
  const kiosk = (index: number) => options.kiosks().find((candidate) => candidate.index === index);

  app.onError((error, c) => {
    if (error instanceof PhoneError)
      return c.json({ error: { code: error.code, message: error.message } }, 409);
    return c.json({ error: { code: 'DEMO_ERROR', message: error.message } }, 500);
  });
  const body = async <T>(c: { req: { text(): Promise<string> } }, schema: z.ZodType<T>) => {
    const text = await c.req.text();
    if (text.length > BODY_BYTES_MAX) throw new PhoneError('BAD_REQUEST', 'body too large');
    const parsed = schema.safeParse(text === '' ? {} : JSON.parse(text));
    if (!parsed.success)
      throw new PhoneError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'bad request');
    return parsed.data;
  };

  // The API hands out wallet logins and taps with the phones' keys, so only the simulator's own page may
  // call it: a Host other than loopback (or the address it was started on) is a DNS-rebinding page, and a POST whose Origin is another site is a
  // cross-site request (a plain form or fetch from any page the user has open).
  app.use('/api/*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!LOOPBACK_HOST.test(host) && host.replace(/:\d{1,5}$/, '') !== options.host)
      return c.json(
        { error: { code: 'FORBIDDEN', message: 'the phone simulator answers loopback only' } },
        403,
      );
    const origin = c.req.header('origin');
    if (c.req.method !== 'GET' && origin !== undefined && origin !== `http://${host}`)
      return c.json({ error: { code: 'FORBIDDEN', message: 'cross-origin requests are refused' } }, 403);
    await next();
    return undefined;
  });

  for (const [file, type] of Object.entries(ASSETS)) {
    const path = file === 'index.html' ? '/' : `/${file}`;
    app.get(path, (c) => {
      c.header('content-type', type);
      c.header('cache-control', 'no-store');
      return c.body(readFileSync(new URL(file, PAGE_DIR), 'utf8'));
    });
  }

  app.get('/api/info', (c) => c.json({ cloudUrl: options.cloudUrl }));

  app.get('/api/screens', async (c) => {
    const screens = await Promise.all(
      options.screens.map(async (screen) => {
        const running = kiosk(screen.index);
        const status = await running?.status().catch(() => null);
        return {
          ...screen,
          running: running !== undefined && status !== null,
          screenId: running?.screenId ?? null,
          url: running?.url ?? null,
          reader: running?.reader ?? null,
          linkOnline: running?.link.online ?? false,
          connected: status?.connected ?? false,
          backlog: status?.backlog ?? null,
          counter: status?.counter ?? null,
          envelopesLeft: status?.envelopesLeft ?? null,
        };
      }),
    );
    return c.json({ screens });
  });

  app.post('/api/screens/:index/link', async (c) => {
    const running = kiosk(Number(c.req.param('index')));
    if (running === undefined) throw new PhoneError('NO_SUCH_SCREEN', 'no such screen');
    const { online } = await body(c, z.object({ online: z.boolean() }));
    running.link.setOnline(online);
    return c.json({ index: running.index, linkOnline: running.link.online });
  });

  app.get('/api/phones', (c) => c.json({ phones: options.phones.list() }));

  app.post('/api/phones', async (c) => {
    const { name } = await body(c, z.object({ name: PhoneName }));
    return c.json(await options.phones.create(name), 201);
  });

  app.post('/api/phones/:name/tap', async (c) => {
    const name = PhoneName.parse(c.req.param('name'));
    const { screen } = await body(c, z.object({ screen: z.number().int() }));
    const running = kiosk(screen);
    if (running === undefined) throw new PhoneError('NO_SUCH_SCREEN', `screen ${screen} is not running`);
    return c.json(await options.phones.tap(name, running));
  });

  app.post('/api/phones/:name/online', async (c) => {
    const name = PhoneName.parse(c.req.param('name'));
    const { online } = await body(c, z.object({ online: z.boolean() }));
    return c.json(await options.phones.setOnline(name, online));
  });

  app.get('/api/phones/:name/wallet', async (c) => {
    const name = PhoneName.parse(c.req.param('name'));
    return c.json(await options.phones.wallet(name));
  });

  // POST, so a page on another origin cannot read the link: without CORS headers its fetch is opaque.
  app.post('/api/phones/:name/wallet-link', async (c) => {
    const name = PhoneName.parse(c.req.param('name'));
    c.header('cache-control', 'no-store');
    return c.json(await options.phones.walletLoginLink(name, options.cloudUrl));
  });
  return app;
}

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const app = demoApp(options);
  let server: ServerType | undefined;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, resolve);
    server.once('error', reject);
  });
  const running = server;
  return {
    url: `http://${options.host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        if (running === undefined) {
          resolve();
          return;
        }
        running.close(() => resolve());
        if ('closeAllConnections' in running) running.closeAllConnections();
      }),
  };
}
