import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MqttFrameMeter } from './mqtt-frame-meter.ts';

describe('MqttFrameMeter', () => {
  it('follows packets across chunk boundaries', () => {
    const meter = new MqttFrameMeter(200);
    const pingreq = [0xc0, 0x00]; // PINGREQ: type, remaining length 0
    const publish = [0x30, 0xc8, 0x01, ...new Array<number>(200).fill(7)]; // PUBLISH, remaining length 200 (0xc8 0x01)
    const stream = Buffer.from([...pingreq, ...publish, ...pingreq, ...publish]);
    for (let i = 0; i < stream.length; i += 3) expect(meter.feed(stream.subarray(i, i + 3))).toBe(true);
  });

  it('refuses a packet that announces more than the limit, before its body arrives', () => {
    const meter = new MqttFrameMeter(200);
    expect(meter.feed(Buffer.from([0x30, 0xc9, 0x01]))).toBe(false); // remaining length 201
  });

  it('refuses a remaining length longer than four bytes', () => {
    const meter = new MqttFrameMeter(Number.MAX_SAFE_INTEGER);
    expect(meter.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(false);
  });

  it('accepts the largest 4-byte length when the limit allows it', () => {
    const meter = new MqttFrameMeter(268_435_455);
    expect(meter.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(true);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const meter = new MqttFrameMeter(1024);
      expect(() => meter.feed(randomBytes(1 + (i % 300)))).not.toThrow();
    }
  });
});
