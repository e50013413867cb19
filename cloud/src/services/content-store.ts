// Content-addressed creative storage: bytes are named by their SHA-256. Files under the data dir by
// default; an S3-compatible store implements the same interface.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContentStore {
  /** Stores the bytes and returns their hex SHA-256; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): Promise<string>;
  get(sha256: string): Promise<Uint8Array | null>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function createFileContentStore(directory: string): ContentStore {
  const pathOf = (sha256: string) => join(directory, sha256.slice(0, 2), sha256);
  return {
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const path = pathOf(sha256);
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (exists) return sha256;
      await mkdir(join(directory, sha256.slice(0, 2)), { recursive: true });
      // Write then rename, so a reader never sees a half-written file under its final name.
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temporary, bytes, { mode: 0o644 });
      await rename(temporary, path);
      return sha256;
    },
    async get(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      try {
        return new Uint8Array(await readFile(pathOf(sha256)));
      } catch {
        return null;
      }
    },
  };
}

/** For tests: bounded, in memory. */
export function createMemoryContentStore(objectsMax = 1_000): ContentStore {
  const objects = new Map<string, Uint8Array>();
  return {
    put(bytes) {
      const sha256 = sha256Hex(bytes);
      if (!objects.has(sha256)) {
        if (objects.size >= objectsMax) throw new Error('memory content store is full');
        objects.set(sha256, bytes.slice());
      }
      return Promise.resolve(sha256);
    },
    get: (sha256) => Promise.resolve(objects.get(sha256) ?? null),
  };
}
