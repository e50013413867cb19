// Wallets: registering a phone key (a wallet, its cash account and a signed credential) and the
// challenge login with the phone key (docs/protocol.md §3.7).
import { randomBytes } from 'node:crypto';
import { and, count, eq, lt, sql } from 'drizzle-orm';
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
import { walletCredentials, walletLoginNonces, wallets } from '../db/schema/wallets.ts';
import type { SessionPrincipal } from '../auth/sessions.ts';
import { DomainError } from '../errors.ts';
import { createLedgerAccount, getLedgerAccount } from '../ledger/accounts.ts';
import { activeIssuerKey } from './issuer-keys.ts';

export const LOGIN_NONCE_TTL_MS = 60_000;
/** Outstanding challenges per wallet; more are refused until old ones expire or are used. */
export const LOGIN_NONCES_PER_WALLET_MAX = 5;
const U32_MAX = 0xffffffff;

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
 * with a restored key). The credential is useless without the phone's private key, so this is safe.
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
      })
      .returning({
        id: wallets.id,
        serial: wallets.credentialSerial,
        ledgerAccountId: wallets.ledgerAccountId,
      });
    if (row === undefined) throw new Error('upsert returned no row');
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

export async function createLoginChallenge(
  db: Database,
  input: { walletId: number; now: Date },
): Promise<{ nonce: string; expiresAt: string }> {
  const [wallet] = await db
    .select({ id: wallets.id })
    .from(wallets)
    .where(eq(wallets.id, input.walletId))
    .limit(1);
  if (wallet === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `wallet ${input.walletId} not found`);
  await db.delete(walletLoginNonces).where(lt(walletLoginNonces.expiresAt, input.now));
  const [outstanding] = await db
    .select({ value: count() })
    .from(walletLoginNonces)
    .where(eq(walletLoginNonces.walletId, input.walletId));
  if ((outstanding?.value ?? 0) >= LOGIN_NONCES_PER_WALLET_MAX) {
    throw new DomainError(ErrorCode.RATE_LIMITED, 'too many outstanding login challenges');
  }
  const nonce = toHex(randomBytes(LOGIN_NONCE_LENGTH));
  const expiresAt = new Date(input.now.getTime() + LOGIN_NONCE_TTL_MS);
  await db.insert(walletLoginNonces).values({ nonce, walletId: input.walletId, expiresAt });
  return { nonce, expiresAt: expiresAt.toISOString() };
}

/** Consumes the nonce (single use even when the signature is wrong) and checks the phone's signature. */
export async function loginWallet(
  db: Database,
  input: { walletId: number; nonce: string; signature: string; now: Date },
): Promise<SessionPrincipal> {
  const invalid = new DomainError(
    ErrorCode.LOGIN_CHALLENGE_INVALID,
    'login challenge is unknown, used, expired or not signed',
  );
  const nonceBytes = fromHex(input.nonce);
  const signature = fromHex(input.signature);
  if (nonceBytes?.length !== LOGIN_NONCE_LENGTH || signature === null) throw invalid;
  const [consumed] = await db
    .delete(walletLoginNonces)
    .where(
      and(
        eq(walletLoginNonces.nonce, input.nonce.toLowerCase()),
        eq(walletLoginNonces.walletId, input.walletId),
      ),
    )
    .returning({ expiresAt: walletLoginNonces.expiresAt });
  if (consumed === undefined || consumed.expiresAt <= input.now) throw invalid;
  const [wallet] = await db
    .select({ publicKey: wallets.phonePublicKey })
    .from(wallets)
    .where(eq(wallets.id, input.walletId))
    .limit(1);
  const keyBytes = wallet === undefined ? null : fromHex(wallet.publicKey);
  const key = keyBytes === null ? null : importPublicKeyRaw(keyBytes);
  if (key?.ok !== true) throw invalid;
  if (!verify(SignatureLabel.login, loginMessage(input.walletId, nonceBytes), signature, key.value))
    throw invalid;
  return { role: 'wallet', walletId: input.walletId };
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

/** Revokes one credential; screens learn it through the revocation list in their retained config. */
export async function revokeWalletCredential(
  db: Database,
  input: { walletId: number; serial: number; now: Date },
): Promise<{ walletId: number; serial: number; revokedAt: string }> {
  const [row] = await db
    .update(walletCredentials)
    .set({
      revokedAt: sql`coalesce(${walletCredentials.revokedAt}, ${input.now.toISOString()}::timestamptz)`,
    })
    .where(and(eq(walletCredentials.walletId, input.walletId), eq(walletCredentials.serial, input.serial)))
    .returning({ revokedAt: walletCredentials.revokedAt });
  if (row?.revokedAt == null) {
    throw new DomainError(ErrorCode.NOT_FOUND, `credential ${input.walletId}:${input.serial} not found`);
  }
  return { walletId: input.walletId, serial: input.serial, revokedAt: row.revokedAt.toISOString() };
}
