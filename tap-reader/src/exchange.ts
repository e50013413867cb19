// The tap exchange state machine (docs/protocol.md §4, docs/tap-exchange.md): SELECT → HELLO,
// GET DAY STATE when the kiosk asks, SIGN CHALLENGE, PUT RECEIPT, with the kiosk's decisions in between. One implementation for every
// transport. Never throws on anything the card sends.
import {
  CHALLENGE_LENGTH,
  DAY_STATE_REQUEST_LENGTH,
  ErrorCode,
  RECEIPT_EXTRA_LENGTH,
  SIGNATURE_LENGTH,
  StatusWord,
  TAP_TOKEN_LENGTH,
  decodeHello,
  decodeResponseApdu,
  getDayStateApdu,
  putReceiptApdu,
  selectApdu,
  signChallengeApdu,
  statusWordHex,
  type Hello,
  type ResponseApdu,
} from '@redtap/shared';
import { TransportError, raceAbort, type ApduTransport } from './transport.ts';
import { deadlineAfter, systemTimers, type Timers } from './timers.ts';
import {
  CardType,
  TapReaderCode,
  type ApduStep,
  type ApduTiming,
  type ChallengeDecision,
  type DayStateResult,
  type ExchangeResult,
  type HelloDecision,
  type KioskCode,
  type SignatureDecision,
  type TapCode,
  type TapHandler,
  type TapOutcome,
} from './types.ts';

/** EMV's target for a whole contactless transaction; DESIGN's limit for ours (docs/protocol.md §4). */
export const EXCHANGE_BUDGET_MS = 500;
/** After the commit the receipt still gets its own window, whatever is left of the budget. */
export const RECEIPT_TIMEOUT_MS = 300;
/** The kiosk's commit (onSignature) is a durable write; past this the reader stops waiting. */
export const COMMIT_WAIT_MAX_MS = 1000;

export interface ExchangeOptions {
  transport: ApduTransport;
  handler: TapHandler;
  readerName: string;
  cardType: CardType;
  timers?: Timers;
  /** When the card was presented, on the timers' clock; defaults to now. */
  presentedAtMs?: number;
  budgetMs?: number;
  receiptTimeoutMs?: number;
  commitWaitMaxMs?: number;
  onApdu?: (timing: ApduTiming) => void;
}

type StepResult = { ok: true; response: ResponseApdu } | { ok: false; code: TapCode; message: string };

/** Status words a card answers to a SELECT of an application it does not have (ISO 7816-4 §5.6). */
const NOT_REDTAP_STATUS = new Set<number>([
  StatusWord.fileNotFound,
  StatusWord.insNotSupported,
  StatusWord.claNotSupported,
  StatusWord.wrongP1P2,
]);

