// Wallets: registering a phone key (a wallet, its cash account and a signed credential), the
// challenge login with the phone key (docs/protocol.md §3.7), and revocation of a lost or cloned phone.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import {
  encodeCredential,
  ErrorCode,
  fromHex,
  importPublicKeyRaw,
  loginMessage,
  LOGIN_NONCE_LENGTH,
  SignatureLabel,
  signCredential,
  toHex,
  verify,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { walletCredentials, walletLoginNonces, wallets } from '../db/schema/wallets.ts';
import type { SessionPrincipal } from '../auth/sessions.ts';
import { DomainError } from '../errors.ts';
import { createLedgerAccount, getLedgerAccount } from '../ledger/accounts.ts';
import { activeIssuerKey } from './issuer-keys.ts';
import { revokeAndNumber } from './revocations.ts';

export const LOGIN_NONCE_TTL_MS = 60_000;
const U32_MAX = 0xffffffff;
/** Nonce layout: expiry (u64 ms) ‖ 8 random bytes ‖ the first 16 bytes of an HMAC-SHA256 over both. */
const NONCE_EXPIRY_BYTES = 8;
const NONCE_RANDOM_BYTES = 8;
const NONCE_MAC_OFFSET = NONCE_EXPIRY_BYTES + NONCE_RANDOM_BYTES;
const NONCE_MAC_LABEL = 'redtap login challenge v1';

export interface IssuedCredential {
  walletId: number;
  credentialSerial: number;
  expiresAt: number;
  issuerKeyId: number;
  /** The 147-byte credential, hex. */
  credential: string;
}

/**
 * Registers a phone key, or re-issues a credential for a key already registered (a reinstalled app
 * with a restored key). The credential is useless without the phone's private key, so this is safe —
 * unless that key is known to be lost or cloned: a revoked wallet's key gets no new credential.
 */
export async function registerWallet(
  db: Database,
  input: { publicKeyRaw: Uint8Array; kek: Buffer; now: Date; credentialTtlS: number },
): Promise<IssuedCredential> {
  const imported = importPublicKeyRaw(input.publicKeyRaw);
  if (!imported.ok) throw new DomainError(ErrorCode.BAD_PUBLIC_KEY, imported.message);
  const publicKeyHex = toHex(input.publicKeyRaw);
  const issuer = await activeIssuerKey(db, input.kek);
  const expiresAt = Math.min(U32_MAX, Math.floor(input.now.getTime() / 1000) + input.credentialTtlS);

  const { walletId, serial, credential } = await db.transaction(async (tx) => {
    const ledgerAccountId = await createLedgerAccount(tx, 'wallet_cash');
    // Upsert: a known key bumps its serial; a new key gets a wallet. One statement, race-free.
    const [row] = await tx
      .insert(wallets)
      .values({ phonePublicKey: publicKeyHex, ledgerAccountId, credentialSerial: 1 })
      .onConflictDoUpdate({
        target: wallets.phonePublicKey,
        set: { credentialSerial: sql`${wallets.credentialSerial} + 1` },
        // A revoked wallet's row is left alone, so the upsert returns nothing for its key.
        setWhere: isNull(wallets.revokedAt),
      })
      .returning({
        id: wallets.id,
        serial: wallets.credentialSerial,
        ledgerAccountId: wallets.ledgerAccountId,
      });
    if (row === undefined)
      throw new DomainError(ErrorCode.WALLET_REVOKED, 'this phone key belongs to a revoked wallet');
    if (row.ledgerAccountId !== ledgerAccountId) {
      // The key was known: the fresh account is not needed. It is empty, so deleting it is safe.
      await tx.execute(sql`delete from ledger_accounts where id = ${ledgerAccountId}`);
    } else {
      await tx.execute(sql`update ledger_accounts set owner_id = ${row.id} where id = ${ledgerAccountId}`);
    }
    const signed = signCredential(
      {
        walletId: row.id,
        credentialSerial: row.serial,
        phonePublicKey: input.publicKeyRaw,
        expiresAt,
        issuerKeyId: issuer.keyId,
      },
      issuer.privateKey,
    );
    // The bytes are kept so redemption can check the issuer signature like any verifier would.
    await tx.insert(walletCredentials).values({
      walletId: row.id,
      serial: row.serial,
      issuerKeyId: issuer.keyId,
      expiresAt,
      credential: toHex(encodeCredential(signed)),
      // The issue time on the cloud's clock: a deck-less tap dated before it is refused (§7 step 6).
      createdAt: input.now,
    });
    return { walletId: row.id, serial: row.serial, credential: signed };
  });

  return {
    walletId,
    credentialSerial: serial,
    expiresAt,
    issuerKeyId: issuer.keyId,
    credential: toHex(encodeCredential(credential)),
  };
}

