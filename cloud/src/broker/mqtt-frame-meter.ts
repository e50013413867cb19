// Measures MQTT packets on a raw byte stream from their fixed headers (MQTT 3.1.1 §2.2), so the embedded
// broker can drop a connection that announces an oversized packet before the parser buffers it: aedes has
// no packet size limit of its own.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export class MqttFrameMeter {
  private readonly packetBytesMax: number;
  private phase: 'type' | 'length' | 'body' = 'type';
  private remainingBytes = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(packetBytesMax: number) {
    this.packetBytesMax = packetBytesMax;
  }

  /** Feeds the next chunk; false once a packet is larger than allowed or its length is malformed. */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'body') {
        const skip = Math.min(this.remainingBytes, chunk.length - i);
        i += skip;
        this.remainingBytes -= skip;
        if (this.remainingBytes === 0) this.phase = 'type';
        continue;
      }
      const byte = chunk[i] ?? 0;
      i++;
      if (this.phase === 'type') {
        this.phase = 'length';
        this.remainingBytes = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // Remaining Length: 1–4 bytes, 7 bits each, least significant first (MQTT 3.1.1 §2.2.3).
      this.remainingBytes += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.remainingBytes > this.packetBytesMax) return false;
      if ((byte & 0x80) !== 0) {
        if (this.lengthBytes === 4) return false;
        continue;
      }
      this.phase = this.remainingBytes === 0 ? 'type' : 'body';
    }
    return true;
  }
}

/**
 * Wraps a socket for aedes so that bytes reach the MQTT parser only while every packet announced so far is
 * within `packetBytesMax`; on the first oversized header the connection is destroyed. aedes reads its
 * connection in paused mode, so the meter must sit in between rather than listen alongside.
 */
export function meterSocket(socket: Socket, packetBytesMax: number, onOversize: () => void): Duplex {
  const meter = new MqttFrameMeter(packetBytesMax);
  const metered = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!meter.feed(chunk)) {
      onOversize();
      metered.destroy();
      return;
    }
    if (!metered.push(chunk)) socket.pause();
  });
  socket.on('end', () => metered.push(null));
  socket.on('error', (error) => metered.destroy(error));
  socket.on('close', () => metered.destroy());
  return metered;
}
