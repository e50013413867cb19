// The console's static files: the wallet's web manifest and service worker are served with their own
// content types and revalidated on every load; hashed assets are cached for good; the API is never the shell.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { mountConsole } from './console-assets.ts';

const distDir = mkdtempSync(join(tmpdir(), 'redtap-console-assets-'));
mkdirSync(join(distDir, 'assets'));
writeFileSync(
  join(distDir, 'index.html'),
  '<!doctype html><link rel="manifest" href="/manifest.webmanifest">',
);
writeFileSync(
  join(distDir, 'manifest.webmanifest'),
  JSON.stringify({ start_url: '/wallet', scope: '/wallet' }),
);
writeFileSync(join(distDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
writeFileSync(join(distDir, 'assets', 'index-abc123.js'), 'export {};');

const app = new Hono();
mountConsole(app, { distDir });
app.get('/v1/*', (c) => c.json({ error: { code: 'NOT_FOUND', message: 'no route' } }, 404));

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

describe('console assets', () => {
  it('serves the web manifest as application/manifest+json, revalidated', async () => {
    const response = await app.request('/manifest.webmanifest');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/manifest+json');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.json()).toEqual({ start_url: '/wallet', scope: '/wallet' });
  });

  it('serves the service worker as JavaScript, revalidated, and hashed assets for a year', async () => {
    const worker = await app.request('/sw.js');
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers the wallet with the app shell and leaves the API alone', async () => {
    const wallet = await app.request('/wallet');
    expect(wallet.status).toBe(200);
    expect(wallet.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await wallet.text()).toContain('rel="manifest"');
    const api = await app.request('/v1/wallets/me');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });
});
