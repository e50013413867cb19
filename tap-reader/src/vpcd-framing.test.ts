import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';
import { VpcdFrameDecoder, encodeVpcdFrame } from './vpcd-framing.ts';

describe('vpcd framing', () => {
  it('reassembles frames split and merged across TCP chunks', () => {
    const decoder = new VpcdFrameDecoder();
    const wire = Uint8Array.of(
      0x00,
      0x01,
      0x04, // control: send ATR
      0x00,
      0x05,
      0x00,
      0xa4,
      0x04,
      0x00,
      0x00, // a 5-byte APDU
    );
    expect(decoder.push(wire.subarray(0, 4))).toEqual([Uint8Array.of(0x04)]);
    expect(decoder.push(wire.subarray(4, 7))).toEqual([]);
    expect(decoder.push(wire.subarray(7))).toEqual([Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x00)]);
  });

  it('encodes a 2-byte big-endian length before the payload', () => {
    expect(encodeVpcdFrame(Uint8Array.of(0x3b, 0x80))).toEqual(Uint8Array.of(0x00, 0x02, 0x3b, 0x80));
  });
});

describe('backoff', () => {
  it('grows exponentially, stays capped and jitters within the upper half', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, options, () => 0)).toBe(50);
    expect(backoffDelayMs(3, options, () => 1)).toBe(400);
    expect(backoffDelayMs(50, options, () => 1)).toBe(1000);
    expect(backoffDelayMs(50, options, () => 0)).toBe(500);
  });
});
