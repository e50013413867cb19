// Creatives on disk, content-addressed by sha256 (docs/protocol.md §5.5 creatives manifest): downloads what
// the current manifest names from the cloud, verifies size and hash before a file becomes visible, and
// keeps the directory under a total size by evicting the least recently used files the manifest no
// longer names. Downloads run with bounded concurrency and a timeout each.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { open, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '@redtap/shared';
import { pino, type Logger } from 'pino';
import { contentManifestEntries, markContentStored, type ManifestEntry } from '../store/config-queries.ts';
import type { Store } from '../store/open-store.ts';

export interface ContentCacheLimits {
  totalBytesMax: number;
  /** One creative; the manifest's own size field is checked against it before downloading. */
  itemBytesMax: number;
  concurrencyMax: number;
  downloadTimeoutMs: number;
  /** Files considered when the cache directory is scanned at start. */
  filesMax: number;
}

export const defaultContentCacheLimits: ContentCacheLimits = {
  totalBytesMax: 2 * 1024 ** 3,
  itemBytesMax: 512 * 1024 ** 2,
  concurrencyMax: 2,
  downloadTimeoutMs: 120_000,
  filesMax: 10_000,
};

export type DownloadOutcome =
  | 'stored'
  | 'cached'
  | 'no-url'
  | 'too-large'
  | 'no-space'
  | 'http-error'
  | 'size-mismatch'
  | 'hash-mismatch'
  | 'timeout'
  | 'failed';

export interface ContentSyncReport {
  outcomes: Record<string, DownloadOutcome>;
  evicted: string[];
}

export interface ContentCacheOptions {
  dir: string;
  store: Store;
  /** Base URL for `GET /v1/content/{sha256}` when a manifest entry carries no absolute URL. */
  cloudUrl?: string | undefined;
  fetch?: typeof fetch;
  /** Wall clock, Unix seconds (for the manifest's storedAt). */
  now?: () => number;
  logger?: Logger;
  limits?: Partial<ContentCacheLimits>;
}

