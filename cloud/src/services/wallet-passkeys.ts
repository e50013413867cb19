// Wallet passkeys (WebAuthn, ES256 only, verified by @simplewebauthn/server): sign up a wallet with a
// passkey, sign a wallet in with one, and add one to a wallet already signed in. A passkey wallet is an
// ordinary wallet (its own cash account, session epoch, caps and history); it only lacks a phone key.
// The relying party is the cloud's public origin (REDTAP_PUBLIC_ORIGIN, docs/threat-model.md).
import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  cose,
  decodeAttestationObject,
  decodeCredentialPublicKey,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import { ErrorCode } from '@redtap/shared';
import type { SessionPrincipal } from '../auth/sessions.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { wallets } from '../db/schema/wallets.ts';
import {
  walletPasskeys,
  walletSignups,
  webauthnChallenges,
  type WebauthnChallengePurpose,
} from '../db/schema/wallet-passkeys.ts';
import { walletsPerDevice } from './account-signals.ts';
import { DomainError } from '../errors.ts';
import { createLedgerAccount } from '../ledger/accounts.ts';

/** A ceremony's challenge lives as long as the browser's prompt may stay open. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_BYTES = 32;
/** ES256: ECDSA on P-256 with SHA-256 (COSE algorithm -7), what phones' secure hardware holds. */
export const ES256 = -7;
export const PASSKEYS_PER_WALLET_MAX = 10;
export const DEVICE_LABEL_LENGTH_MAX = 64;
const RP_NAME = 'RedTap';

export interface RelyingParty {
  /** The origin browsers report in the client data, e.g. `https://wallet.example.com`. */
  origin: string;
  /** The origin's host name: the domain passkeys are bound to. */
  rpId: string;
}

/** The relying party of a public origin (an absolute http(s) URL; its path is ignored). */
export function relyingPartyOf(publicOrigin: string): RelyingParty {
  const url = new URL(publicOrigin);
  return { origin: url.origin, rpId: url.hostname };
}

async function issueChallenge(
  db: Database,
  input: { challenge: string; purpose: WebauthnChallengePurpose; walletId: number | null; now: Date },
): Promise<void> {
  // Expired rows are worthless; sweeping them here keeps the table as small as the open prompts.
  await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, input.now));
  await db.insert(webauthnChallenges).values({
    challenge: input.challenge,
    purpose: input.purpose,
    walletId: input.walletId,
    expiresAt: new Date(input.now.getTime() + PASSKEY_CHALLENGE_TTL_MS),
  });
}

/** The challenge the browser signed, read from the client data; null when it is not there. */
function challengeOf(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || !isoBase64URL.isBase64URL(clientDataJSON)) return null;
  try {
    const parsed: unknown = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length <= 128 ? challenge : null;
  } catch {
    return null;
  }
}

/** Deletes the challenge if it is open, unexpired, for this purpose and wallet: each is spent once. */
async function spendChallenge(
  db: Database,
  input: { challenge: string | null; purpose: WebauthnChallengePurpose; walletId: number | null; now: Date },
): Promise<string> {
  const invalid = new DomainError(
    ErrorCode.PASSKEY_CHALLENGE_INVALID,
    'passkey challenge is unknown, used, expired or for another ceremony',
  );
  if (input.challenge === null) throw invalid;
  const spent = await db
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.challenge, input.challenge),
        eq(webauthnChallenges.purpose, input.purpose),
        gt(webauthnChallenges.expiresAt, input.now),
        input.walletId === null
          ? sql`${webauthnChallenges.walletId} is null`
          : eq(webauthnChallenges.walletId, input.walletId),
      ),
    )
    .returning({ challenge: webauthnChallenges.challenge });
  if (spent.length === 0) throw invalid;
  return input.challenge;
}

/** The COSE algorithm of the key a registration response carries; null when it cannot be read. */
function registeredAlgorithm(response: RegistrationResponseJSON): number | null {
  try {
    const attestation = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
    const key = parseAuthenticatorData(attestation.get('authData')).credentialPublicKey;
    if (key === undefined) return null;
    const alg = decodeCredentialPublicKey(key).get(cose.COSEKEYS.alg);
    return typeof alg === 'number' ? alg : null;
  } catch {
    return null;
  }
}

export interface WalletPasskeyOwner {
  walletId: number;
}

/**
 * Options for `navigator.credentials.create()`: a discoverable ES256 credential with user verification,
 * `none` attestation. Without `owner` it signs a new wallet up; with it, it adds a passkey to that wallet
 * (the wallet's passkeys are excluded, so one authenticator is not registered twice).
 */
