// The tap engine behind the reader's TapHandler, as a kiosk wires it: HELLO → beginTap, signature →
// completeTap, and every committed prize handed to the screen before the receipt goes out.
import type {
  HelloDecision,
  SignatureDecision,
  TapContext,
  SignatureContext,
  TapHandler,
} from '@redtap/tap-reader';
import type { TapEngine, TapSession } from '../../src/engine/tap-engine.ts';
import type { TapUiFeed } from '../../src/host/tap-feed.ts';

export class EngineTapHandler implements TapHandler {
  private readonly engine: TapEngine;
  private readonly feed: TapUiFeed;
  private readonly sessions = new Map<string, TapSession>();

  constructor(engine: TapEngine, feed: TapUiFeed) {
    this.engine = engine;
    this.feed = feed;
  }

  async onHello(hello: Parameters<TapHandler['onHello']>[0], context: TapContext): Promise<HelloDecision> {
    const begun = await this.engine.beginTap(hello, { signal: context.signal });
    if (!begun.ok) return { kind: 'refuse', code: begun.code, message: begun.message };
    this.sessions.set(context.readerName, begun.session);
    // A phone that leaves before signing must not hold the counter until the lease runs out.
    context.signal.addEventListener('abort', () => {
      const session = this.sessions.get(context.readerName);
      if (session !== undefined && session.id === begun.session.id) this.release(context.readerName);
    });
    return { kind: 'challenge', challenge: begun.session.challenge };
  }

  onSignature(signature: Uint8Array, context: SignatureContext): Promise<SignatureDecision> {
    const session = this.sessions.get(context.readerName);
    this.sessions.delete(context.readerName);
    if (session === undefined) return Promise.resolve({ kind: 'refuse', code: 'SESSION_STALE' });
    const done = this.engine.completeTap(session, signature);
    if (!done.ok) return Promise.resolve({ kind: 'refuse', code: done.code, message: done.message });
    this.feed.prizeCommitted(context.readerName, done.prize);
    return Promise.resolve({ kind: 'receipt', token: done.prize.token });
  }

  /** The exchange ended without a signature: free the counter for the next phone. */
  release(readerName: string): void {
    const session = this.sessions.get(readerName);
    this.sessions.delete(readerName);
    if (session !== undefined) this.engine.abandonTap(session);
  }
}
