// The tap engine behind tap-reader's exchange handler, for every tap source (PC/SC or simulated):
// HELLO → beginTap, the phone's day state → provideDayState, signature → completeTap (the durable
// commit), an exchange that ends early → abandonTap. Each committed prize reaches the screen before the
// receipt goes out, and sync is told.
import type {
  ChallengeDecision,
  DayStateResult,
  HelloDecision,
  SignatureContext,
  SignatureDecision,
  TapContext,
  TapEvent,
  TapHandler,
  TapSource,
} from '@redtap/tap-reader';
import { ErrorCode } from '@redtap/shared';
import { pino, type Logger } from 'pino';
import { KioskCode } from '../codes.ts';
import type { TapEngine, TapPrize, TapSession } from '../engine/tap-engine.ts';
import type { TapPrizeLike } from '../ui-api/tap-view.ts';

/** Readers one kiosk drives at once; a tap source has a handful at most. */
export const TAP_READERS_MAX = 8;

/** Where the screen learns about taps (TapUiFeed, or nothing when running headless). */
export interface TapFeed {
  prizeCommitted(readerName: string, prize: TapPrizeLike): void;
  onTapEvent(event: TapEvent): void;
}

export interface EngineTapHandlerOptions {
  engine: Pick<TapEngine, 'beginTap' | 'provideDayState' | 'completeTap' | 'abandonTap'>;
  /** Called once per committed tap, before the receipt is sent (sync sends the outbox on the next turn). */
  onTapCommitted?: (prize: TapPrize) => void;
  feed?: TapFeed | null;
  logger?: Logger;
}

export class EngineTapHandler implements TapHandler {
  private readonly engine: EngineTapHandlerOptions['engine'];
  private readonly onTapCommitted: (prize: TapPrize) => void;
  private readonly feed: TapFeed | null;
  private readonly logger: Logger;
  private readonly sessions = new Map<string, TapSession>();
  private outOfService = false;

  constructor(options: EngineTapHandlerOptions) {
    this.engine = options.engine;
    this.onTapCommitted = options.onTapCommitted ?? (() => undefined);
    this.feed = options.feed ?? null;
    this.logger = options.logger ?? pino({ enabled: false });
  }

  /**
   * A revoked screen commits nothing: the cloud would refuse its tokens (SCREEN_REVOKED) after the
   * envelope was used and the prize shown. Checked before the engine is asked for a challenge.
   */
  setOutOfService(outOfService: boolean): void {
    this.outOfService = outOfService;
  }

  async onHello(hello: Parameters<TapHandler['onHello']>[0], context: TapContext): Promise<HelloDecision> {
    if (this.outOfService)
      return { kind: 'refuse', code: ErrorCode.SCREEN_REVOKED, message: 'this screen is out of service' };
    if (!this.sessions.has(context.readerName) && this.sessions.size >= TAP_READERS_MAX)
      return { kind: 'refuse', code: KioskCode.SCREEN_BUSY, message: 'too many readers mid-tap' };
    // A session left over on this reader (its exchange never reported) must not hold the counter.
    this.release(context.readerName);
    const begun = await this.engine.beginTap(hello, { signal: context.signal });
    if (!begun.ok) return { kind: 'refuse', code: begun.code, message: begun.message };
    this.sessions.set(context.readerName, begun.session);
    // A phone that leaves before signing must not hold the counter until the lease runs out.
    context.signal.addEventListener(
      'abort',
      () => {
        if (this.sessions.get(context.readerName)?.id === begun.session.id) this.release(context.readerName);
      },
      { once: true },
    );
    // Ask the phone for its day state first; the challenge follows in onDayState (docs/protocol.md §4.4).
    if (begun.session.dayStateRequest !== null)
      return { kind: 'day-state', request: begun.session.dayStateRequest };
    return { kind: 'challenge', challenge: begun.session.challenge };
  }

  /** The phone's day state (or none, from a phone without it): the engine checks it and challenges. */
  onDayState(result: DayStateResult, context: TapContext): Promise<ChallengeDecision> {
    const session = this.sessions.get(context.readerName);
    if (session === undefined)
      return Promise.resolve({ kind: 'refuse', code: KioskCode.SESSION_STALE, message: 'no tap session' });
    const provided = this.engine.provideDayState(session, result.ok ? result.bytes : null);
    if (!provided.ok) {
      this.sessions.delete(context.readerName);
      return Promise.resolve({ kind: 'refuse', code: provided.code, message: provided.message });
    }
    this.sessions.set(context.readerName, provided.session);
    return Promise.resolve({ kind: 'challenge', challenge: provided.session.challenge });
  }

  onSignature(signature: Uint8Array, context: SignatureContext): Promise<SignatureDecision> {
    const session = this.sessions.get(context.readerName);
    this.sessions.delete(context.readerName);
    // Revoked mid-tap: abandon instead of committing.
    if (session !== undefined && this.outOfService) {
      this.engine.abandonTap(session);
      return Promise.resolve({
        kind: 'refuse',
        code: ErrorCode.SCREEN_REVOKED,
        message: 'this screen is out of service',
      });
    }
    if (session === undefined)
      return Promise.resolve({ kind: 'refuse', code: KioskCode.SESSION_STALE, message: 'no tap session' });
    const done = this.engine.completeTap(session, signature);
    if (!done.ok) return Promise.resolve({ kind: 'refuse', code: done.code, message: done.message });
    // Committed: from here the tap is paid whatever happens, so observers must not break the receipt.
    try {
      this.feed?.prizeCommitted(context.readerName, done.prize);
      this.onTapCommitted(done.prize);
    } catch (error) {
      this.logger.error({ err: error, counter: done.prize.counter }, 'tap commit observer failed');
    }
    return Promise.resolve({
      kind: 'receipt',
      token: done.prize.token,
      receiptExtra: done.prize.receiptExtra,
    });
  }

  /** The exchange ended without a commit: frees the counter for the next phone. */
  release(readerName: string): void {
    const session = this.sessions.get(readerName);
    this.sessions.delete(readerName);
    if (session !== undefined) this.engine.abandonTap(session);
  }

  /** Follows a tap source: feeds the screen and frees the counter when an exchange ends. */
  attach(source: Pick<TapSource, 'on'>): () => void {
    return source.on((event) => {
      this.feed?.onTapEvent(event);
      if (event.type === 'tap') this.release(event.result.readerName);
      else if (event.type === 'reader.detached') this.release(event.readerName);
    });
  }
}
