// Screen enrolment (docs/protocol.md §3.7): the operator issues a one-time code; the kiosk proves it
// holds a fresh P-256 key by signing `enrolmentMessage(code, publicKey)` and receives its screen id and
// MQTT credentials. Codes are stored as SHA-256 hashes and work once, for 24 hours.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import {
  ENROLMENT_CODE_ALPHABET,
  ENROLMENT_CODE_LENGTH,
  enrolmentMessage,
  ErrorCode,
  fromHex,
  importPublicKeyRaw,
  isEnrolmentCode,
  screenMqttUsername,
  SignatureLabel,
  toHex,
  verify,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { enrolmentCodes, screens } from '../db/schema/screens.ts';
import { hashSecret, SECRET_SCRYPT } from '../auth/passwords.ts';
import { DomainError } from '../errors.ts';
import { wantBrokerIdentity } from './broker-identity-dispatcher.ts';
import { refreshScreenCampaigns, screenIdsIn } from './campaign-screens.ts';

export const ENROLMENT_CODE_TTL_MS = 24 * 60 * 60 * 1000;
const MQTT_PASSWORD_BYTES = 24;

/** How a code is stored: its SHA-256 (hex); the code itself is shown once. */
export function hashEnrolmentCode(code: string): string {
  return createHash('sha256').update(code, 'ascii').digest('hex');
}

export function generateEnrolmentCode(): string {
  let code = '';
  for (let i = 0; i < ENROLMENT_CODE_LENGTH; i++) {
    code += ENROLMENT_CODE_ALPHABET.charAt(randomInt(ENROLMENT_CODE_ALPHABET.length));
  }
  return code;
}

/** A new code for a screen that is not revoked; earlier unused codes for it stop working. */
export async function createEnrolmentCode(
  db: Database,
  screenId: number,
  now: Date,
): Promise<{ code: string; expiresAt: string }> {
  const [screen] = await db
    .select({ status: screens.status })
    .from(screens)
    .where(eq(screens.id, screenId))
    .limit(1);
  if (screen === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `screen ${screenId} not found`);
  if (screen.status === 'revoked')
    throw new DomainError(ErrorCode.SCREEN_REVOKED, `screen ${screenId} is revoked`);
  const code = generateEnrolmentCode();
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
  await db.transaction(async (tx) => {
    await tx
      .update(enrolmentCodes)
      .set({ expiresAt: now })
      .where(and(eq(enrolmentCodes.screenId, screenId), isNull(enrolmentCodes.usedAt)));
    await tx.insert(enrolmentCodes).values({ screenId, codeHash: hashEnrolmentCode(code), expiresAt });
  });
  return { code, expiresAt: expiresAt.toISOString() };
}

export interface EnrolmentGrant {
  screenId: number;
  mqttUsername: string;
  /** Shown once; only its scrypt hash is stored. */
  mqttPassword: string;
}

/**
 * Checks the code and the kiosk's proof of key possession, then activates the screen, atomically: with
 * the code's use it commits the desired state the dispatchers make true (the broker identity, the
 * screen's campaigns and decks, its config), so a broker that is away never burns the code.
 */
export async function enrolScreen(
  db: Database,
  input: {
    code: string;
    publicKey: string;
    signature: string;
    now: Date;
    kek: Buffer;
    /** The broker engine's own password for the screen (NATS: a bearer JWT); random when absent. */
    mintMqttPassword?: ((screenId: number) => Promise<string>) | undefined;
  },
): Promise<EnrolmentGrant> {
  const code = input.code.trim().toUpperCase();
  if (!isEnrolmentCode(code))
    throw new DomainError(ErrorCode.ENROLMENT_CODE_INVALID, 'not an enrolment code');
  const publicKeyRaw = fromHex(input.publicKey);
  const signature = fromHex(input.signature);
  const key = publicKeyRaw === null ? null : importPublicKeyRaw(publicKeyRaw);
  if (publicKeyRaw === null || key?.ok !== true || signature === null) {
    throw new DomainError(ErrorCode.ENROLMENT_SIGNATURE_INVALID, 'public key or signature is malformed');
  }
  if (!verify(SignatureLabel.enroll, enrolmentMessage(code, publicKeyRaw), signature, key.value)) {
    throw new DomainError(ErrorCode.ENROLMENT_SIGNATURE_INVALID, 'signature does not verify');
  }
  let mqttPassword = randomBytes(MQTT_PASSWORD_BYTES).toString('base64url');
  if (input.mintMqttPassword !== undefined) {
    // The code's screen, read ahead (a code never changes screens) so that minting and hashing stay
    // outside the transaction; the transaction below checks the code again.
    const [ahead] = await db
      .select({ screenId: enrolmentCodes.screenId })
      .from(enrolmentCodes)
      .where(eq(enrolmentCodes.codeHash, hashEnrolmentCode(code)));
    if (ahead === undefined)
      throw new DomainError(ErrorCode.ENROLMENT_CODE_INVALID, 'unknown enrolment code');
    mqttPassword = await input.mintMqttPassword(ahead.screenId);
  }
  const mqttPasswordHash = await hashSecret(mqttPassword, SECRET_SCRYPT);

  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(enrolmentCodes)
      .where(eq(enrolmentCodes.codeHash, hashEnrolmentCode(code)))
      .for('update');
    if (row === undefined) throw new DomainError(ErrorCode.ENROLMENT_CODE_INVALID, 'unknown enrolment code');
    if (row.usedAt !== null)
      throw new DomainError(ErrorCode.ENROLMENT_CODE_USED, 'enrolment code already used');
    if (row.expiresAt <= input.now)
      throw new DomainError(ErrorCode.ENROLMENT_CODE_EXPIRED, 'enrolment code expired');
    const [screen] = await tx.select().from(screens).where(eq(screens.id, row.screenId)).for('update');
    if (screen === undefined)
      throw new DomainError(ErrorCode.ENROLMENT_CODE_INVALID, 'unknown enrolment code');
    if (screen.status === 'revoked') throw new DomainError(ErrorCode.SCREEN_REVOKED, 'screen is revoked');
    await tx.update(enrolmentCodes).set({ usedAt: input.now }).where(eq(enrolmentCodes.id, row.id));
    // Re-enrolling (a replaced kiosk) takes the new key and password; the old ones stop working.
    await tx
      .update(screens)
      .set({
        status: 'active',
        publicKey: toHex(publicKeyRaw),
        mqttPasswordHash,
        enrolledAt: input.now,
        updatedAt: input.now,
        // Presence belongs to the identity: the new kiosk's first connection counts, whatever its clock.
        connected: null,
        presenceSeq: null,
        presenceChangedAt: null,
      })
      .where(eq(screens.id, screen.id));
    const mqttUsername = screenMqttUsername(screen.id);
    await wantBrokerIdentity(tx, input.kek, {
      screenId: screen.id,
      username: mqttUsername,
      password: mqttPassword,
    });
    const ids = screenIdsIn([screen.id]);
    await refreshScreenCampaigns(tx, ids, { alsoStale: ids });
    return { screenId: screen.id, mqttUsername, mqttPassword };
  });
}