interface CachedFile {
  bytes: number;
  lastUsedMs: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ContentCache {
  readonly limits: ContentCacheLimits;
  private readonly options: ContentCacheOptions;
  private readonly fetchFn: typeof fetch;
  private readonly logger: Logger;
  private lastUseStampMs = 0;
  /** sha256 → file; insertion order is not use order, lastUsedMs is. Bounded by what fits on disk. */
  private readonly files = new Map<string, CachedFile>();
  private readonly stopping = new AbortController();
  private running: Promise<ContentSyncReport> | null = null;
  /** The pass queued behind the running one. */
  private next: Promise<ContentSyncReport> | null = null;

  constructor(options: ContentCacheOptions) {
    this.options = options;
    this.limits = { ...defaultContentCacheLimits, ...options.limits };
    assert(
      this.limits.concurrencyMax >= 1 && this.limits.totalBytesMax >= 1,
      'cache limits must be positive',
    );
    this.fetchFn = options.fetch ?? fetch;
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'content' });
    mkdirSync(options.dir, { recursive: true });
    this.scan();
  }

  get totalBytes(): number {
    let total = 0;
    for (const file of this.files.values()) total += file.bytes;
    return total;
  }

  has(sha256: string): boolean {
    return this.files.has(sha256);
  }

  /**
   * Use times for least-recently-used eviction: the wall clock, but strictly increasing, so two uses in
   * the same millisecond still have an order.
   */
  private useStamp(): number {
    this.lastUseStampMs = Math.max(Date.now(), this.lastUseStampMs + 1);
    return this.lastUseStampMs;
  }

  /** The file of a cached creative, marking it recently used; null when it is not here (yet). */
  pathFor(sha256: string): string | null {
    const file = this.files.get(sha256);
    if (file === undefined) return null;
    file.lastUsedMs = this.useStamp();
    const path = join(this.options.dir, sha256);
    const seconds = file.lastUsedMs / 1000;
    // The mtime carries recency across restarts; losing one update only ages the file a little.
    utimes(path, seconds, seconds).catch(() => undefined);
    return path;
  }

  /**
   * Brings the cache in line with the stored manifest. A call while a pass runs gets the pass that starts
   * after it (every such call shares that one), so a burst of configs costs at most two passes and no
   * call is answered by a pass that began before it.
   */
  sync(): Promise<ContentSyncReport> {
    if (this.running === null) {
      this.running = this.syncOnce().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }

  /** Aborts downloads in progress and waits for the running pass to finish. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async syncOnce(): Promise<ContentSyncReport> {
    const manifest = contentManifestEntries(this.options.store);
    const wanted = new Set(manifest.map((entry) => entry.sha256));
    const report: ContentSyncReport = { outcomes: {}, evicted: [] };
    const missing: ManifestEntry[] = [];
    for (const entry of manifest) {
      if (this.files.has(entry.sha256)) {
        report.outcomes[entry.sha256] = 'cached';
        if (entry.storedAt === null) markContentStored(this.options.store, entry.sha256, this.now());
      } else missing.push(entry);
    }
    let next = 0;
    const worker = async () => {
      while (next < missing.length && !this.stopping.signal.aborted) {
        const entry = missing[next++];
        if (entry === undefined) return;
        report.outcomes[entry.sha256] = await this.download(entry, wanted, report.evicted);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limits.concurrencyMax, missing.length) }, worker));
    return report;
  }

  private async download(
    entry: ManifestEntry,
    wanted: Set<string>,
    evicted: string[],
  ): Promise<DownloadOutcome> {
    const url = this.urlFor(entry);
    if (url === null) return 'no-url';
    if (entry.bytes > this.limits.itemBytesMax || entry.bytes > this.limits.totalBytesMax) return 'too-large';
    if (!(await this.makeRoom(entry.bytes, wanted, evicted))) {
      this.logger.warn({ sha256: entry.sha256, bytes: entry.bytes }, 'no room for a creative');
      return 'no-space';
    }
    // Reserve the space now, so concurrent downloads cannot together overrun the bound.
    const reservation: CachedFile = { bytes: entry.bytes, lastUsedMs: this.useStamp() };
    const partial = join(
      this.options.dir,
      `.partial-${entry.sha256}-${process.pid}-${Math.random().toString(36).slice(2)}`,
    );
    this.files.set(`reserved:${partial}`, reservation);
    try {
      const outcome = await this.fetchTo(url, entry, partial);
      if (outcome !== 'stored') return outcome;
      await rename(partial, join(this.options.dir, entry.sha256));
      this.files.set(entry.sha256, { bytes: entry.bytes, lastUsedMs: this.useStamp() });
      markContentStored(this.options.store, entry.sha256, this.now());
      this.logger.info({ sha256: entry.sha256, bytes: entry.bytes }, 'creative cached');
      return 'stored';
    } finally {
      this.files.delete(`reserved:${partial}`);
      await rm(partial, { force: true }).catch(() => undefined);
    }
  }

  private async fetchTo(url: string, entry: ManifestEntry, partial: string): Promise<DownloadOutcome> {
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(this.limits.downloadTimeoutMs),
    ]);
    const file = await open(partial, 'wx', 0o600);
    try {
      const response = await this.fetchFn(url, { signal });
      if (!response.ok || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        this.logger.warn({ url, status: response.status }, 'creative download refused');
        return 'http-error';
      }
      const hash = createHash('sha256');
      let received = 0;
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += chunk.value.byteLength;
        // The manifest says how big it is; never take more than that from the network.
        if (received > entry.bytes) {
          await reader.cancel().catch(() => undefined);
          return 'size-mismatch';
        }
        hash.update(chunk.value);
        await file.write(chunk.value);
      }
      if (received !== entry.bytes) return 'size-mismatch';
      if (hash.digest('hex') !== entry.sha256) {
        this.logger.warn({ url, sha256: entry.sha256 }, 'creative failed its hash check');
        return 'hash-mismatch';
      }
      await file.sync();
      return 'stored';
    } catch (error) {
      if (signal.aborted) return 'timeout';
      this.logger.warn(
        { url, err: error instanceof Error ? error.message : String(error) },
        'creative download failed',
      );
      return 'failed';
    } finally {
      await file.close();
    }
  }

  /** Evicts least recently used files the manifest no longer names until `bytes` more fit. */
  private async makeRoom(bytes: number, wanted: Set<string>, evicted: string[]): Promise<boolean> {
    for (let round = 0; round < this.limits.filesMax; round++) {
      if (this.totalBytes + bytes <= this.limits.totalBytesMax) return true;
      let victim: string | null = null;
      let oldestMs = Number.POSITIVE_INFINITY;
      for (const [sha256, file] of this.files) {
        if (wanted.has(sha256) || !SHA256_HEX.test(sha256)) continue;
        if (file.lastUsedMs < oldestMs) {
          oldestMs = file.lastUsedMs;
          victim = sha256;
        }
      }
      if (victim === null) return false;
      this.files.delete(victim);
      evicted.push(victim);
      await rm(join(this.options.dir, victim), { force: true });
    }
    return false;
  }

  private urlFor(entry: ManifestEntry): string | null {
    if (/^https?:\/\//i.test(entry.url)) return entry.url;
    const base = this.options.cloudUrl;
    if (base === undefined) return null;
    if (entry.url.startsWith('/')) return new URL(entry.url, base).toString();
    return `${base.replace(/\/+$/, '')}/v1/content/${entry.sha256}`;
  }

  private now(): number {
    return (this.options.now ?? (() => Math.floor(Date.now() / 1000)))();
  }

  /** Rebuilds the index from the directory; leftovers of interrupted downloads are removed. */
  private scan(): void {
    const names = readdirSync(this.options.dir).slice(0, this.limits.filesMax);
    for (const name of names) {
      const path = join(this.options.dir, name);
      if (name.startsWith('.partial-')) {
        rm(path, { force: true }).catch(() => undefined);
        continue;
      }
      if (!SHA256_HEX.test(name)) continue;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isFile() === true) this.files.set(name, { bytes: stat.size, lastUsedMs: stat.mtimeMs });
    }
  }
}
