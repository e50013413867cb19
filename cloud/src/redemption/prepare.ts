// Redemption before the transaction (docs/protocol.md §7 steps 1–4): decode every token, load the
// screens, credentials and issuer keys of the whole group with one query each, and verify every
// signature. Tokens whose screen signature fails are answered but never recorded: their identity is
// not proven, so recording them would let a forger occupy another tap's (screenId, counter).
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  decodeTapToken,
  ErrorCode,
  fromHex,
  peekTokenCounter,
  SignatureLabel,
  TAP_TOKEN_LENGTH,
  TAP_TOKEN_SIGNED_LENGTH,
  tokenChallengeBytes,
  CREDENTIAL_SIGNED_LENGTH,
  credentialExpired,
  type TapToken,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { BoundedSet, SignatureVerifier, VerifyJob } from './signature-verifier.ts';

export type TokenSource = 'mqtt' | 'http';

export interface TokenSubmission {
  bytes: Uint8Array;
  /** The screen whose MQTT topic carried the batch; null on the phone path. */
  topicScreenId: number | null;
  source: TokenSource;
  receivedAtS: number;
}

/** Answered without touching the database: identity unproven, or the screen is not allowed. */
export interface UnrecordedVerdict {
  kind: 'unrecorded';
  /** Null when not even a counter can be read; such a token cannot be acknowledged. */
  counter: number | null;
  code: ErrorCode;
}

/** A token whose screen signature holds: it is judged and recorded in the transaction. */
export interface RecordableToken {
  kind: 'recordable';
  token: TapToken;
  tokenHash: string;
  source: TokenSource;
  receivedAtS: number;
  city: string;
  /** The wallet's cash account, when the credential is known. */
  walletAccountId: number | null;
  /** When the token's credential was issued (Unix s), when it is known: a deck-less tap is not older. */
  credentialIssuedAtS: number | null;
  /** The first of steps 3–4 that failed, or null. */
  preCode: ErrorCode | null;
}

export type PreparedToken = UnrecordedVerdict | RecordableToken;

interface ScreenRow {
  id: unknown;
  status: string;
  public_key: string | null;
  city: string;
}

interface CredentialRow {
  wallet_id: unknown;
  serial: unknown;
  issuer_key_id: unknown;
  expires_at: unknown;
  revoked_at: Date | string | null;
  credential: string | null;
  /** Null for a passkey wallet; it has no credential either, so no row names one. */
  phone_public_key: string | null;
  ledger_account_id: unknown;
  created_at: Date | string;
}

interface Credential {
  issuerKeyId: number;
  expiresAt: number;
  revokedAtS: number | null;
  bytes: Uint8Array | null;
  phoneKey: Uint8Array | null;
  walletAccountId: number;
  issuedAtS: number;
}

export interface PrepareContext {
  verifier: SignatureVerifier;
  /** Credentials whose issuer signature was proven, keyed by their bytes and the issuer key. */
  verifiedCredentials: BoundedSet;
}

