// A stand-in for the kiosk's tap engine, for demos, the contract tests and the pcsc-tap benchmark:
// it really verifies the credential and the phone signature and really signs a token, all in memory.
// The real engine (screen-app) also draws an envelope and commits to SQLite before answering.
import { randomBytes, type KeyObject } from 'node:crypto';
import {
  DAY_STATE_NONCE_LENGTH,
  ENVELOPE_INDEX_NONE,
  ErrorCode,
  HelloFlag,
  PublicKeyCache,
  SignatureLabel,
  TapFlag,
  credentialExpired,
  decodeChallenge,
  encodeChallenge,
  encodeDayStateRequest,
  encodeReceiptExtra,
  generateKeyPair,
  signCredential,
  signTapToken,
  verify,
  verifyCredentialSignature,
  verifyDayState,
  type DayState,
  type Hello,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import { delay } from './timers.ts';
import type {
  ChallengeDecision,
  DayStateResult,
  HelloDecision,
  SignatureContext,
  SignatureDecision,
  TapContext,
  TapHandler,
} from './types.ts';

export interface DemoKioskOptions {
  screenId: number;
  screenKey: KeyPair;
  issuerPublicKey: KeyObject;
  campaignId?: number;
  amountFen?: number;
  /** Unix seconds. */
  nowSeconds?: () => number;
  /** Simulates a slow durable commit inside onSignature. */
  commitDelayMs?: number;
  /** Wallets the kiosk refuses at HELLO (a stand-in for the revocation list). */
  refusedWalletIds?: ReadonlySet<number>;
  /** Ask every phone GET DAY STATE for this city and cap day, and send the long receipt. */
  dayState?: { cityKey: number; dayStart: number; advertiserId: number };
}

export interface DemoCommit {
  readerName: string;
  walletId: number;
  counter: number;
  token: Uint8Array;
}

const COMMITS_KEPT_MAX = 10_000;
/** A demo kiosk drives a couple of readers; a day state waits per reader between HELLO and its answer. */
const PENDING_DAY_STATES_MAX = 8;

export class DemoKiosk implements TapHandler {
  readonly commits: DemoCommit[] = [];
  helloCount = 0;
  /** Every signature length onSignature was called with: the driver must only ever pass 64. */
  readonly signatureLengths: number[] = [];
  private readonly options: DemoKioskOptions;
  /** Each GET DAY STATE answer, verified (null when it did not verify); the last 10,000. */
  readonly dayStates: (DayState | null)[] = [];
  private readonly keys = new PublicKeyCache(1000);
  private readonly pendingDayStates = new Map<string, { hello: Hello; request: Uint8Array }>();
  private nextCounter = 1;

  constructor(options: DemoKioskOptions) {
    this.options = options;
  }

  onHello(hello: Hello, context: TapContext): Promise<HelloDecision> {
    this.helloCount += 1;
    const nowSeconds = this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
    if (!verifyCredentialSignature(hello.credentialBytes, this.options.issuerPublicKey)) {
      return Promise.resolve({ kind: 'refuse', code: ErrorCode.CREDENTIAL_SIGNATURE_INVALID });
    }
    if (credentialExpired(hello.credential.expiresAt, nowSeconds)) {
      return Promise.resolve({ kind: 'refuse', code: ErrorCode.CREDENTIAL_EXPIRED });
    }
    if (this.options.refusedWalletIds?.has(hello.credential.walletId) === true) {
      return Promise.resolve({ kind: 'refuse', code: ErrorCode.CREDENTIAL_REVOKED });
    }
    const dayState = this.options.dayState;
    if (dayState !== undefined) {
      const request = encodeDayStateRequest({
        screenId: this.options.screenId,
        cityKey: dayState.cityKey,
        dayStart: dayState.dayStart,
        ts: nowSeconds,
        nonce: new Uint8Array(randomBytes(DAY_STATE_NONCE_LENGTH)),
      });
      if (this.pendingDayStates.size >= PENDING_DAY_STATES_MAX) this.pendingDayStates.clear();
      this.pendingDayStates.set(context.readerName, { hello, request });
      return Promise.resolve({ kind: 'day-state', request });
    }
    return Promise.resolve(this.challenge(nowSeconds));
  }

  /** Verifies the phone's day state against its credential's key and the request, then challenges. */
  onDayState(result: DayStateResult, context: TapContext): Promise<ChallengeDecision> {
    const pending = this.pendingDayStates.get(context.readerName);
    this.pendingDayStates.delete(context.readerName);
    if (pending === undefined) return Promise.resolve({ kind: 'refuse', code: ErrorCode.TOKEN_INCONSISTENT });
    let verified: DayState | null = null;
    if (result.ok) {
      const phoneKey = this.keys.get(pending.hello.credential.phonePublicKey);
      const checked = phoneKey.ok
        ? verifyDayState(result.bytes, {
            request: pending.request,
            phoneKey: phoneKey.value,
            walletId: pending.hello.credential.walletId,
          })
        : null;
      verified = checked?.ok === true ? checked.value : null;
    }
    if (this.dayStates.length >= COMMITS_KEPT_MAX) this.dayStates.shift();
    this.dayStates.push(verified);
    return Promise.resolve(this.challenge(this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000)));
  }

  private challenge(nowSeconds: number): ChallengeDecision {
    const challenge = encodeChallenge({
      screenId: this.options.screenId,
      // Reserved at HELLO so two readers never share one. Unlike the real engine, the demo leaves a
      // gap when a reserved counter is never committed.
      counter: this.nextCounter++,
      ts: nowSeconds,
      nonce: new Uint8Array(randomBytes(16)),
      campaignId: this.options.campaignId ?? 1,
    });
    return { kind: 'challenge', challenge };
  }

  async onSignature(signature: Uint8Array, context: SignatureContext): Promise<SignatureDecision> {
    this.signatureLengths.push(signature.length);
    const phoneKey = this.keys.get(context.hello.credential.phonePublicKey);
    if (!phoneKey.ok) return { kind: 'refuse', code: phoneKey.code };
    if (!verify(SignatureLabel.challenge, context.challenge, signature, phoneKey.value)) {
      return { kind: 'refuse', code: ErrorCode.PHONE_SIGNATURE_INVALID };
    }
    const challenge = decodeChallenge(context.challenge);
    if (!challenge.ok) return { kind: 'refuse', code: challenge.code };
    if (this.options.commitDelayMs !== undefined) await delay(this.options.commitDelayMs);
    const amountFen = this.options.amountFen ?? 88;
    const { bytes } = signTapToken(
      {
        ...challenge.value,
        walletId: context.hello.credential.walletId,
        credentialSerial: context.hello.credential.credentialSerial,
        phoneSignature: signature,
        deckId: amountFen === 0 ? 0 : 1,
        envelopeIndex:
          amountFen === 0 ? ENVELOPE_INDEX_NONE : (challenge.value.counter - 1) % ENVELOPE_INDEX_NONE,
        amountFen,
        couponOfferId: 0,
        flags: (context.hello.flags & HelloFlag.phoneOnline) !== 0 ? TapFlag.phoneOnline : 0,
      },
      this.options.screenKey.privateKey,
    );
    if (this.commits.length >= COMMITS_KEPT_MAX) this.commits.shift();
    this.commits.push({
      readerName: context.readerName,
      walletId: context.hello.credential.walletId,
      counter: challenge.value.counter,
      token: bytes,
    });
    const dayState = this.options.dayState;
    return {
      kind: 'receipt',
      token: bytes,
      receiptExtra:
        dayState === undefined
          ? null
          : encodeReceiptExtra({ advertiserId: dayState.advertiserId, cityKey: dayState.cityKey }),
    };
  }
}

export interface DemoWallet {
  keyPair: KeyPair;
  credential: WalletCredential;
}

/** Registers a wallet the way the cloud would: a fresh phone key and an issuer-signed credential. */
export function mintDemoWallet(
  issuerKey: KeyObject,
  walletId: number,
  options: { issuerKeyId?: number; expiresAt?: number } = {},
): DemoWallet {
  const keyPair = generateKeyPair();
  const credential = signCredential(
    {
      walletId,
      credentialSerial: 1,
      phonePublicKey: keyPair.publicKeyRaw,
      expiresAt: options.expiresAt ?? Math.floor(Date.now() / 1000) + 365 * 86_400,
      issuerKeyId: options.issuerKeyId ?? 1,
    },
    issuerKey,
  );
  return { keyPair, credential };
}
