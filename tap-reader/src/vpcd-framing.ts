// vpcd's wire framing (vsmartcard virtualsmartcard/src/vpcd): every message is a 2-byte big-endian
// length, then that many bytes. A 1-byte message is a control code; anything longer is an APDU.
import { assert } from '@redtap/shared';

export const VpcdControl = {
  powerOff: 0,
  powerOn: 1,
  reset: 2,
  getAtr: 4,
} as const;

export const VPCD_FRAME_LENGTH_MAX = 0xffff;

export function encodeVpcdFrame(payload: Uint8Array): Uint8Array {
  assert(payload.length <= VPCD_FRAME_LENGTH_MAX, `vpcd frame of ${payload.length} bytes`);
  const frame = new Uint8Array(2 + payload.length);
  frame[0] = payload.length >> 8;
  frame[1] = payload.length & 0xff;
  frame.set(payload, 2);
  return frame;
}

/** Reassembles frames from TCP chunks; holds at most one partial frame (≤ 65,537 bytes). */
export class VpcdFrameDecoder {
  private pending = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    const buffer = new Uint8Array(this.pending.length + chunk.length);
    buffer.set(this.pending);
    buffer.set(chunk, this.pending.length);
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const length = ((buffer[offset] ?? 0) << 8) | (buffer[offset + 1] ?? 0);
      if (buffer.length - offset - 2 < length) break;
      frames.push(buffer.slice(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    this.pending = buffer.slice(offset);
    return frames;
  }
}
