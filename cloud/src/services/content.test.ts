import { describe, expect, it } from 'vitest';
import { sniffMime } from './content.ts';
import { createMemoryContentStore, sha256Hex } from './content-store.ts';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(
    parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)),
  );

describe('creative types', () => {
  it('recognises the whitelisted types by their magic bytes and nothing else', () => {
    expect(sniffMime(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]))).toBe('image/png');
    expect(sniffMime(bytes([0xff, 0xd8, 0xff, 0xe0], 'xxxxxxxx'))).toBe('image/jpeg');
    expect(sniffMime(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffMime(bytes([0, 0, 0, 0x18], 'ftypmp42'))).toBe('video/mp4');
    expect(sniffMime(bytes([0x1a, 0x45, 0xdf, 0xa3], 'webmwebm'))).toBe('video/webm');
    expect(sniffMime(bytes('<svg onload=alert(1)>'))).toBeNull();
    expect(sniffMime(bytes('GIF89a______'))).toBeNull();
    expect(sniffMime(new Uint8Array(3))).toBeNull();
  });

  it('stores content under its SHA-256', async () => {
    const store = createMemoryContentStore(2);
    const data = bytes('hello world!');
    const sha = await store.put(data);
    expect(sha).toBe(sha256Hex(data));
    expect(await store.get(sha)).toEqual(data);
    expect(await store.get('0'.repeat(64))).toBeNull();
  });
});