export async function startPasskeyRegistration(
  db: Database,
  input: { rp: RelyingParty; now: Date; owner?: WalletPasskeyOwner | undefined },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const owner = input.owner;
  const existing =
    owner === undefined
      ? []
      : await db
          .select({ id: walletPasskeys.credentialId, transports: walletPasskeys.transports })
          .from(walletPasskeys)
          .where(eq(walletPasskeys.walletId, owner.walletId));
  if (existing.length >= PASSKEYS_PER_WALLET_MAX)
    throw new DomainError(ErrorCode.CONFLICT, `a wallet keeps at most ${PASSKEYS_PER_WALLET_MAX} passkeys`);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: input.rp.rpId,
    // The passkey's user handle is random: it names no wallet before there is one, and leaks nothing.
    userID: new Uint8Array(randomBytes(CHALLENGE_BYTES)),
    userName: owner === undefined ? 'RedTap wallet' : `RedTap wallet #${owner.walletId}`,
    challenge: new Uint8Array(randomBytes(CHALLENGE_BYTES)),
    attestationType: 'none',
    supportedAlgorithmIDs: [ES256],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    excludeCredentials: existing.map((row) => ({
      id: row.id,
      transports: row.transports as AuthenticatorTransportFuture[],
    })),
  });
  await issueChallenge(db, {
    challenge: options.challenge,
    purpose: owner === undefined ? 'register' : 'add',
    walletId: owner?.walletId ?? null,
    now: input.now,
  });
  return options;
}

/** Checks a registration response against its challenge and our origin; the credential to keep. */
async function verifiedRegistration(
  db: Database,
  input: {
    rp: RelyingParty;
    response: RegistrationResponseJSON;
    purpose: WebauthnChallengePurpose;
    walletId: number | null;
    now: Date;
  },
) {
  const challenge = await spendChallenge(db, {
    challenge: challengeOf(input.response.response.clientDataJSON),
    purpose: input.purpose,
    walletId: input.walletId,
    now: input.now,
  });
  const alg = registeredAlgorithm(input.response);
  if (alg !== null && alg !== ES256)
    throw new DomainError(
      ErrorCode.PASSKEY_ALGORITHM_UNSUPPORTED,
      `passkey algorithm ${alg} is not ES256 (${ES256})`,
    );
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: [ES256],
    });
  } catch (error) {
    throw new DomainError(ErrorCode.PASSKEY_INVALID, `passkey registration refused: ${messageOf(error)}`);
  }
  if (!verified.verified) throw new DomainError(ErrorCode.PASSKEY_INVALID, 'passkey registration refused');
  const info = verified.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: new Uint8Array(info.credential.publicKey),
    signCount: info.credential.counter,
    transports: (input.response.response.transports ?? []).slice(0, 8).map(String),
    aaguid: info.aaguid,
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}

function cleanLabel(label: string | undefined): string {
  return (label ?? '').trim().slice(0, DEVICE_LABEL_LENGTH_MAX);
}

/**
 * Signs a new wallet up with a passkey: the same wallet row and cash account a phone key gets (without
 * the key, so without a credential), its passkey, and where the sign-up came from. Returns the
 * principal of its first session.
 */
export async function registerPasskeyWallet(
  db: Database,
  input: {
    rp: RelyingParty;
    response: RegistrationResponseJSON;
    deviceLabel?: string | undefined;
    clientIp: string;
    now: Date;
  },
): Promise<{ principal: SessionPrincipal & { role: 'wallet' }; credentialId: string }> {
  const passkey = await verifiedRegistration(db, { ...input, purpose: 'register', walletId: null });
  return db.transaction(async (tx) => {
    const ledgerAccountId = await createLedgerAccount(tx, 'wallet_cash');
    const [wallet] = await tx
      .insert(wallets)
      .values({ phonePublicKey: null, ledgerAccountId, credentialSerial: 0 })
      .returning({ id: wallets.id, sessionEpoch: wallets.sessionEpoch });
    if (wallet === undefined) throw new Error('wallet insert returned no row');
    await tx.execute(sql`update ledger_accounts set owner_id = ${wallet.id} where id = ${ledgerAccountId}`);
    await insertPasskey(tx, {
      ...passkey,
      walletId: wallet.id,
      deviceLabel: cleanLabel(input.deviceLabel),
      now: input.now,
    });
    await tx
      .insert(walletSignups)
      .values({ walletId: wallet.id, method: 'passkey', clientIp: input.clientIp, createdAt: input.now });
    return {
      principal: { role: 'wallet', walletId: wallet.id, sessionEpoch: wallet.sessionEpoch },
      credentialId: passkey.credentialId,
    };
  });
}

