import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeInvokeFrame,
  decodeKioskFrame,
  encodeEventFrame,
  encodeInvokeFrame,
  encodeResultFrame,
  UiBridgeCode,
} from './bridge-frames.ts';

const sha = 'ab'.repeat(32);

describe('bridge frames', () => {
  it('round-trips invokes, events and results', () => {
    expect(decodeInvokeFrame(encodeInvokeFrame(3, 'getCreativeUrl', { creativeSha256: sha }))).toEqual({
      ok: true,
      value: { id: 3, channel: 'getCreativeUrl', args: { creativeSha256: sha } },
    });
    const tap = {
      state: 'prize',
      tapId: 1,
      counter: 2,
      amountFen: 120,
      couponTitle: null,
      certainty: 'firm',
    } as const;
    expect(decodeKioskFrame(encodeEventFrame('tap', tap))).toEqual({
      ok: true,
      value: { kind: 'event', event: { channel: 'tap', payload: tap } },
    });
    expect(decodeKioskFrame(encodeResultFrame({ id: 4, ok: false, code: 'X', message: 'y' }))).toEqual({
      ok: true,
      value: { kind: 'result', result: { id: 4, ok: false, code: 'X', message: 'y' } },
    });
  });

  it('refuses unknown channels and bad arguments with the invoke id so the screen gets an answer', () => {
    expect(
      decodeInvokeFrame(JSON.stringify({ kind: 'invoke', id: 9, channel: 'payOut', args: {} })),
    ).toMatchObject({
      ok: false,
      id: 9,
      code: UiBridgeCode.CHANNEL_UNKNOWN,
    });
    expect(
      decodeInvokeFrame(encodeInvokeFrame(9, 'getCreativeUrl', { creativeSha256: '../etc/passwd' })),
    ).toMatchObject({
      ok: false,
      id: 9,
      code: UiBridgeCode.ARGS_INVALID,
    });
    expect(
      decodeInvokeFrame(JSON.stringify({ kind: 'invoke', id: 1, channel: 'toString', args: {} })),
    ).toMatchObject({
      code: UiBridgeCode.CHANNEL_UNKNOWN,
    });
    expect(
      decodeKioskFrame(
        encodeEventFrame('tap', {
          state: 'prize',
          tapId: 1,
          counter: 1,
          amountFen: -5,
          couponTitle: null,
          certainty: 'firm',
        }),
      ),
    ).toMatchObject({
      ok: false,
      code: UiBridgeCode.ARGS_INVALID,
    });
    expect(decodeInvokeFrame('x'.repeat(70_000))).toMatchObject({
      ok: false,
      code: UiBridgeCode.FRAME_INVALID,
    });
  });

  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          expect(typeof decodeInvokeFrame(text).ok).toBe('boolean');
          expect(typeof decodeKioskFrame(text).ok).toBe('boolean');
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
