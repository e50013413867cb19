// The reader's PN532 as an ISO 14443-4 card (PICC) serving the Type 4 tag (docs/tap-exchange.md §10):
// TgInitAsTarget, then TgGetData → tag → TgSetData until the phone leaves or a bound is reached
// (NXP UM0701-02 §7.3.14–7.3.16). Frames go through the ACR122U's direct-transmit pseudo-APDU
// `FF 00 00 00 Lc D4 …` over any transmit function: PC/SC control or transmit, or the virtual PN532.
import { ErrorCode, assert, fail, ok, toHex, type Result } from '@redtap/shared';
import { randomBytes } from 'node:crypto';
import { deadlineAfter, systemTimers, type Timers } from './timers.ts';
import { TransportError, raceAbort } from './transport.ts';
import type { Type4Tag } from './type4-tag.ts';

/** Sends one ACR122U pseudo-APDU and resolves with its reply; should stop soon after `signal` aborts. */
export type Pn532Transmit = (apdu: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/** Frame identifiers (UM0701 §6.2.1.1): TFI D4 host → PN532, D5 PN532 → host. */
export const PN532_HOST_TO_CHIP = 0xd4;
export const PN532_CHIP_TO_HOST = 0xd5;

export const Pn532Command = {
  setParameters: 0x12,
  tgInitAsTarget: 0x8c,
  tgGetData: 0x86,
  tgSetData: 0x8e,
} as const;

/** Error byte of TgGetData / TgSetData (UM0701 §7.1, bits 0–5; b6 MI, b7 NAD). */
export const Pn532Status = {
  ok: 0x00,
  timeout: 0x01,
  crcError: 0x02,
  parityError: 0x03,
  framingError: 0x05,
  rfFieldNotOn: 0x0a,
  rfProtocolError: 0x0b,
  invalidParameter: 0x10,
  depFormatError: 0x13,
  invalidDeviceState: 0x25,
  /** The PN532 as target has been released by its initiator (DESELECT or the field went away). */
  releasedByInitiator: 0x29,
  /** The card previously activated has disappeared. */
  cardDisappeared: 0x2b,
} as const;
export const PN532_STATUS_ERROR_MASK = 0x3f;
/** More Information: the C-APDU continues in the next TgGetData (ISO-DEP chaining). */
export const PN532_STATUS_MORE_INFORMATION = 0x40;

/** SetParameters flags (UM0701 §7.2.9): keep automatic RATS for reader mode, emulate an ISO 14443-4 PICC. */
export const PN532_PARAMETER_AUTOMATIC_RATS = 0x10;
export const PN532_PARAMETER_ISO14443_4_PICC = 0x20;
/** TgInitAsTarget Mode (UM0701 §7.3.14): PassiveOnly | PICCOnly, as libnfc does for a PN532. */
export const TG_INIT_MODE_PASSIVE_PICC = 0x05;
/** ATQA 0x0004, LSB first. */
export const SENS_RES = Uint8Array.of(0x04, 0x00);
/** SAK bit 6: ISO 14443-4 compliant, so the phone sends RATS and speaks ISO-DEP. */
export const SEL_RES_ISO14443_4 = 0x20;
/** Activated-mode byte: b3 ISO 14443-4 PICC. */
export const TG_MODE_ISO14443_4_PICC = 0x08;

/** The ACR122U direct transmit carries at most 255 bytes: D4, the command code and 253 bytes. */
export const DIRECT_TRANSMIT_PAYLOAD_MAX = 255;
/** ACR122U: `63 00` is "the operation failed" (API-ACR122U §4). */
const ACR122_FAILED = 0x6300;
const SW_OK = 0x9000;

export const TAG_WAIT_FOR_PHONE_MS_DEFAULT = 1500;
export const TAG_SESSION_BUDGET_MS_DEFAULT = 2000;
export const TAG_EXCHANGES_MAX_DEFAULT = 32;
/** SetParameters answers at once; a reader silent this long has failed. */
export const TAG_COMMAND_TIMEOUT_MS = 500;
/** A chained C-APDU larger than this is refused: the tag's longest command is a few bytes. */
export const TAG_COMMAND_LENGTH_MAX = 261;

/**
 * released: the phone deselected us or took the field away after activation (the usual end).
 * field-lost: the field dropped mid-exchange (PN532 timeout or "disappeared").
 * no-phone: no phone activated us within waitForPhoneMs.
 * exchange-limit / time-limit: our own bounds ended the session.
 * rf-error: CRC, parity, framing or protocol errors on the air.
 * reader-error: the reader failed, or answered with something that is not a PN532 frame.
 */
export type TagSessionOutcome =
  'released' | 'field-lost' | 'no-phone' | 'exchange-limit' | 'time-limit' | 'rf-error' | 'reader-error';

export interface TagSessionResult {
  outcome: TagSessionOutcome;
  /** The PN532 error byte behind the outcome, when the PN532 reported one. */
  pn532Status: number | null;
  message: string;
  /** C-APDUs answered. */
  exchanges: number;
  /** SELECTs of the NDEF application answered in this activation (each got a fresh URL). */
  readSessions: number;
  /** Of those, sessions in which the phone read the whole NDEF message. */
  completeReads: number;
  /** From the call to the end, in ms. */
  totalMs: number;
}

export interface TagSessionOptions {
  transmit: Pn532Transmit;
  tag: Type4Tag;
  timers?: Timers;
  /** How long TgInitAsTarget waits for a phone to activate us. */
  waitForPhoneMs?: number;
  /** From activation to the end of the session, whatever `signal` does. */
  sessionBudgetMs?: number;
  exchangesMax?: number;
  /** The 3 UID bytes after the PN532's fixed 08h (a random UID); fresh random bytes by default. */
  nfcid1?: Uint8Array;
  /**
   * Ends the wait for a phone (the scheduler's slice is over) as `no-phone`. A phone already reading keeps
   * its session, which ends by itself within sessionBudgetMs.
   */
  signal?: AbortSignal;
}

/** `FF 00 00 00 Lc D4 <command> <params>`. */
export function directTransmitApdu(command: number, params: Uint8Array): Uint8Array {
  const length = 2 + params.length;
  assert(length <= DIRECT_TRANSMIT_PAYLOAD_MAX, `PN532 command of ${length} bytes exceeds direct transmit`);
  const apdu = new Uint8Array(5 + length);
  apdu.set([0xff, 0x00, 0x00, 0x00, length, PN532_HOST_TO_CHIP, command]);
  apdu.set(params, 7);
  return apdu;
}

/** The reply's bytes after `D5 <command + 1>`, without the reader's `90 00`. Never throws. */
export function decodeDirectTransmitReply(reply: Uint8Array, command: number): Result<Uint8Array> {
  if (reply.length < 2) return fail(ErrorCode.APDU_MALFORMED, `reply of ${reply.length} bytes`);
  const sw = ((reply[reply.length - 2] ?? 0) << 8) | (reply[reply.length - 1] ?? 0);
  if (reply.length === 2 && sw === ACR122_FAILED) {
    return fail(ErrorCode.READER_ERROR, 'the reader reports 63 00: the PN532 command failed');
  }
  if (sw !== SW_OK) return fail(ErrorCode.READER_ERROR, `reader status ${toHex(reply.subarray(-2))}`);
  if (reply.length < 4 || reply[0] !== PN532_CHIP_TO_HOST || reply[1] !== command + 1) {
    return fail(ErrorCode.APDU_MALFORMED, `not a reply to PN532 command ${toHex(Uint8Array.of(command))}`);
  }
  return ok(reply.subarray(2, reply.length - 2));
}

/**
 * TgInitAsTarget parameters (UM0701 §7.3.14): Mode, MifareParams (SENS_RES, NFCID1t, SEL_RES),
 * FeliCaParams (18 bytes, unused: zero), NFCID3t (10 bytes, unused), no general bytes, no historical
 * bytes (the PN532 builds the ATS).
 */
export function tgInitAsTargetParams(nfcid1: Uint8Array): Uint8Array {
  assert(nfcid1.length === 3, 'NFCID1t is 3 bytes');
  const params = new Uint8Array(1 + 6 + 18 + 10 + 1 + 1);
  params[0] = TG_INIT_MODE_PASSIVE_PICC;
  params.set(SENS_RES, 1);
  params.set(nfcid1, 3);
  params[6] = SEL_RES_ISO14443_4;
  // 7..24 FeliCaParams, 25..34 NFCID3t, 35 LEN Gt, 36 LEN Tk: all zero.
  return params;
}

/** The outcome a PN532 error byte means for the session. */
export function outcomeOfPn532Status(status: number): TagSessionOutcome {
  switch (status & PN532_STATUS_ERROR_MASK) {
    case Pn532Status.releasedByInitiator:
      return 'released';
    case Pn532Status.timeout:
    case Pn532Status.rfFieldNotOn:
    case Pn532Status.cardDisappeared:
      return 'field-lost';
    case Pn532Status.crcError:
    case Pn532Status.parityError:
    case Pn532Status.framingError:
    case Pn532Status.rfProtocolError:
    case Pn532Status.depFormatError:
      return 'rf-error';
    default:
      return 'reader-error';
  }
}

type Step = { ok: true; payload: Uint8Array } | { ok: false; outcome: TagSessionOutcome; message: string };

/**
 * One activation of the reader as a Type 4 tag. Resolves (never rejects) when the phone leaves, a bound is
 * reached or the reader fails; the caller then takes the reader back to reader mode.
 */
export async function runTagSession(options: TagSessionOptions): Promise<TagSessionResult> {
  const timers = options.timers ?? systemTimers;
  const startMs = timers.now();
  const { tag } = options;
  // A TgSetData carries the R-APDU after D4 8E within the direct transmit's 255 bytes.
  assert(tag.readLengthMax + 2 <= DIRECT_TRANSMIT_PAYLOAD_MAX - 2, 'MLe too large for TgSetData');
  const sessionsBefore = tag.sessions;
  const completeBefore = tag.completeReads;
  let exchanges = 0;
  let pn532Status: number | null = null;
  const outside = options.signal ?? new AbortController().signal;
  const finish = (outcome: TagSessionOutcome, message: string): TagSessionResult => {
    // Whatever happened, the next phone starts over with SELECT.
    tag.reset();
    return {
      outcome,
      pn532Status,
      message,
      exchanges,
      readSessions: tag.sessions - sessionsBefore,
      completeReads: tag.completeReads - completeBefore,
      totalMs: timers.now() - startMs,
    };
  };

  const send = async (command: number, params: Uint8Array, signal: AbortSignal): Promise<Step> => {
    let reply: Uint8Array;
    try {
      reply = await raceAbort(options.transmit(directTransmitApdu(command, params), signal), signal);
    } catch (error) {
      if (error instanceof TransportError && error.code === ErrorCode.APDU_TIMEOUT) {
        return { ok: false, outcome: 'time-limit', message: error.message };
      }
      return {
        ok: false,
        outcome: 'reader-error',
        message: `transmit failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const decoded = decodeDirectTransmitReply(reply, command);
    if (!decoded.ok) return { ok: false, outcome: 'reader-error', message: decoded.message };
    return { ok: true, payload: decoded.value };
  };

  /** The status byte of TgGetData / TgSetData; a non-zero error ends the session. */
  const checkStatus = (payload: Uint8Array, what: string): Step => {
    const statusByte = payload[0];
    if (statusByte === undefined)
      return { ok: false, outcome: 'reader-error', message: `${what}: no status` };
    if ((statusByte & PN532_STATUS_ERROR_MASK) !== Pn532Status.ok) {
      pn532Status = statusByte & PN532_STATUS_ERROR_MASK;
      return {
        ok: false,
        outcome: outcomeOfPn532Status(statusByte),
        message: `${what}: PN532 status ${toHex(Uint8Array.of(pn532Status))}`,
      };
    }
    return { ok: true, payload };
  };

  const commandDeadline = deadlineAfter(TAG_COMMAND_TIMEOUT_MS, timers);
  const parameters = await send(
    Pn532Command.setParameters,
    Uint8Array.of(PN532_PARAMETER_AUTOMATIC_RATS | PN532_PARAMETER_ISO14443_4_PICC),
    AbortSignal.any([commandDeadline.signal, outside]),
  );
  commandDeadline.cancel();
  if (!parameters.ok) {
    const silent = parameters.outcome === 'time-limit' && !outside.aborted;
    return finish(silent ? 'reader-error' : parameters.outcome, parameters.message);
  }

  const nfcid1 = options.nfcid1 ?? new Uint8Array(randomBytes(3));
  const waiting = deadlineAfter(options.waitForPhoneMs ?? TAG_WAIT_FOR_PHONE_MS_DEFAULT, timers);
  const activated = await send(
    Pn532Command.tgInitAsTarget,
    tgInitAsTargetParams(nfcid1),
    AbortSignal.any([waiting.signal, outside]),
  );
  waiting.cancel();
  if (!activated.ok) {
    // The wait running out is the quiet case: nobody held a phone to the screen.
    return finish(activated.outcome === 'time-limit' ? 'no-phone' : activated.outcome, activated.message);
  }
  const mode = activated.payload[0];
  if (mode === undefined || (mode & TG_MODE_ISO14443_4_PICC) === 0) {
    return finish('reader-error', `activated in mode ${mode ?? 'none'}, not as an ISO 14443-4 PICC`);
  }

  const budget = deadlineAfter(options.sessionBudgetMs ?? TAG_SESSION_BUDGET_MS_DEFAULT, timers);
  const signal = budget.signal;
  const exchangesMax = options.exchangesMax ?? TAG_EXCHANGES_MAX_DEFAULT;
  try {
    while (exchanges < exchangesMax) {
      const command = await receiveCommand(send, checkStatus, signal);
      if (!command.ok) return finish(command.outcome, command.message);
      const response = tag.respond(command.payload);
      exchanges += 1;
      const sent = await send(Pn532Command.tgSetData, response, signal);
      if (!sent.ok) return finish(sent.outcome, sent.message);
      const delivered = checkStatus(sent.payload, 'TgSetData');
      if (!delivered.ok) return finish(delivered.outcome, delivered.message);
    }
    return finish('exchange-limit', `${exchangesMax} exchanges answered`);
  } finally {
    budget.cancel();
  }
}

/** TgGetData until the C-APDU is whole: the PN532 sets MI while the phone's I-blocks are chained. */
async function receiveCommand(
  send: (command: number, params: Uint8Array, signal: AbortSignal) => Promise<Step>,
  checkStatus: (payload: Uint8Array, what: string) => Step,
  signal: AbortSignal,
): Promise<Step> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const received = await send(Pn532Command.tgGetData, new Uint8Array(0), signal);
    if (!received.ok) return received;
    const checked = checkStatus(received.payload, 'TgGetData');
    if (!checked.ok) return checked;
    const part = checked.payload.subarray(1);
    length += part.length;
    if (length > TAG_COMMAND_LENGTH_MAX) {
      return {
        ok: false,
        outcome: 'reader-error',
        message: `chained command longer than ${TAG_COMMAND_LENGTH_MAX}`,
      };
    }
    parts.push(part);
    if (((checked.payload[0] ?? 0) & PN532_STATUS_MORE_INFORMATION) === 0) break;
  }
  const command = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    command.set(part, offset);
    offset += part.length;
  }
  return { ok: true, payload: command };
}

/** ACR122U over PC/SC: nfc-pcsc's `reader.control` (direct connection, no card) or `reader.transmit`. */
export type PcscSend = (data: Buffer, responseMaxLength: number) => Promise<Buffer>;

/** The longest pseudo-APDU reply: D5, the code, the status, 262 bytes of data and the reader's SW. */
export const DIRECT_TRANSMIT_REPLY_MAX = 267;

/**
 * A Pn532Transmit over PC/SC. With `reader.control` (SCardControl, IOCTL_CCID_ESCAPE, on a direct
 * connection) the PN532's reply comes back at once; over `reader.transmit` on a T=0 connection the
 * ACR122U answers `61 xx` and the reply is fetched with GET RESPONSE `FF C0 00 00 xx`, as libnfc's
 * acr122_pcsc driver does. PC/SC cannot cancel a call: on abort we stop waiting and drop the late reply.
 */
export function pcscPn532Transmit(sendToReader: PcscSend): Pn532Transmit {
  return async (apdu, signal) => {
    const exchange = async (): Promise<Uint8Array> => {
      let reply = await sendToReader(Buffer.from(apdu), DIRECT_TRANSMIT_REPLY_MAX);
      if (reply.length === 2 && reply[0] === 0x61) {
        reply = await sendToReader(
          Buffer.from([0xff, 0xc0, 0x00, 0x00, reply[1] ?? 0]),
          DIRECT_TRANSMIT_REPLY_MAX,
        );
      }
      return new Uint8Array(reply);
    };
    try {
      return await raceAbort(exchange(), signal);
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw new TransportError(
        ErrorCode.READER_ERROR,
        `PC/SC failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