function hashToken(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

function unixSeconds(value: Date | string | null): number | null {
  if (value === null) return null;
  return Math.floor((value instanceof Date ? value : new Date(value)).getTime() / 1000);
}

export async function prepareTokens(
  db: Database,
  submissions: readonly TokenSubmission[],
  context: PrepareContext,
): Promise<PreparedToken[]> {
  const decoded = submissions.map((submission) => decodeTapToken(submission.bytes));
  const screenIds = new Set<number>();
  const credentialKeys = new Map<string, { w: number; s: number }>();
  for (const result of decoded) {
    if (!result.ok) continue;
    screenIds.add(result.value.screenId);
    credentialKeys.set(`${result.value.walletId}:${result.value.credentialSerial}`, {
      w: result.value.walletId,
      s: result.value.credentialSerial,
    });
  }

  const [screenRows, credentialRows, issuerRows] = await Promise.all([
    screenIds.size === 0
      ? Promise.resolve([])
      : queryRows<ScreenRow>(
          db,
          sql`select id, status, public_key, city from screens
              where id in (select jsonb_array_elements_text(${JSON.stringify([...screenIds])}::jsonb)::bigint)`,
        ),
    credentialKeys.size === 0
      ? Promise.resolve([])
      : queryRows<CredentialRow>(
          db,
          sql`select c.wallet_id, c.serial, c.issuer_key_id, c.expires_at, c.revoked_at, c.credential,
                     w.phone_public_key, w.ledger_account_id, c.created_at
              from jsonb_to_recordset(${JSON.stringify([...credentialKeys.values()])}::jsonb) as k(w bigint, s bigint)
              join wallet_credentials c on c.wallet_id = k.w and c.serial = k.s
              join wallets w on w.id = c.wallet_id`,
        ),
    queryRows<{ key_id: unknown; public_key: string }>(db, sql`select key_id, public_key from issuer_keys`),
  ]);

  const screens = new Map(
    screenRows.map((row) => [
      int(row.id),
      {
        status: row.status,
        publicKey: row.public_key === null ? null : fromHex(row.public_key),
        city: row.city,
      },
    ]),
  );
  const credentials = new Map<string, Credential>(
    credentialRows.map((row) => [
      `${int(row.wallet_id)}:${int(row.serial)}`,
      {
        issuerKeyId: int(row.issuer_key_id),
        expiresAt: int(row.expires_at),
        revokedAtS: unixSeconds(row.revoked_at),
        bytes: row.credential === null ? null : fromHex(row.credential),
        phoneKey: row.phone_public_key === null ? null : fromHex(row.phone_public_key),
        walletAccountId: int(row.ledger_account_id),
        issuedAtS: unixSeconds(row.created_at) ?? 0,
      },
    ]),
  );
  const issuerKeys = new Map(issuerRows.map((row) => [int(row.key_id), row.public_key]));

  // One verify job list for the whole group: screen signatures, new credentials, phone signatures.
  const jobs: VerifyJob[] = [];
  const plans: {
    screenJob: number;
    credentialJob: number | null;
    credentialCacheKey: string | null;
    phoneJob: number | null;
  }[] = [];
  const verdicts: (PreparedToken | null)[] = submissions.map((submission, index) => {
    const result = decoded[index];
    if (result === undefined || !result.ok) {
      const counter =
        submission.bytes.length === TAP_TOKEN_LENGTH ? peekTokenCounter(submission.bytes) : null;
      return {
        kind: 'unrecorded',
        counter: counter === 0 ? null : counter,
        code: result?.ok === false ? result.code : ErrorCode.TRUNCATED,
      };
    }
    const token = result.value;
    const screen = screens.get(token.screenId);
    if (screen === undefined || screen.status === 'pending' || screen.publicKey === null)
      return { kind: 'unrecorded', counter: token.counter, code: ErrorCode.SCREEN_UNKNOWN };
    // A revoked screen's tokens still have their signature checked: a genuine copy of a token settled
    // before the revocation must come back as `duplicate` with its first result, and a new one is
    // recorded as rejected (docs/protocol.md §7).
    const plan = {
      screenJob: jobs.length,
      credentialJob: null as number | null,
      credentialCacheKey: null as string | null,
      phoneJob: null as number | null,
    };
    jobs.push({
      label: SignatureLabel.tap,
      message: submission.bytes.subarray(0, TAP_TOKEN_SIGNED_LENGTH),
      signature: token.screenSignature,
      publicKeyRaw: screen.publicKey,
    });
    const credential = credentials.get(`${token.walletId}:${token.credentialSerial}`);
    const issuerKey = credential === undefined ? undefined : issuerKeys.get(credential.issuerKeyId);
    if (credential?.bytes != null && issuerKey !== undefined) {
      const cacheKey = `${issuerKey}:${Buffer.from(credential.bytes).toString('base64')}`;
      if (!context.verifiedCredentials.has(cacheKey)) {
        const issuerRaw = fromHex(issuerKey);
        if (issuerRaw !== null) {
          plan.credentialJob = jobs.length;
          plan.credentialCacheKey = cacheKey;
          jobs.push({
            label: SignatureLabel.credential,
            message: credential.bytes.subarray(0, CREDENTIAL_SIGNED_LENGTH),
            signature: credential.bytes.subarray(CREDENTIAL_SIGNED_LENGTH),
            publicKeyRaw: issuerRaw,
          });
        }
      }
      if (credential.phoneKey !== null) {
        plan.phoneJob = jobs.length;
        jobs.push({
          label: SignatureLabel.challenge,
          message: tokenChallengeBytes(submission.bytes),
          signature: token.phoneSignature,
          publicKeyRaw: credential.phoneKey,
        });
      }
    }
    plans[index] = plan;
    return null;
  });

  const valid = await context.verifier.verifyMany(jobs);

  return submissions.map((submission, index): PreparedToken => {
    const early = verdicts[index];
    if (early !== null && early !== undefined) return early;
    const result = decoded[index];
    const plan = plans[index];
    if (result?.ok !== true || plan === undefined) throw new Error('prepare lost a token');
    const token = result.value;
    if (valid[plan.screenJob] !== true)
      return { kind: 'unrecorded', counter: token.counter, code: ErrorCode.SCREEN_SIGNATURE_INVALID };
    if (submission.topicScreenId !== null && submission.topicScreenId !== token.screenId)
      return { kind: 'unrecorded', counter: token.counter, code: ErrorCode.SCREEN_MISMATCH };
    const credential = credentials.get(`${token.walletId}:${token.credentialSerial}`);
    let preCode: ErrorCode | null = null;
    if (screens.get(token.screenId)?.status === 'revoked') preCode = ErrorCode.SCREEN_REVOKED;
    else if (credential === undefined) preCode = ErrorCode.CREDENTIAL_MISMATCH;
    else if (!issuerKeys.has(credential.issuerKeyId)) preCode = ErrorCode.CREDENTIAL_ISSUER_UNKNOWN;
    else if (plan.credentialJob !== null && valid[plan.credentialJob] !== true)
      preCode = ErrorCode.CREDENTIAL_SIGNATURE_INVALID;
    else if (credential.bytes === null) preCode = ErrorCode.CREDENTIAL_SIGNATURE_INVALID;
    else if (credentialExpired(credential.expiresAt, token.ts)) preCode = ErrorCode.CREDENTIAL_EXPIRED;
    else if (credential.revokedAtS !== null && credential.revokedAtS <= submission.receivedAtS)
      preCode = ErrorCode.CREDENTIAL_REVOKED;
    else if (plan.phoneJob === null || valid[plan.phoneJob] !== true)
      preCode = ErrorCode.PHONE_SIGNATURE_INVALID;
    if (plan.credentialJob !== null && plan.credentialCacheKey !== null && valid[plan.credentialJob] === true)
      context.verifiedCredentials.add(plan.credentialCacheKey);
    return {
      kind: 'recordable',
      token,
      tokenHash: hashToken(submission.bytes),
      source: submission.source,
      receivedAtS: submission.receivedAtS,
      city: screens.get(token.screenId)?.city ?? '',
      walletAccountId: credential?.walletAccountId ?? null,
      credentialIssuedAtS: credential?.issuedAtS ?? null,
      preCode,
    };
  });
}
