// A worker_threads pool for P-256 verification, so signature checks leave the main thread free for
// database replies and MQTT while it waits. Each chunk of jobs is packed into one transferred buffer.
import { Worker } from 'node:worker_threads';
import { assert, PUBLIC_KEY_LENGTH, SignatureLabel } from '@redtap/shared';
import type { SignatureVerifier, VerifyJob } from './signature-verifier.ts';

interface Pending {
  resolve: (results: boolean[]) => void;
  reject: (error: Error) => void;
}

/** Jobs whose message or signature exceed these are answered false without leaving the thread. */
const MESSAGE_LENGTH_MAX = 0xffff - 64;
const SIGNATURE_LENGTH = 64;

/**
 * Why packing: structured cloning a `subarray` view copies its whole backing buffer (a full MQTT
 * payload, or Node's 8 KiB pool slab) for every field of every job, which made the pool slower than
 * verifying inline. One buffer per chunk, transferred, costs one copy of the bytes that matter.
 *
 * Layout: u32 jobCount | u32 keyCount | keyCount × 65 B key | jobCount × (u32 keyIndex | 64 B signature
 * | u16 signedLength | signedLength B of `label ‖ 0x00 ‖ message`), so the worker verifies views.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const KEYS_MAX = 100000;
const keys = new Map();
function keyOf(raw) {
  const id = raw.toString('base64');
  let k = keys.get(id);
  if (k === undefined) {
    // A JWK imports several times faster than a DER SPKI under OpenSSL 3, with the same curve check.
    const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') };
    try { k = raw[0] === 4 ? { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' } : null; } catch { k = null; }
    if (keys.size >= KEYS_MAX) keys.delete(keys.keys().next().value);
    keys.set(id, k);
  }
  return k;
}
parentPort.on('message', ({ id, packed }) => {
  const buf = Buffer.from(packed);
  const jobCount = buf.readUInt32BE(0);
  const keyCount = buf.readUInt32BE(4);
  let at = 8;
  const table = [];
  for (let i = 0; i < keyCount; i++, at += 65) table.push(keyOf(buf.subarray(at, at + 65)));
  const results = new Uint8Array(jobCount);
  for (let j = 0; j < jobCount; j++) {
    const k = table[buf.readUInt32BE(at)];
    const signature = buf.subarray(at + 4, at + 68);
    const length = buf.readUInt16BE(at + 68);
    const signed = buf.subarray(at + 70, at + 70 + length);
    at += 70 + length;
    if (k == null) continue;
    try { results[j] = verify('sha256', signed, k, signature) ? 1 : 0; } catch { results[j] = 0; }
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

const labelBytes = new Map<string, Buffer>(
  Object.values(SignatureLabel).map((label) => [label, Buffer.from(`${label}\0`, 'ascii')]),
);

/** Packs the jobs that can possibly verify; `slots[i]` is the packed position of job i or -1. */
function pack(jobs: readonly VerifyJob[]): { packed: ArrayBuffer; slots: Int32Array } {
  const keyIndex = new Map<Uint8Array, number>();
  const keyIndexByContent = new Map<string, number>();
  const keyList: Uint8Array[] = [];
  const slots = new Int32Array(jobs.length).fill(-1);
  const jobKeys: number[] = [];
  let count = 0;
  let size = 8;
  jobs.forEach((job, index) => {
    const prefix = labelBytes.get(job.label);
    if (
      prefix === undefined ||
      job.signature.length !== SIGNATURE_LENGTH ||
      job.publicKeyRaw.length !== PUBLIC_KEY_LENGTH ||
      job.message.length > MESSAGE_LENGTH_MAX
    )
      return;
    // Keys repeat by object within a group (one per screen or credential); content is the fallback.
    let k = keyIndex.get(job.publicKeyRaw);
    if (k === undefined) {
      const content = Buffer.from(
        job.publicKeyRaw.buffer,
        job.publicKeyRaw.byteOffset,
        PUBLIC_KEY_LENGTH,
      ).toString('latin1');
      k = keyIndexByContent.get(content);
      if (k === undefined) {
        k = keyList.length;
        keyList.push(job.publicKeyRaw);
        keyIndexByContent.set(content, k);
        size += PUBLIC_KEY_LENGTH;
      }
      keyIndex.set(job.publicKeyRaw, k);
    }
    jobKeys.push(k);
    slots[index] = count++;
    size += 4 + SIGNATURE_LENGTH + 2 + prefix.length + job.message.length;
  });
  const buf = Buffer.from(new ArrayBuffer(size));
  buf.writeUInt32BE(count, 0);
  buf.writeUInt32BE(keyList.length, 4);
  let at = 8;
  for (const key of keyList) {
    buf.set(key, at);
    at += PUBLIC_KEY_LENGTH;
  }
  jobs.forEach((job, index) => {
    const slot = slots[index] ?? -1;
    const prefix = labelBytes.get(job.label);
    if (slot < 0 || prefix === undefined) return;
    buf.writeUInt32BE(jobKeys[slot] ?? 0, at);
    buf.set(job.signature, at + 4);
    buf.writeUInt16BE(prefix.length + job.message.length, at + 68);
    buf.set(prefix, at + 70);
    buf.set(job.message, at + 70 + prefix.length);
    at += 70 + prefix.length + job.message.length;
  });
  return { packed: buf.buffer, slots };
}

/** `threads` workers; a group is split into at most one chunk per worker, none below `chunkSizeMin`. */
export function createVerifierPool(threads: number, chunkSizeMin = 64): SignatureVerifier {
  assert(Number.isInteger(threads) && threads >= 1 && threads <= 64, 'threads must be 1..64');
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let next = 0;
  for (const worker of workers) {
    worker.on('message', (message: { id: number; results: Uint8Array }) => {
      const entry = pending.get(message.id);
      pending.delete(message.id);
      entry?.resolve(Array.from(message.results, (value) => value === 1));
    });
    worker.on('error', (error) => {
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
    });
  }

  async function run(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    const worker = workers[next++ % workers.length];
    assert(worker !== undefined, 'no worker');
    const id = nextId++;
    const { packed, slots } = pack(jobs);
    const verdicts = await new Promise<boolean[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, packed }, [packed]);
    });
    return Array.from(slots, (slot) => slot >= 0 && verdicts[slot] === true);
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
