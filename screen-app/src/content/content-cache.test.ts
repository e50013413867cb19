import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreativeEntry } from '@redtap/shared';
import { kiosk, screenConfig, T0, tempDir } from '../../test/fixtures.ts';
import { contentManifestEntries, saveConfig } from '../store/config-queries.ts';
import type { Store } from '../store/open-store.ts';
import { ContentCache } from './content-cache.ts';

interface Creative {
  sha256: string;
  body: Buffer;
}

function creative(bytes: number): Creative {
  const body = randomBytes(bytes);
  return { sha256: createHash('sha256').update(body).digest('hex'), body };
}

let dir: ReturnType<typeof tempDir>;
let store: Store;
let server: Server;
let baseUrl: string;
/** What the server serves by sha256; `hang` never answers, `corrupt` flips a byte. */
const served = new Map<string, Buffer | 'hang'>();
let concurrent = 0;
let concurrentMax = 0;
let requests = 0;

beforeEach(async () => {
  dir = tempDir();
  ({ store } = kiosk(dir.dir));
  served.clear();
  concurrent = concurrentMax = requests = 0;
  server = createServer((request, response) => {
    requests++;
    const sha = /^\/v1\/content\/([0-9a-f]{64})$/.exec(request.url ?? '')?.[1] ?? '';
    const body = served.get(sha);
    if (body === 'hang') return;
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    concurrent++;
    concurrentMax = Math.max(concurrentMax, concurrent);
    // Answer on a later turn so overlapping downloads really overlap.
    setImmediate(() => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body, () => concurrent--);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  store.close();
  dir.cleanup();
});

function manifest(version: number, creatives: Creative[], overrides: Partial<CreativeEntry> = {}): void {
  const entries = creatives.map((c) => ({
    sha256: c.sha256,
    mime: 'image/png' as const,
    bytes: c.body.length,
    url: '',
    ...overrides,
  }));
  expect(saveConfig(store, screenConfig({ version, creatives: entries }), T0)).toBe('stored');
}

function cache(limits: Partial<ContentCache['limits']> = {}): ContentCache {
  return new ContentCache({ dir: join(dir.dir, 'content'), store, cloudUrl: baseUrl, now: () => T0, limits });
}

describe('ContentCache', () => {
  it('answers a sync asked for during a pass with a pass that starts after it, shared by every such call', async () => {
    const first = creative(1_000);
    const second = creative(1_000);
    served.set(first.sha256, first.body);
    served.set(second.sha256, second.body);
    manifest(2, [first]);
    const contents = cache();
    const running = contents.sync();
    // A new config lands while the first pass runs; two calls ask for it.
    manifest(3, [first, second]);
    const asked = [contents.sync(), contents.sync()];
    expect(asked[0]).toBe(asked[1]);
    expect(Object.keys((await running).outcomes)).toEqual([first.sha256]);
    for (const report of await Promise.all(asked)) expect(report.outcomes[second.sha256]).toBe('stored');
    // And a call at any microtask while a pass finishes still gets a pass of its own.
    for (let offset = 0; offset < 20; offset++) {
      const third = creative(500);
      served.set(third.sha256, third.body);
      const pass = contents.sync();
      for (let i = 0; i < offset; i++) await Promise.resolve();
      manifest(10 + offset, [first, second, third]);
      const late = await contents.sync();
      await pass;
      expect(late.outcomes[third.sha256], `offset ${offset}`).toBe('stored');
    }
  });
  it('downloads, verifies and stores creatives content-addressed, with bounded concurrency', async () => {
    const creatives = Array.from({ length: 6 }, () => creative(2_000));
    for (const c of creatives) served.set(c.sha256, c.body);
    manifest(2, creatives);
    const contents = cache({ concurrencyMax: 2 });
    const report = await contents.sync();
    expect(Object.values(report.outcomes)).toEqual(Array(6).fill('stored'));
    expect(concurrentMax).toBeLessThanOrEqual(2);
    for (const c of creatives) {
      const path = contents.pathFor(c.sha256);
      expect(path !== null && readFileSync(path).equals(c.body)).toBe(true);
    }
    expect(contentManifestEntries(store).every((entry) => entry.storedAt === T0)).toBe(true);

    // A second pass downloads nothing; a restarted cache finds the files on disk.
    requests = 0;
    expect(Object.values((await cache().sync()).outcomes)).toEqual(Array(6).fill('cached'));
    expect(requests).toBe(0);
  });

  it('refuses content that does not match its hash or size, and keeps nothing of it', async () => {
    const good = creative(1_000);
    const tampered = creative(1_000);
    const short = creative(1_000);
    const long = creative(1_000);
    served.set(good.sha256, good.body);
    served.set(tampered.sha256, Buffer.from(tampered.body).fill(1, 0, 1));
    served.set(short.sha256, short.body.subarray(0, 999));
    served.set(long.sha256, Buffer.concat([long.body, Buffer.from('x')]));
    manifest(2, [good, tampered, short, long]);
    const report = await cache().sync();
    expect(report.outcomes).toEqual({
      [good.sha256]: 'stored',
      [tampered.sha256]: 'hash-mismatch',
      [short.sha256]: 'size-mismatch',
      [long.sha256]: 'size-mismatch',
    });
    expect(readdirSync(join(dir.dir, 'content'))).toEqual([good.sha256]);
  });

  it('evicts least recently used creatives the manifest dropped to stay under its size bound', async () => {
    const [a, b, c, d] = Array.from({ length: 4 }, () => creative(1_000)) as [
      Creative,
      Creative,
      Creative,
      Creative,
    ];
    for (const item of [a, b, c, d]) served.set(item.sha256, item.body);
    const contents = cache({ totalBytesMax: 2_500 });
    manifest(2, [a, b]);
    await contents.sync();
    contents.pathFor(a.sha256); // a is newer in use than b
    manifest(3, [c]);
    const third = await contents.sync();
    expect(third.outcomes).toEqual({ [c.sha256]: 'stored' });
    expect(third.evicted).toEqual([b.sha256]);
    manifest(4, [c, d]);
    const fourth = await contents.sync();
    expect(fourth.evicted).toEqual([a.sha256]);
    expect(contents.totalBytes).toBe(2_000);
    expect(existsSync(join(dir.dir, 'content', a.sha256))).toBe(false);

    // Nothing evictable: the manifest alone is over the bound.
    const big = creative(1_000);
    served.set(big.sha256, big.body);
    manifest(5, [c, d, big]);
    expect((await contents.sync()).outcomes[big.sha256]).toBe('no-space');
  });

  it('times out a download that never answers, and refuses one larger than the item bound', async () => {
    const slow = creative(100);
    const huge = creative(5_000);
    served.set(slow.sha256, 'hang');
    served.set(huge.sha256, huge.body);
    manifest(2, [slow, huge]);
    const report = await cache({ downloadTimeoutMs: 200, itemBytesMax: 4_000 }).sync();
    expect(report.outcomes).toEqual({ [slow.sha256]: 'timeout', [huge.sha256]: 'too-large' });
  });

  it('uses an absolute URL from the manifest and reports HTTP errors', async () => {
    const missing = creative(10);
    manifest(2, [missing], { url: `${baseUrl}/v1/content/${missing.sha256}` });
    const contents = new ContentCache({ dir: join(dir.dir, 'content'), store });
    expect((await contents.sync()).outcomes).toEqual({ [missing.sha256]: 'http-error' });
  });
});
