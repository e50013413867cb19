import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeKioskFrame, encodeInvokeFrame } from '../ui-api/bridge-frames.ts';
import { KioskUiHub } from './kiosk-ui-hub.ts';
import { startBrowserHost, type BrowserHost } from './browser-host.ts';
import { BRIDGE_CLIENTS_MAX } from './ws-bridge.ts';

const sha = 'cd'.repeat(32);
let dir: string;
let host: BrowserHost;
let hub: KioskUiHub;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'redtap-host-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>screen</title>');
  writeFileSync(join(dir, sha), Buffer.from('PNGDATA'));
  hub = new KioskUiHub({
    creativeFile: (s) => (s === sha ? { path: join(dir, s), mime: 'image/png' } : null),
  });
  host = await startBrowserHost({ kiosk: hub, port: 0, rendererDir: dir });
});

afterEach(async () => {
  await host.close();
  hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the bridge as the page would, collecting decoded frames. */
function connect(origin = host.url.slice(0, -1)) {
  const socket = new WebSocket(`${host.url.replace('http', 'ws')}ui`, { origin });
  const frames: ReturnType<typeof decodeKioskFrame>[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data: Buffer) => {
    frames.push(decodeKioskFrame(data.toString('utf8')));
    for (const wake of waiters.splice(0)) wake();
  });
  const nextFrames = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${frames.length} frames`)), 5_000);
      const check = () => {
        if (frames.length >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  const opened = new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  return { socket, frames, nextFrames, opened };
}

describe('browser host', () => {
  it('serves the renderer, security headers and cached creatives by sha256 only', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const creative = await fetch(`${host.url}creatives/${sha}`);
    expect(creative.headers.get('content-type')).toBe('image/png');
    expect(creative.headers.get('cache-control')).toContain('immutable');
    expect(await creative.text()).toBe('PNGDATA');
    expect((await fetch(`${host.url}creatives/${'00'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${host.url}creatives/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('pushes the state on connect, answers invokes and forwards events', async () => {
    const client = connect();
    expect(await client.opened).toBe(true);
    await client.nextFrames(1);
    expect(client.frames[0]).toMatchObject({
      ok: true,
      value: { kind: 'event', event: { channel: 'state' } },
    });
    client.socket.send(encodeInvokeFrame(1, 'getCreativeUrl', { creativeSha256: sha }));
    client.socket.send(encodeInvokeFrame(2, 'getCreativeUrl', { creativeSha256: '11'.repeat(32) }));
    client.socket.send(
      JSON.stringify({ kind: 'invoke', id: 3, channel: 'getCreativeUrl', args: { creativeSha256: 'x' } }),
    );
    await client.nextFrames(4);
    // Results come back in completion order, not request order.
    const byId = (frame: (typeof client.frames)[number]) =>
      frame.ok && frame.value.kind === 'result' ? frame.value.result.id : 0;
    expect(client.frames.slice(1, 4).sort((a, b) => byId(a) - byId(b))).toEqual([
      { ok: true, value: { kind: 'result', result: { id: 1, ok: true, value: `/creatives/${sha}` } } },
      { ok: true, value: { kind: 'result', result: { id: 2, ok: true, value: null } } },
      {
        ok: true,
        value: {
          kind: 'result',
          result: { id: 3, ok: false, code: 'ARGS_INVALID', message: 'bad arguments for getCreativeUrl' },
        },
      },
    ]);
    hub.showTap({ state: 'reading', tapId: hub.newTapId() });
    await client.nextFrames(5);
    expect(client.frames[4]).toMatchObject({ ok: true, value: { kind: 'event', event: { channel: 'tap' } } });
    client.socket.close();
  });

  it('refuses other origins and too many screens', async () => {
    expect(await connect('http://evil.example').opened).toBe(false);
    const clients = Array.from({ length: BRIDGE_CLIENTS_MAX }, () => connect());
    for (const client of clients) expect(await client.opened).toBe(true);
    expect(await connect().opened).toBe(false);
    for (const client of clients) client.socket.close();
  });
});

describe('browser host without a renderer build', () => {
  it('answers 503 with the build command', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'redtap-host-empty-'));
    const bare = await startBrowserHost({ kiosk: new KioskUiHub(), port: 0, rendererDir: empty });
    const response = await fetch(bare.url);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('build:renderer');
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  });
});