function nonceMac(secret: string, walletId: number, head: Uint8Array): Buffer {
  const key = createHmac('sha256', secret).update(NONCE_MAC_LABEL).digest();
  const wallet = Buffer.alloc(8);
  wallet.writeBigUInt64BE(BigInt(walletId));
  return createHmac('sha256', key)
    .update(wallet)
    .update(head)
    .digest()
    .subarray(0, LOGIN_NONCE_LENGTH - NONCE_MAC_OFFSET);
}

/**
 * The wallet's phone key (null for a passkey wallet) and session epoch; NOT_FOUND, or WALLET_REVOKED for a
 * wallet that may not log in.
 */
async function walletForLogin(
  db: Database,
  walletId: number,
): Promise<{ publicKey: string | null; sessionEpoch: number }> {
  const [wallet] = await db
    .select({
      publicKey: wallets.phonePublicKey,
      sessionEpoch: wallets.sessionEpoch,
      revokedAt: wallets.revokedAt,
    })
    .from(wallets)
    .where(eq(wallets.id, walletId))
    .limit(1);
  if (wallet === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `wallet ${walletId} not found`);
  if (wallet.revokedAt !== null) throw new DomainError(ErrorCode.WALLET_REVOKED, 'this wallet is revoked');
  return wallet;
}

/**
 * A login challenge that costs the server nothing to hand out: the nonce carries its own expiry and an
 * HMAC binding it to the wallet, so nothing is stored and there is no per-wallet supply a third party
 * could drain. Single use is enforced when it is spent (`loginWallet`).
 */
export async function createLoginChallenge(
  db: Database,
  input: { walletId: number; secret: string; now: Date },
): Promise<{ nonce: string; expiresAt: string }> {
  await walletForLogin(db, input.walletId);
  const expiresAtMs = input.now.getTime() + LOGIN_NONCE_TTL_MS;
  const head = Buffer.alloc(NONCE_MAC_OFFSET);
  head.writeBigUInt64BE(BigInt(expiresAtMs));
  randomBytes(NONCE_RANDOM_BYTES).copy(head, NONCE_EXPIRY_BYTES);
  const nonce = Buffer.concat([head, nonceMac(input.secret, input.walletId, head)]);
  return { nonce: toHex(nonce), expiresAt: new Date(expiresAtMs).toISOString() };
}

/**
 * Checks the nonce is ours, for this wallet and unexpired, and the phone's signature over it; then
 * spends it (a second login with the same signed nonce is refused). Revoked wallets cannot log in.
 */
export async function loginWallet(
  db: Database,
  input: { walletId: number; nonce: string; signature: string; secret: string; now: Date },
): Promise<SessionPrincipal> {
  const invalid = new DomainError(
    ErrorCode.LOGIN_CHALLENGE_INVALID,
    'login challenge is unknown, used, expired or not signed',
  );
  const nonceBytes = fromHex(input.nonce);
  const signature = fromHex(input.signature);
  if (nonceBytes?.length !== LOGIN_NONCE_LENGTH || signature === null) throw invalid;
  const head = nonceBytes.subarray(0, NONCE_MAC_OFFSET);
  const expected = nonceMac(input.secret, input.walletId, head);
  if (!timingSafeEqual(expected, nonceBytes.subarray(NONCE_MAC_OFFSET))) throw invalid;
  const expiresAtMs = Number(Buffer.from(head).readBigUInt64BE(0));
  if (expiresAtMs <= input.now.getTime()) throw invalid;
  const wallet = await walletForLogin(db, input.walletId);
  // A wallet signed up with a passkey has no phone key: it signs in with the passkey (wallet-passkeys.ts).
  const keyBytes = wallet.publicKey === null ? null : fromHex(wallet.publicKey);
  const key = keyBytes === null ? null : importPublicKeyRaw(keyBytes);
  if (key?.ok !== true) throw invalid;
  if (!verify(SignatureLabel.login, loginMessage(input.walletId, nonceBytes), signature, key.value))
    throw invalid;
  await db.delete(walletLoginNonces).where(lt(walletLoginNonces.expiresAt, input.now));
  const spent = await db
    .insert(walletLoginNonces)
    .values({ nonce: toHex(nonceBytes), walletId: input.walletId, expiresAt: new Date(expiresAtMs) })
    .onConflictDoNothing()
    .returning({ nonce: walletLoginNonces.nonce });
  if (spent.length === 0) throw invalid;
  return { role: 'wallet', walletId: input.walletId, sessionEpoch: wallet.sessionEpoch };
}

