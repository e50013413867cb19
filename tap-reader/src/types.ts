// Public types of the tap reader: the kiosk's decision handler, exchange results and the event stream
// every tap source emits (docs/tap-exchange.md).
import type { ErrorCode, Hello } from '@redtap/shared';

/** Codes this package adds to the shared ErrorCode set for conditions only a reader sees. */
export const TapReaderCode = {
  /** An ISO 14443-3 tag (MIFARE, NTAG…) without ISO-DEP: it cannot run APDUs at all. */
  CARD_NOT_ISO_DEP: 'CARD_NOT_ISO_DEP',
  /** The kiosk's handler threw or returned bytes of the wrong size. */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** The kiosk's commit step (onSignature) did not settle within commitWaitMaxMs. */
  HANDLER_TIMEOUT: 'HANDLER_TIMEOUT',
  /** pcscd is not running or not answering. */
  PCSC_UNAVAILABLE: 'PCSC_UNAVAILABLE',
} as const;
export type TapReaderCode = (typeof TapReaderCode)[keyof typeof TapReaderCode];

export type TapCode = ErrorCode | TapReaderCode;

/** What a kiosk may refuse with: usually an ErrorCode (CREDENTIAL_REVOKED…), but its own codes pass through. */
export type KioskCode = string;

export const CardType = {
  iso14443_4: 'TAG_ISO_14443_4',
  iso14443_3: 'TAG_ISO_14443_3',
} as const;
export type CardType = (typeof CardType)[keyof typeof CardType];

export type ApduStep = 'select' | 'day-state' | 'sign' | 'receipt';

export interface ApduTiming {
  step: ApduStep;
  /** Since the card was presented. */
  startMs: number;
  durationMs: number;
  /** null when no response came back (removed, timed out, reader error). */
  sw: number | null;
  responseLength: number | null;
}

export interface TapContext {
  readerName: string;
  /** Aborted when the exchange budget runs out: a handler still thinking should give up. */
  signal: AbortSignal;
  /** Milliseconds left of the exchange budget, at the time of the call. */
  remainingMs: () => number;
}

export interface SignatureContext extends TapContext {
  hello: Hello;
  challenge: Uint8Array;
}

export type ChallengeDecision =
  { kind: 'challenge'; challenge: Uint8Array } | { kind: 'refuse'; code: KioskCode; message?: string };

/** After HELLO: a challenge, a refusal, or first GET DAY STATE with this 32-byte request (then onDayState). */
export type HelloDecision = ChallengeDecision | { kind: 'day-state'; request: Uint8Array };

/** The phone's answer to GET DAY STATE: its data with 90 00, or nothing (6D 00 from a phone without it). */
export type DayStateResult = { ok: true; bytes: Uint8Array } | { ok: false };

export type SignatureDecision =
  | {
      kind: 'receipt';
      token: Uint8Array;
      /**
       * `u32 advertiserId ‖ u32 cityKey` for the long PUT RECEIPT; sent only to a phone that answered
       * GET DAY STATE with 90 00, so a phone without the extension always gets the 196-byte form.
       */
      receiptExtra?: Uint8Array | null;
    }
  | { kind: 'refuse'; code: KioskCode; message?: string };

/**
 * The kiosk's side of a tap. The driver only moves bytes; the kiosk decides everything that touches
 * money. Returning a receipt from onSignature means the kiosk has committed the tap.
 */
export interface TapHandler {
  onHello(hello: Hello, context: TapContext): Promise<HelloDecision>;
  /** Required by a handler whose onHello may answer `day-state`; bounded by the same budget. */
  onDayState?(result: DayStateResult, context: TapContext): Promise<ChallengeDecision>;
  onSignature(signature: Uint8Array, context: SignatureContext): Promise<SignatureDecision>;
}

/**
 * completed: receipt acknowledged with 90 00. undelivered: committed, but the receipt did not reach
 * the phone (it is paid through the kiosk path). aborted: stopped before the commit. refused: the kiosk
 * said no. ignored: not a RedTap phone.
 */
export type TapOutcome = 'completed' | 'undelivered' | 'aborted' | 'refused' | 'ignored';

export interface ExchangeResult {
  readerName: string;
  outcome: TapOutcome;
  /** A TapCode, or the kiosk's own code for `refused`; null only for `completed`. */
  code: KioskCode | null;
  message: string;
  /** The kiosk returned a receipt from onSignature: the tap is recorded whatever happens next. */
  committed: boolean;
  walletId: number | null;
  /** GET DAY STATE: absent when the kiosk did not ask, else whether the phone answered it with 90 00. */
  dayStateAnswered?: boolean;
  apdus: ApduTiming[];
  /** Sum of APDU round trips. */
  transportMs: number;
  /** Time spent inside the kiosk's handlers. */
  handlerMs: number;
  /** From card presented to the end of the exchange. */
  totalMs: number;
}

export interface ReaderInfo {
  name: string;
  state: 'empty' | 'present' | 'exchanging';
}

export type TapEvent =
  | { type: 'source.ready' }
  | { type: 'source.unavailable'; code: TapCode; message: string; attempt: number; retryInMs: number }
  | { type: 'source.gave-up'; code: TapCode; message: string; attempts: number }
  | { type: 'reader.attached'; readerName: string }
  | { type: 'reader.detached'; readerName: string }
  | { type: 'reader.error'; readerName: string; message: string }
  | { type: 'card.present'; readerName: string; atr: string; cardType: CardType }
  | { type: 'card.removed'; readerName: string }
  | { type: 'apdu'; readerName: string; timing: ApduTiming }
  | { type: 'tap'; result: ExchangeResult };

export type TapEventListener = (event: TapEvent) => void;

/** Where taps come from: the PC/SC driver or the in-process simulated reader. */
export interface TapSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Returns a function that removes the listener. */
  on(listener: TapEventListener): () => void;
  readers(): ReaderInfo[];
}
