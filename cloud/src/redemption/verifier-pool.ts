// A worker_threads pool for P-256 verification, so signature checks use every core while the main
// thread waits on the database. Jobs are split into one chunk per worker.
import { Worker } from 'node:worker_threads';
import { assert } from '@redtap/shared';
import type { SignatureVerifier, VerifyJob } from './signature-verifier.ts';

interface Pending {
  resolve: (results: boolean[]) => void;
  reject: (error: Error) => void;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const keys = new Map();
const prefixes = new Map();
function key(raw) {
  const id = Buffer.from(raw).toString('base64');
  let k = keys.get(id);
  if (k === undefined) {
    try { k = createPublicKey({ key: Buffer.concat([SPKI, raw]), format: 'der', type: 'spki' }); } catch { k = null; }
    if (keys.size > 100000) keys.clear();
    keys.set(id, k);
  }
  return k;
}
parentPort.on('message', ({ id, jobs }) => {
  const results = jobs.map((job) => {
    if (job.signature.length !== 64) return false;
    const k = key(job.publicKeyRaw);
    if (k === null) return false;
    let prefix = prefixes.get(job.label);
    if (prefix === undefined) { prefix = Buffer.concat([Buffer.from(job.label, 'ascii'), Buffer.from([0])]); prefixes.set(job.label, prefix); }
    try {
      return verify('sha256', Buffer.concat([prefix, job.message]), { key: k, dsaEncoding: 'ieee-p1363' }, job.signature);
    } catch { return false; }
  });
  parentPort.postMessage({ id, results });
});
`;

/** `threads` workers; chunks below `chunkSizeMin` jobs stay on one worker. */
export function createVerifierPool(threads: number, chunkSizeMin = 64): SignatureVerifier {
  assert(Number.isInteger(threads) && threads >= 1 && threads <= 64, 'threads must be 1..64');
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let next = 0;
  for (const worker of workers) {
    worker.on('message', (message: { id: number; results: boolean[] }) => {
      const entry = pending.get(message.id);
      pending.delete(message.id);
      entry?.resolve(message.results);
    });
    worker.on('error', (error) => {
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
    });
  }

  function run(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    const worker = workers[next++ % workers.length];
    assert(worker !== undefined, 'no worker');
    const id = nextId++;
    return new Promise<boolean[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, jobs });
    });
  }

  return {
    async verifyMany(jobs) {
      if (jobs.length === 0) return [];
      const chunks = Math.max(1, Math.min(workers.length, Math.floor(jobs.length / chunkSizeMin)));
      const size = Math.ceil(jobs.length / chunks);
      const parts: Promise<boolean[]>[] = [];
      for (let start = 0; start < jobs.length; start += size)
        parts.push(run(jobs.slice(start, start + size)));
      return (await Promise.all(parts)).flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
