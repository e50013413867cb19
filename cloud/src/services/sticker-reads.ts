// Which sticker read a URL is, for a claim the tag registry refused as a replay: the registry takes each
// counter once (services/tags.ts), so the same wallet posting its own read again, or another wallet
// posting a copy, learns nothing from it. This verifies the read under its batch's key (a forged read
// names nothing) and answers its tag and counter, so the claim can find the first claim of that read.
import { eq } from 'drizzle-orm';
import { unseal } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { tagBatches } from '../db/schema/tags.ts';
import { batchMetaReadKey, tagFileReadKey, verifySunRead } from '../tags/sun.ts';
import type { SunRead } from './claims.ts';

export async function identifySunRead(
  db: Database,
  read: SunRead,
  kek: Buffer,
): Promise<{ uid: string; counter: number } | null> {
  if (!/^[1-9]\d{0,14}$/.test(read.batch)) return null;
  const [batch] = await db
    .select({ masterKeySealed: tagBatches.masterKeySealed })
    .from(tagBatches)
    .where(eq(tagBatches.id, Number(read.batch)));
  if (batch === undefined) return null;
  const batchKey = new Uint8Array(Buffer.from(unseal(batch.masterKeySealed, kek), 'hex'));
  const verified = verifySunRead(
    { metaReadKey: batchMetaReadKey(batchKey), fileReadKeyFor: (uid) => tagFileReadKey(batchKey, uid) },
    { picc: read.picc, cmac: read.cmac },
  );
  return verified.ok ? { uid: verified.uid, counter: verified.counter } : null;
}
