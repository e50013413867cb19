// Exchange state machine edge cases that need a misbehaving kiosk rather than a misbehaving phone.
import { ErrorCode } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { createKiosk, createPhone } from '../test/fixtures.ts';
import { DirectTransport } from './direct-transport.ts';
import { runTapExchange } from './exchange.ts';
import { CardType, TapReaderCode, type TapHandler } from './types.ts';

function exchange(handler: TapHandler, options: { commitWaitMaxMs?: number } = {}) {
  return runTapExchange({
    transport: new DirectTransport(createPhone()),
    handler,
    readerName: 'unit',
    cardType: CardType.iso14443_4,
    ...options,
  });
}

describe('runTapExchange', () => {
  const kiosk = createKiosk();

  it('turns a throwing onHello into HANDLER_FAILED without sending SIGN', async () => {
    const result = await exchange({
      onHello: () => Promise.reject(new Error('boom')),
      onSignature: kiosk.onSignature.bind(kiosk),
    });
    expect(result).toMatchObject({
      outcome: 'aborted',
      code: TapReaderCode.HANDLER_FAILED,
      committed: false,
    });
    expect(result.apdus.map((apdu) => apdu.step)).toEqual(['select']);
  });

  it('rejects a challenge that is not 36 bytes', async () => {
    const result = await exchange({
      onHello: () => Promise.resolve({ kind: 'challenge', challenge: new Uint8Array(35) }),
      onSignature: () => Promise.reject(new Error('unreachable')),
    });
    expect(result).toMatchObject({ outcome: 'aborted', code: TapReaderCode.HANDLER_FAILED });
  });

  it('stops waiting for a commit that never settles', async () => {
    const result = await exchange(
      { onHello: kiosk.onHello.bind(kiosk), onSignature: () => new Promise(() => undefined) },
      { commitWaitMaxMs: 20 },
    );
    expect(result).toMatchObject({
      outcome: 'aborted',
      code: TapReaderCode.HANDLER_TIMEOUT,
      committed: false,
    });
  });

  it('reports a committed tap whose token has the wrong size as undelivered', async () => {
    const result = await exchange({
      onHello: kiosk.onHello.bind(kiosk),
      onSignature: () => Promise.resolve({ kind: 'receipt', token: new Uint8Array(10) }),
    });
    expect(result).toMatchObject({
      outcome: 'undelivered',
      code: TapReaderCode.HANDLER_FAILED,
      committed: true,
    });
  });

  it('passes a kiosk refusal code through', async () => {
    const result = await exchange({
      onHello: () => Promise.resolve({ kind: 'refuse', code: ErrorCode.LOCAL_CAP }),
      onSignature: () => Promise.reject(new Error('unreachable')),
    });
    expect(result).toMatchObject({ outcome: 'refused', code: ErrorCode.LOCAL_CAP });
  });
});
