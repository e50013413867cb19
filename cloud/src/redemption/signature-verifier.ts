// P-256 verification for redemption, done before the database transaction (docs/protocol.md §7 steps
// 2–4). Imported keys and verified credentials are cached: a credential is checked once per
// (walletId, serial, bytes), so a tap costs two verifies (screen and phone) after the first.
import { PublicKeyCache, verify, type SignatureLabel } from '@redtap/shared';

export interface VerifyJob {
  label: SignatureLabel;
  message: Uint8Array;
  signature: Uint8Array;
  publicKeyRaw: Uint8Array;
}

/** Verifies many signatures; an implementation may spread them over worker threads. */
export interface SignatureVerifier {
  verifyMany(jobs: readonly VerifyJob[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export function verifyJobsSync(jobs: readonly VerifyJob[], keys: PublicKeyCache): boolean[] {
  return jobs.map((job) => {
    const key = keys.get(job.publicKeyRaw);
    return key.ok && verify(job.label, job.message, job.signature, key.value);
  });
}

/**
 * Verifies on the calling thread in slices, yielding between them so database replies and MQTT traffic
 * are handled while a large group is being verified (the transaction of the previous group runs then).
 */
export function createInlineVerifier(keyCacheSizeMax = 100_000, sliceJobs = 64): SignatureVerifier {
  const keys = new PublicKeyCache(keyCacheSizeMax);
  return {
    async verifyMany(jobs) {
      const results: boolean[] = [];
      for (let start = 0; start < jobs.length; start += sliceJobs) {
        if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        results.push(...verifyJobsSync(jobs.slice(start, start + sliceJobs), keys));
      }
      return results;
    },
    close: () => Promise.resolve(),
  };
}

/** A bounded set of facts already proven, oldest evicted first. */
export class BoundedSet {
  private readonly items = new Set<string>();
  private readonly sizeMax: number;

  constructor(sizeMax: number) {
    this.sizeMax = sizeMax;
  }

  has(item: string): boolean {
    return this.items.has(item);
  }

  add(item: string): void {
    if (this.items.size >= this.sizeMax) {
      const oldest = this.items.values().next();
      if (oldest.done !== true) this.items.delete(oldest.value);
    }
    this.items.add(item);
  }
}
