// Issuer keys: the active one signs credentials (and later decks); retired ones stay pinned on
// screens until every credential they signed has expired. Private keys are sealed with the KEK.
import { asc, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { KeyObject } from 'node:crypto';
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  toHex,
  type IssuerKey,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { sqlState } from '../db/rows.ts';
import { issuerKeys } from '../db/schema/issuer-keys.ts';
import { seal, unseal } from '../auth/secrets.ts';

export interface ActiveIssuerKey {
  keyId: number;
  privateKey: KeyObject;
  publicKeyRaw: Uint8Array;
}

const KEY_IDS = 256;

/** The newest unretired key, creating key 0 on first use. */
export async function activeIssuerKey(db: Database, kek: Buffer): Promise<ActiveIssuerKey> {
  const [row] = await db
    .select()
    .from(issuerKeys)
    .where(isNull(issuerKeys.retiredAt))
    .orderBy(desc(issuerKeys.createdAt), desc(issuerKeys.keyId))
    .limit(1);
  if (row !== undefined) {
    const pair = importPrivateKeyPem(unseal(row.privateKeySealed, kek));
    return { keyId: row.keyId, privateKey: pair.privateKey, publicKeyRaw: pair.publicKeyRaw };
  }
  try {
    return await insertIssuerKey(db, kek, 0);
  } catch (error) {
    // Another process created key 0 at the same moment.
    if (sqlState(error) === '23505') return activeIssuerKey(db, kek);
    throw error;
  }
}

async function insertIssuerKey(db: Database, kek: Buffer, keyId: number): Promise<ActiveIssuerKey> {
  const pair = generateKeyPair();
  await db.insert(issuerKeys).values({
    keyId,
    publicKey: toHex(pair.publicKeyRaw),
    privateKeySealed: seal(exportPrivateKeyPem(pair.privateKey), kek),
  });
  return { keyId, privateKey: pair.privateKey, publicKeyRaw: pair.publicKeyRaw };
}

/**
 * Retires the active key and creates the next one. Key ids are u8 on the wire; an id is reused only
 * once its key has stopped verifying, and rotation refuses to run when all 256 are still pinned.
 */
export async function rotateIssuerKey(
  db: Database,
  kek: Buffer,
  options: { now: Date; credentialTtlS: number },
): Promise<ActiveIssuerKey> {
  return db.transaction(async (tx) => {
    await activeIssuerKey(tx, kek);
    const rows = await tx.select().from(issuerKeys).orderBy(asc(issuerKeys.keyId)).for('update');
    const pinned = new Set(
      rows
        .filter((row) => row.verifiesUntil === null || row.verifiesUntil > options.now)
        .map((row) => row.keyId),
    );
    const newest = rows.reduce((max, row) => Math.max(max, row.keyId), 0);
    let keyId = -1;
    for (let step = 1; step <= KEY_IDS; step++) {
      const candidate = (newest + step) % KEY_IDS;
      if (!pinned.has(candidate)) {
        keyId = candidate;
        break;
      }
    }
    if (keyId < 0) throw new Error('every issuer key id is still pinned; wait for credentials to expire');
    await tx
      .update(issuerKeys)
      .set({
        retiredAt: options.now,
        verifiesUntil: new Date(options.now.getTime() + options.credentialTtlS * 1000),
      })
      .where(isNull(issuerKeys.retiredAt));
    await tx.delete(issuerKeys).where(eq(issuerKeys.keyId, keyId));
    return insertIssuerKey(tx, kek, keyId);
  });
}

/** The keys screens must pin: the active one and retired ones whose credentials may still be live. */
export async function pinnedIssuerKeys(db: Database, now: Date): Promise<IssuerKey[]> {
  const rows = await db
    .select()
    .from(issuerKeys)
    .where(or(isNull(issuerKeys.verifiesUntil), gt(issuerKeys.verifiesUntil, now)))
    .orderBy(asc(issuerKeys.createdAt));
  return rows.map((row) =>
    row.retiredAt === null
      ? { keyId: row.keyId, publicKey: row.publicKey }
      : { keyId: row.keyId, publicKey: row.publicKey, retiredAt: Math.floor(row.retiredAt.getTime() / 1000) },
  );
}