/**
 * Whether a wallet session token is still good: its wallet is not revoked and the epoch it carries is
 * the wallet's current one. Checked on every request that presents a wallet session.
 */
export async function walletSessionCurrent(
  db: Database,
  principal: { walletId: number; sessionEpoch: number },
): Promise<boolean> {
  const [wallet] = await db
    .select({ sessionEpoch: wallets.sessionEpoch, revokedAt: wallets.revokedAt })
    .from(wallets)
    .where(eq(wallets.id, principal.walletId))
    .limit(1);
  return wallet !== undefined && wallet.revokedAt === null && wallet.sessionEpoch === principal.sessionEpoch;
}

/**
 * Signs a wallet out on the server: its session epoch moves on, so every token issued so far (on any
 * device, and any copy of one) stops working at once; the phone signs in again with its key.
 */
export async function endWalletSessions(db: Database, walletId: number): Promise<void> {
  await db
    .update(wallets)
    .set({ sessionEpoch: sql`${wallets.sessionEpoch} + 1` })
    .where(eq(wallets.id, walletId));
}

export async function getWalletSummary(
  db: Database,
  walletId: number,
): Promise<{ walletId: number; balanceFen: number; credentialSerial: number; createdAt: string }> {
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId)).limit(1);
  if (wallet === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `wallet ${walletId} not found`);
  const account = await getLedgerAccount(db, wallet.ledgerAccountId);
  return {
    walletId,
    balanceFen: account?.balanceFen ?? 0,
    credentialSerial: wallet.credentialSerial,
    createdAt: wallet.createdAt.toISOString(),
  };
}

/**
 * Revokes a credential of a lost or cloned phone. Every credential of a wallet carries the same phone
 * key, so all of them are revoked, the key can no longer register or log in, and the wallet's session
 * epoch is bumped, which ends every session issued before. The wallet row, its balance and its history
 * stay for operators; it can withdraw nothing (checked under the wallet's lock), and screens and the
 * redemption path refuse its taps that arrive from now on.
 */
export async function revokeWalletCredential(
  db: Database,
  input: { walletId: number; serial: number; now: Date },
): Promise<{
  walletId: number;
  serial: number;
  revokedAt: string;
  credentialsRevoked: number;
  revocationNumber: number;
}> {
  return db.transaction(async (tx) => {
    const [credential] = await tx
      .select({ serial: walletCredentials.serial })
      .from(walletCredentials)
      .where(and(eq(walletCredentials.walletId, input.walletId), eq(walletCredentials.serial, input.serial)))
      .limit(1);
    if (credential === undefined) {
      throw new DomainError(ErrorCode.NOT_FOUND, `credential ${input.walletId}:${input.serial} not found`);
    }
    // The wallet row is locked by this update, so a withdrawal holding it finishes first or sees the revocation.
    await tx
      .update(wallets)
      .set({
        revokedAt: sql`coalesce(${wallets.revokedAt}, ${input.now.toISOString()}::timestamptz)`,
        sessionEpoch: sql`${wallets.sessionEpoch} + 1`,
      })
      .where(eq(wallets.id, input.walletId));
    // Each revoked credential takes the next revocation number (docs/protocol.md §5.5).
    const revoked = await revokeAndNumber(tx, input.walletId, input.now);
    const [row] = await tx
      .select({ revokedAt: walletCredentials.revokedAt })
      .from(walletCredentials)
      .where(and(eq(walletCredentials.walletId, input.walletId), eq(walletCredentials.serial, input.serial)));
    if (row?.revokedAt == null) throw new Error('revoked credential has no revocation time');
    // A screen current to this number holds every revocation of the wallet (revoked now or before).
    const [numbered] = await queryRows<{ n: unknown }>(
      tx,
      sql`select coalesce(max(revocation_seq), 0) as n from wallet_credentials where wallet_id = ${input.walletId}`,
    );
    return {
      walletId: input.walletId,
      serial: input.serial,
      revokedAt: row.revokedAt.toISOString(),
      credentialsRevoked: revoked.length,
      revocationNumber: int(numbered?.n ?? 0),
    };
  });
}
