// Pages the revocations a screen is missing (docs/protocol.md §5.8): when its revocation number is
// behind the one its config names and the config's window does not reach back to it, it asks
// `GET /v1/screens/me/revocations?after=<its number>` with its broker login as Basic, checks each page
// (schema, the range it asked for, progress, the issuer signature bound to this screen) and applies it
// as a delta, until it is current. A bad page is refused with a code and nothing of it is applied; a
// failure is retried with jittered backoff. One catch-up runs at a time.
import type { KeyObject } from 'node:crypto';
import { REVOCATION_PAGE_MAX, RevocationPage, verifyRevocationPage } from '@redtap/shared';
import { pino, type Logger } from 'pino';
import { KioskCode } from '../codes.ts';
import type { StartTimer } from '../engine/tap-lease.ts';
import type { Store } from '../store/open-store.ts';
import {
  applyRevocationDelta,
  revocationStatus,
  type RevocationStatus,
} from '../store/revocation-queries.ts';
import { backoffDelayMs } from './backoff.ts';

export interface RevocationCatchUpLimits {
  pageLimit: number;
  /** One page's request, body included. */
  pageTimeoutMs: number;
  /** A page larger than this is refused unread (5,000 entries are about 200 kB). */
  pageBytesMax: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export const defaultRevocationCatchUpLimits: RevocationCatchUpLimits = {
  pageLimit: REVOCATION_PAGE_MAX,
  pageTimeoutMs: 30_000,
  pageBytesMax: 1024 * 1024,
  retryInitialMs: 2_000,
  retryMaxMs: 300_000,
};

export type RevocationCatchUpEvent =
  | { type: 'page'; after: number; through: number; entries: number }
  | { type: 'current'; version: number }
  | {
      type: 'refused';
      code: typeof KioskCode.REVOCATION_PAGE_INVALID | typeof KioskCode.REVOCATION_FETCH_FAILED;
      message: string;
    };

export interface RevocationCatchUpOptions {
  store: Store;
  screenId: number;
  /** The cloud's HTTP base the screen enrolled against. */
  cloudUrl: string;
  /** The broker login (`screen-{id}` and its password), sent as HTTP Basic. */
  login: { username: string; password: string };
  /** The issuer keys the screen trusts now (pinned and offered by its config). */
  issuerKeys: () => ReadonlyMap<number, KeyObject>;
  fetch?: typeof fetch;
  now: () => number;
  startTimer: StartTimer;
  random?: () => number;
  logger?: Logger;
  limits?: Partial<RevocationCatchUpLimits>;
  onEvent?: (event: RevocationCatchUpEvent) => void;
}

type PageOutcome =
  | { ok: true; page: RevocationPage }
  | {
      ok: false;
      code: typeof KioskCode.REVOCATION_PAGE_INVALID | typeof KioskCode.REVOCATION_FETCH_FAILED;
      message: string;
    };

export class RevocationCatchUp {
  readonly limits: RevocationCatchUpLimits;
  private readonly options: RevocationCatchUpOptions;
  private readonly logger: Logger;
  private readonly fetchFn: typeof fetch;
  private running: Promise<void> | null = null;
  private failures = 0;
  private cancelRetry: (() => void) | null = null;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(options: RevocationCatchUpOptions) {
    this.options = options;
    this.limits = { ...defaultRevocationCatchUpLimits, ...options.limits };
    this.fetchFn = options.fetch ?? fetch;
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'revocations' });
  }

  get status(): RevocationStatus {
    return revocationStatus(this.options.store);
  }

  /** Starts catching up if the store says the screen is behind; the running catch-up otherwise. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.abort.abort();
  }

  /** Read afresh after an await (stop() may have run meanwhile). */
  private get halted(): boolean {
    return this.stopped;
  }

  private async run(): Promise<void> {
    this.cancelRetry?.();
    this.cancelRetry = null;
    for (;;) {
      if (this.stopped) return;
      const status = revocationStatus(this.options.store);
      if (status.version >= status.target) {
        this.failures = 0;
        this.emit({ type: 'current', version: status.version });
        return;
      }
      const outcome = await this.fetchPage(status.version);
      if (!outcome.ok) {
        this.failures += 1;
        this.logger.warn({ code: outcome.code, after: status.version }, outcome.message);
        this.emit({ type: 'refused', code: outcome.code, message: outcome.message });
        const delayMs = backoffDelayMs(
          this.failures,
          { initialMs: this.limits.retryInitialMs, maxMs: this.limits.retryMaxMs },
          this.options.random ?? Math.random,
        );
        if (!this.halted)
          this.cancelRetry = this.options.startTimer(() => {
            this.cancelRetry = null;
            void this.kick();
          }, delayMs);
        return;
      }
      const { page } = outcome;
      this.failures = 0;
      applyRevocationDelta(
        this.options.store,
        { from: page.after, to: page.through, entries: page.entries },
        this.options.now(),
      );
      this.logger.debug({ after: page.after, through: page.through }, 'revocation page applied');
      this.emit({ type: 'page', after: page.after, through: page.through, entries: page.entries.length });
    }
  }

  private async fetchPage(after: number): Promise<PageOutcome> {
    const { cloudUrl, login } = this.options;
    const url = new URL('/v1/screens/me/revocations', cloudUrl);
    url.searchParams.set('after', String(after));
    url.searchParams.set('limit', String(this.limits.pageLimit));
    let text: string;
    try {
      const response = await this.fetchFn(url, {
        headers: {
          authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
        },
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.limits.pageTimeoutMs)]),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return fetchFailed(`revocation page refused: HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > this.limits.pageBytesMax) {
        await response.body?.cancel().catch(() => undefined);
        return invalid(`revocation page of ${declared} bytes is over ${this.limits.pageBytesMax}`);
      }
      text = await response.text();
    } catch (error) {
      return fetchFailed(
        `revocation page not fetched: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (Buffer.byteLength(text) > this.limits.pageBytesMax) return invalid('revocation page too large');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return invalid('revocation page is not JSON');
    }
    const parsed = RevocationPage.safeParse(json);
    if (!parsed.success) return invalid('revocation page fails its schema');
    const page = parsed.data;
    if (page.after !== after) return invalid(`revocation page starts after ${page.after}, not ${after}`);
    // The cloud has nothing after our number yet (its log is behind the config we hold): try later.
    if (page.through <= after && page.version <= after)
      return fetchFailed(`the cloud has no revocation after ${after} yet`);
    if (page.through <= after) return invalid('revocation page makes no progress');
    if (page.entries.length > this.limits.pageLimit) return invalid('revocation page has too many entries');
    const key = this.options.issuerKeys().get(page.keyId);
    if (key === undefined) return invalid(`revocation page signed by unknown issuer key ${page.keyId}`);
    if (!verifyRevocationPage(this.options.screenId, page, key))
      return invalid('revocation page signature does not verify');
    return { ok: true, page };
  }

  private emit(event: RevocationCatchUpEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.logger.error({ err: error }, 'revocation observer failed');
    }
  }
}

function invalid(message: string): PageOutcome {
  return { ok: false, code: KioskCode.REVOCATION_PAGE_INVALID, message };
}

function fetchFailed(message: string): PageOutcome {
  return { ok: false, code: KioskCode.REVOCATION_FETCH_FAILED, message };
}