async function insertPasskey(
  db: Database,
  input: {
    credentialId: string;
    walletId: number;
    publicKey: Uint8Array;
    signCount: number;
    transports: string[];
    aaguid: string;
    deviceLabel: string;
    now: Date;
  },
): Promise<void> {
  const inserted = await db
    .insert(walletPasskeys)
    .values({
      credentialId: input.credentialId,
      walletId: input.walletId,
      publicKey: input.publicKey,
      signCount: input.signCount,
      transports: input.transports,
      aaguid: input.aaguid,
      deviceLabel: input.deviceLabel,
      createdAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: walletPasskeys.credentialId });
  // Thrown inside the caller's transaction, so a sign-up whose passkey is taken leaves no wallet behind.
  if (inserted.length === 0)
    throw new DomainError(ErrorCode.PASSKEY_EXISTS, 'this passkey is registered already');
}

/** Adds a passkey to a signed-in wallet (one that signed in with its phone key, or another passkey). */
export async function addWalletPasskey(
  db: Database,
  input: {
    rp: RelyingParty;
    walletId: number;
    response: RegistrationResponseJSON;
    deviceLabel?: string | undefined;
    now: Date;
  },
): Promise<{ credentialId: string; createdAt: string }> {
  const passkey = await verifiedRegistration(db, { ...input, purpose: 'add', walletId: input.walletId });
  return db.transaction(async (tx) => {
    // The wallet row is locked, so a revocation running now finishes first or sees the passkey.
    const [wallet] = await tx
      .select({ revokedAt: wallets.revokedAt })
      .from(wallets)
      .where(eq(wallets.id, input.walletId))
      .for('update');
    if (wallet === undefined)
      throw new DomainError(ErrorCode.NOT_FOUND, `wallet ${input.walletId} not found`);
    if (wallet.revokedAt !== null) throw new DomainError(ErrorCode.WALLET_REVOKED, 'this wallet is revoked');
    await insertPasskey(tx, {
      ...passkey,
      walletId: input.walletId,
      deviceLabel: cleanLabel(input.deviceLabel),
      now: input.now,
    });
    return { credentialId: passkey.credentialId, createdAt: input.now.toISOString() };
  });
}

/** Options for `navigator.credentials.get()`: any discoverable passkey of ours, with user verification. */
export async function startPasskeyAuthentication(
  db: Database,
  input: { rp: RelyingParty; now: Date },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: input.rp.rpId,
    challenge: new Uint8Array(randomBytes(CHALLENGE_BYTES)),
    userVerification: 'required',
    allowCredentials: [],
  });
  await issueChallenge(db, {
    challenge: options.challenge,
    purpose: 'authenticate',
    walletId: null,
    now: input.now,
  });
  return options;
}

/**
 * Signs a wallet in with a passkey. The assertion must answer an open challenge of ours, come from our
 * origin and RP id, carry user verification and verify with the stored key. An authenticator that keeps
 * a counter must show a higher one than last time (a clone's counter falls behind); the counter moves
 * with a compare-and-set, so two assertions racing with one counter value cannot both pass.
 */