export async function runTapExchange(options: ExchangeOptions): Promise<ExchangeResult> {
  const timers = options.timers ?? systemTimers;
  const { transport, handler, readerName } = options;
  const startMs = options.presentedAtMs ?? timers.now();
  const budgetMs = options.budgetMs ?? EXCHANGE_BUDGET_MS;
  const apdus: ApduTiming[] = [];
  let handlerMs = 0;
  let committed = false;
  let walletId: number | null = null;
  let dayStateAnswered: boolean | undefined;

  const budget = deadlineAfter(budgetMs - (timers.now() - startMs), timers);
  const remainingMs = (): number => Math.max(0, budgetMs - (timers.now() - startMs));

  const finish = (outcome: TapOutcome, code: KioskCode | null, message: string): ExchangeResult => {
    budget.cancel();
    const transportMs = apdus.reduce((sum, apdu) => sum + apdu.durationMs, 0);
    return {
      readerName,
      outcome,
      code,
      message,
      committed,
      walletId,
      ...(dayStateAnswered === undefined ? {} : { dayStateAnswered }),
      apdus,
      transportMs,
      handlerMs,
      totalMs: timers.now() - startMs,
    };
  };

  const step = async (name: ApduStep, command: Uint8Array, signal: AbortSignal): Promise<StepResult> => {
    const stepStartMs = timers.now();
    let result: StepResult;
    try {
      const bytes = await raceAbort((async () => transport.transmit(command, signal))(), signal);
      const decoded = decodeResponseApdu(bytes);
      result = decoded.ok
        ? { ok: true, response: decoded.value }
        : { ok: false, code: decoded.code, message: decoded.message };
    } catch (error) {
      result =
        error instanceof TransportError
          ? { ok: false, code: error.code, message: error.message }
          : { ok: false, code: ErrorCode.READER_ERROR, message: String(error) };
    }
    const timing: ApduTiming = {
      step: name,
      startMs: stepStartMs - startMs,
      durationMs: timers.now() - stepStartMs,
      sw: result.ok ? result.response.sw : null,
      responseLength: result.ok ? result.response.data.length + 2 : null,
    };
    apdus.push(timing);
    options.onApdu?.(timing);
    return result;
  };

  /** Runs a kiosk callback, bounded by `signal`; a throw or a late answer is a typed failure. */
  const callHandler = async <T>(
    call: () => Promise<T>,
    signal: AbortSignal,
    lateCode: TapCode,
  ): Promise<{ ok: true; value: T } | { ok: false; code: TapCode; message: string }> => {
    const callStartMs = timers.now();
    try {
      return { ok: true, value: await raceAbort(call(), signal) };
    } catch (error) {
      if (error instanceof TransportError) return { ok: false, code: lateCode, message: 'handler too slow' };
      return { ok: false, code: TapReaderCode.HANDLER_FAILED, message: `handler threw: ${String(error)}` };
    } finally {
      handlerMs += timers.now() - callStartMs;
    }
  };

  if (options.cardType !== CardType.iso14443_4) {
    return finish('ignored', TapReaderCode.CARD_NOT_ISO_DEP, `${options.cardType} cannot run APDUs`);
  }

  // 1. SELECT → HELLO (docs/protocol.md §4.1).
  const select = await step('select', selectApdu(), budget.signal);
  if (!select.ok) return finish('aborted', select.code, `SELECT: ${select.message}`);
  const selectSw = select.response.sw;
  if (NOT_REDTAP_STATUS.has(selectSw)) {
    return finish('ignored', ErrorCode.APDU_NOT_REDTAP, `SELECT answered ${statusWordHex(selectSw)}`);
  }
  if (selectSw === StatusWord.conditionsNotSatisfied) {
    return finish('aborted', ErrorCode.APDU_REFUSED, 'phone refused SELECT (69 85)');
  }
  if (selectSw !== StatusWord.ok) {
    return finish('aborted', ErrorCode.APDU_STATUS, `SELECT answered ${statusWordHex(selectSw)}`);
  }
  const helloResult = decodeHello(select.response.data);
  if (!helloResult.ok) return finish('aborted', helloResult.code, `HELLO: ${helloResult.message}`);
  const hello: Hello = helloResult.value;
  walletId = hello.credential.walletId;

  const context = { readerName, signal: budget.signal, remainingMs };
  const helloDecision = await callHandler<HelloDecision>(
    () => handler.onHello(hello, context),
    budget.signal,
    ErrorCode.APDU_TIMEOUT,
  );
  if (!helloDecision.ok) return finish('aborted', helloDecision.code, `onHello: ${helloDecision.message}`);
  let decision: HelloDecision = helloDecision.value;

  // 1a. GET DAY STATE (docs/protocol.md §4.4), only when the kiosk asks. A phone without the extension
  // answers 6D 00 and the tap goes on without it; so does any other status word, since the kiosk never
  // needs a day state to pay. Only a failed transport ends the exchange here.
  if (decision.kind === 'day-state') {
    const onDayState = handler.onDayState?.bind(handler);
    if (onDayState === undefined)
      return finish(
        'aborted',
        TapReaderCode.HANDLER_FAILED,
        'onHello asked for a day state without onDayState',
      );
    if (decision.request.length !== DAY_STATE_REQUEST_LENGTH)
      return finish(
        'aborted',
        TapReaderCode.HANDLER_FAILED,
        `day state request is ${decision.request.length} bytes, not 32`,
      );
    const dayState = await step('day-state', getDayStateApdu(decision.request), budget.signal);
    if (!dayState.ok) return finish('aborted', dayState.code, `GET DAY STATE: ${dayState.message}`);
    dayStateAnswered = dayState.response.sw === StatusWord.ok;
    const result: DayStateResult = dayStateAnswered
      ? { ok: true, bytes: dayState.response.data }
      : { ok: false };
    const next = await callHandler<ChallengeDecision>(
      () => onDayState(result, context),
      budget.signal,
      ErrorCode.APDU_TIMEOUT,
    );
    if (!next.ok) return finish('aborted', next.code, `onDayState: ${next.message}`);
    decision = next.value;
  }
  if (decision.kind === 'refuse') {
    return finish('refused', decision.code, decision.message ?? 'kiosk refused the HELLO');
  }
  const challenge = decision.challenge;
  if (challenge.length !== CHALLENGE_LENGTH) {
    return finish('aborted', TapReaderCode.HANDLER_FAILED, `challenge is ${challenge.length} bytes, not 36`);
  }

  // 2. SIGN CHALLENGE (docs/protocol.md §4.2).
  const sign = await step('sign', signChallengeApdu(challenge), budget.signal);
  if (!sign.ok) return finish('aborted', sign.code, `SIGN CHALLENGE: ${sign.message}`);
  const signSw = sign.response.sw;
  if (signSw === StatusWord.conditionsNotSatisfied) {
    return finish('aborted', ErrorCode.APDU_REFUSED, 'phone refused to sign (69 85)');
  }
  if (signSw !== StatusWord.ok) {
    return finish('aborted', ErrorCode.APDU_STATUS, `SIGN CHALLENGE answered ${statusWordHex(signSw)}`);
  }
  const signature = sign.response.data;
  if (signature.length !== SIGNATURE_LENGTH) {
    const code = signature.length < SIGNATURE_LENGTH ? ErrorCode.TRUNCATED : ErrorCode.BAD_LENGTH;
    return finish('aborted', code, `signature is ${signature.length} bytes, not 64`);
  }
  // The last point where aborting is free: past it the kiosk may commit (docs/tap-exchange.md §3).
  if (budget.signal.aborted || remainingMs() <= 0) {
    return finish('aborted', ErrorCode.APDU_TIMEOUT, `budget of ${budgetMs} ms spent before the commit`);
  }

  // The commit. Not bounded by the budget: once the kiosk starts committing, we let it finish.
  const commitWait = deadlineAfter(options.commitWaitMaxMs ?? COMMIT_WAIT_MAX_MS, timers);
  const receiptDecision = await callHandler<SignatureDecision>(
    () => handler.onSignature(signature, { ...context, signal: commitWait.signal, hello, challenge }),
    commitWait.signal,
    TapReaderCode.HANDLER_TIMEOUT,
  );
  commitWait.cancel();
  if (!receiptDecision.ok) {
    return finish('aborted', receiptDecision.code, `onSignature: ${receiptDecision.message}`);
  }
  if (receiptDecision.value.kind === 'refuse') {
    return finish(
      'refused',
      receiptDecision.value.code,
      receiptDecision.value.message ?? 'kiosk refused the tap',
    );
  }
  committed = true;
  const token = receiptDecision.value.token;
  if (token.length !== TAP_TOKEN_LENGTH) {
    return finish('undelivered', TapReaderCode.HANDLER_FAILED, `token is ${token.length} bytes, not 196`);
  }
  // The long receipt goes only to a phone that answered GET DAY STATE: an old phone would answer 67 00.
  const receiptExtra = dayStateAnswered === true ? (receiptDecision.value.receiptExtra ?? null) : null;
  if (receiptExtra !== null && receiptExtra.length !== RECEIPT_EXTRA_LENGTH) {
    return finish(
      'undelivered',
      TapReaderCode.HANDLER_FAILED,
      `receipt extra is ${receiptExtra.length} bytes, not 8`,
    );
  }

  // 3. PUT RECEIPT (docs/protocol.md §4.3). Best effort: the tap is already recorded.
  const receiptWait = deadlineAfter(options.receiptTimeoutMs ?? RECEIPT_TIMEOUT_MS, timers);
  const receipt = await step('receipt', putReceiptApdu(token, receiptExtra), receiptWait.signal);
  receiptWait.cancel();
  if (!receipt.ok) return finish('undelivered', receipt.code, `PUT RECEIPT: ${receipt.message}`);
  const receiptSw = receipt.response.sw;
  if (receiptSw === StatusWord.ok && receipt.response.data.length === 0) {
    return finish('completed', null, 'receipt acknowledged');
  }
  if (receiptSw === StatusWord.conditionsNotSatisfied) {
    return finish('undelivered', ErrorCode.APDU_REFUSED, 'phone refused the receipt (69 85)');
  }
  if (receiptSw === StatusWord.ok) {
    return finish('undelivered', ErrorCode.APDU_MALFORMED, 'receipt acknowledged with unexpected data');
  }
  return finish('undelivered', ErrorCode.APDU_STATUS, `PUT RECEIPT answered ${statusWordHex(receiptSw)}`);
}
