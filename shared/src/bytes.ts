// Big-endian byte writing and bounds-checked reading for the v1 wire formats (docs/protocol.md §1).
import { assert } from './errors.ts';

export const U64_SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** Fixed-size big-endian writer. Writing past the end is a programmer error. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, `u8 out of range: ${value}`);
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff, `u16 out of range: ${value}`);
    this.view.setUint16(this.offset, value);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `u32 out of range: ${value}`);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  /** u64 on the wire; RedTap ids stay within 2^53 - 1 so they are plain numbers in code. */
  u64(value: number): this {
    assert(Number.isSafeInteger(value) && value >= 0, `u64 out of safe range: ${value}`);
    this.view.setBigUint64(this.offset, BigInt(value));
    this.offset += 8;
    return this;
  }

  raw(data: Uint8Array, length: number): this {
    assert(data.length === length, `expected ${length} bytes, got ${data.length}`);
    this.bytes.set(data, this.offset);
    this.offset += length;
    return this;
  }

  finish(): Uint8Array {
    assert(this.offset === this.bytes.length, `wrote ${this.offset} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}

/**
 * Reader over bytes whose total length the caller has already checked, so every read is in bounds.
 * u64 values above 2^53 - 1 are reported through `u64Overflow` instead of losing precision.
 */
export class ByteReader {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset: number;
  u64Overflow = false;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get position(): number {
    return this.offset;
  }

  u8(): number {
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  u16(): number {
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): number {
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(U64_SAFE_MAX)) {
      this.u64Overflow = true;
      return 0;
    }
    return Number(value);
  }

  /** A copy, so decoded values never alias the caller's buffer. */
  raw(length: number): Uint8Array {
    const slice = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses hex, ignoring whitespace. Returns null for anything that is not whole hex bytes. */
export function fromHex(hex: string): Uint8Array | null {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