export async function signInWithPasskey(
  db: Database,
  input: { rp: RelyingParty; response: AuthenticationResponseJSON; now: Date },
): Promise<SessionPrincipal & { role: 'wallet' }> {
  const challenge = await spendChallenge(db, {
    challenge: challengeOf(input.response.response.clientDataJSON),
    purpose: 'authenticate',
    walletId: null,
    now: input.now,
  });
  const [passkey] = await queryRows<{
    wallet_id: unknown;
    public_key: Uint8Array;
    sign_count: unknown;
    transports: string[];
    session_epoch: unknown;
    revoked: boolean;
  }>(
    db,
    sql`select p.wallet_id, p.public_key, p.sign_count, p.transports, w.session_epoch,
               w.revoked_at is not null as revoked
        from wallet_passkeys p join wallets w on w.id = p.wallet_id
        where p.credential_id = ${input.response.id}`,
  );
  if (passkey === undefined) throw new DomainError(ErrorCode.PASSKEY_UNKNOWN, 'no wallet has this passkey');
  const storedCount = int(passkey.sign_count);
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.rpId,
      requireUserVerification: true,
      // The counter is checked below, after the signature, so a refusal for it names a real clone.
      credential: {
        id: input.response.id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: 0,
        transports: passkey.transports as AuthenticatorTransportFuture[],
      },
    });
  } catch (error) {
    throw new DomainError(ErrorCode.PASSKEY_INVALID, `passkey sign-in refused: ${messageOf(error)}`);
  }
  if (!verified.verified) throw new DomainError(ErrorCode.PASSKEY_INVALID, 'passkey sign-in refused');
  if (passkey.revoked) throw new DomainError(ErrorCode.WALLET_REVOKED, 'this wallet is revoked');
  const newCount = verified.authenticationInfo.newCounter;
  const counterRegressed = new DomainError(
    ErrorCode.PASSKEY_COUNTER_REGRESSED,
    `passkey signature counter ${newCount} is not above ${storedCount}`,
  );
  if ((newCount > 0 || storedCount > 0) && newCount <= storedCount) throw counterRegressed;
  const moved = await db
    .update(walletPasskeys)
    .set({ signCount: newCount, lastUsedAt: input.now })
    .where(
      and(
        eq(walletPasskeys.credentialId, input.response.id),
        newCount === 0 ? eq(walletPasskeys.signCount, 0) : lt(walletPasskeys.signCount, newCount),
      ),
    )
    .returning({ id: walletPasskeys.credentialId });
  if (moved.length === 0) throw counterRegressed;
  return { role: 'wallet', walletId: int(passkey.wallet_id), sessionEpoch: int(passkey.session_epoch) };
}

export interface WalletPasskey {
  credentialId: string;
  deviceLabel: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listWalletPasskeys(db: Database, walletId: number): Promise<WalletPasskey[]> {
  const rows = await db
    .select({
      credentialId: walletPasskeys.credentialId,
      deviceLabel: walletPasskeys.deviceLabel,
      createdAt: walletPasskeys.createdAt,
      lastUsedAt: walletPasskeys.lastUsedAt,
    })
    .from(walletPasskeys)
    .where(eq(walletPasskeys.walletId, walletId))
    .orderBy(walletPasskeys.createdAt)
    .limit(PASSKEYS_PER_WALLET_MAX);
  return rows.map((row) => ({
    credentialId: row.credentialId,
    deviceLabel: row.deviceLabel,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  }));
}

/** The window in which sign-ups from one address are counted together. */
export const SIGNUP_WINDOW_MS = 86_400_000;

export interface WalletSignupSignals {
  walletId: number;
  /** Null for a wallet that signed up with a phone key (its address is not recorded). */
  signupIp: string | null;
  /** Passkey sign-ups from the same address in the 24 hours up to this wallet's (itself included, later ones not). */
  walletsFromSignupIp: number;
  /** Wallets whose payout account is this wallet's (same kind and account), itself included; 0 with none. */
  walletsSharingPayoutAccount: number;
  /** The most wallets a browser this wallet used has served (its device cookie, account-signals.ts); 0 with none. */
  walletsPerDevice: number;
}

/**
 * Multi-account signals for an operator reviewing a wallet's held taps. They only inform the review:
 * one address is often many people (a carrier's NAT, an office), and a passkey names no device.
 */
export async function walletSignupSignals(db: Database, walletId: number): Promise<WalletSignupSignals> {
  const [row] = await queryRows<{ signup_ip: string | null; from_ip: unknown; sharing: unknown }>(
    db,
    sql`select s.client_ip as signup_ip,
               (select count(*) from wallet_signups o
                 where o.client_ip = s.client_ip
                   and o.created_at > s.created_at - ${`${SIGNUP_WINDOW_MS} milliseconds`}::interval
                   and (o.created_at, o.wallet_id) <= (s.created_at, s.wallet_id)) as from_ip,
               (select count(*) from payout_accounts o
                 where o.kind = p.kind and o.account = p.account) as sharing
        from wallets w
        left join wallet_signups s on s.wallet_id = w.id
        left join payout_accounts p on p.wallet_id = w.id
        where w.id = ${walletId}`,
  );
  if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `wallet ${walletId} not found`);
  return {
    walletId,
    signupIp: row.signup_ip,
    walletsFromSignupIp: row.signup_ip === null ? 0 : int(row.from_ip),
    walletsSharingPayoutAccount: int(row.sharing),
    walletsPerDevice: await walletsPerDevice(db, walletId),
  };
}
