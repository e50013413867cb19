// An ACR122U's PN532 in target mode, simulated: it answers the direct-transmit pseudo-APDUs that
// pn532-target.ts sends (SetParameters, TgInitAsTarget, TgGetData, TgSetData), and on the other side a
// phone enters the field and sends C-APDUs. TgInitAsTarget returns once a phone activates it; TgGetData
// hands over the phone's C-APDU (chained with MI when it is long); TgSetData hands back the R-APDU.
// Faults: the phone leaves (DESELECT or the field drops, mid-read included) and garbage reader replies.
import { ErrorCode, type Result } from '@redtap/shared';
import {
  readNdefUrlAsPhone,
  type NdefRead,
  type PhoneReadOptions,
  type Transceive,
} from './ndef-phone-reader.ts';
import {
  PN532_CHIP_TO_HOST,
  PN532_HOST_TO_CHIP,
  PN532_STATUS_MORE_INFORMATION,
  Pn532Command,
  Pn532Status,
  SEL_RES_ISO14443_4,
  TG_MODE_ISO14443_4_PICC,
  type Pn532Transmit,
} from './pn532-target.ts';
import { TransportError } from './transport.ts';

/** RATS with FSDI 8 (256 bytes) and CID 0: the phone's first frame, reported by TgInitAsTarget. */
const RATS = Uint8Array.of(0xe0, 0x80);
/** ACR122U "operation failed". */
const FAILED = Uint8Array.of(0x63, 0x00);
/** TgInitAsTarget's parameters: Mode, 6 + 18 + 10 bytes, LEN Gt, LEN Tk. */
const TG_INIT_PARAMS_LENGTH_MIN = 37;
const TG_INIT_MODE_PICC_ONLY = 0x04;
const COMMAND_LOG_MAX = 1000;
/** PN532 FSC is 64 bytes in PICC mode: a C-APDU longer than this arrives in I-blocks chained with MI. */
export const VIRTUAL_PN532_CHAIN_CHUNK = 59;

interface PendingCommand {
  bytes: Uint8Array;
  sentLength: number;
  /** Every byte has gone out through TgGetData (an empty C-APDU goes out once, empty). */
  delivered: boolean;
  resolve: (reply: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface Field {
  gone: boolean;
  /** What TgGetData / TgSetData report once the phone has gone. */
  leaveStatus: number;
  activated: boolean;
  command: PendingCommand | null;
}

type Waiter = { resolve: (reply: Uint8Array) => void };

/** A phone in the reader's field, as the reader sees it once in target mode. */
export interface PhoneInField {
  /** Sends a C-APDU once the reader is a target; rejects if the phone leaves first. */
  transceive: Transceive;
  /**
   * The phone goes away: `releasedByInitiator` (29h) for a DESELECT or the field dropping after a read,
   * or another PN532 error byte (01h timeout, 0Ah…) for a field lost mid-read.
   */
  leave(status?: number): void;
}

function pn532Reply(command: number, payload: Uint8Array): Uint8Array {
  const reply = new Uint8Array(2 + payload.length + 2);
  reply[0] = PN532_CHIP_TO_HOST;
  reply[1] = command + 1;
  reply.set(payload, 2);
  reply.set([0x90, 0x00], 2 + payload.length);
  return reply;
}

export class VirtualPn532 {
  /** PN532 command codes received, oldest first (bounded). */
  readonly commands: number[] = [];
  /** Flags from the last SetParameters, null before one. */
  parameters: number | null = null;
  /** The NFCID1t bytes of the last TgInitAsTarget. */
  lastNfcid1: Uint8Array | null = null;
  private readonly injected: Uint8Array[] = [];
  private field: Field | null = null;
  private activated: Field | null = null;
  private armed: Waiter | null = null;
  private getData: Waiter | null = null;

  readonly transmit: Pn532Transmit = (apdu, signal) => this.handle(apdu, signal);

  /** Whether a TgInitAsTarget is waiting for a phone (the reader is in tag mode, not yet activated). */
  get waitingForPhone(): boolean {
    return this.armed !== null;
  }

  /** The next replies are these bytes instead of the PN532's (garbage, `63 00`, another command's reply). */
  injectReplies(...replies: Uint8Array[]): void {
    this.injected.push(...replies);
  }

  /** A phone comes close. Only one at a time: a second one replaces the first, which is gone. */
  enterField(): PhoneInField {
    if (this.field !== null) this.leave(this.field, Pn532Status.releasedByInitiator);
    const field: Field = {
      gone: false,
      leaveStatus: Pn532Status.releasedByInitiator,
      activated: false,
      command: null,
    };
    this.field = field;
    this.pump();
    return {
      transceive: (apdu) =>
        new Promise<Uint8Array>((resolve, reject) => {
          if (field.gone) {
            reject(new Error('the phone has left the field'));
            return;
          }
          if (field.command !== null) {
            reject(new Error('one C-APDU at a time'));
            return;
          }
          field.command = { bytes: apdu.slice(), sentLength: 0, delivered: false, resolve, reject };
          this.pump();
        }),
      leave: (status = Pn532Status.releasedByInitiator) => this.leave(field, status),
    };
  }

  /** A whole background read by a phone: enter, read like iOS or Android, leave. */
  async readAsPhone(options: PhoneReadOptions & { leaveStatus?: number } = {}): Promise<Result<NdefRead>> {
    const phone = this.enterField();
    const result = await readNdefUrlAsPhone(phone.transceive, options);
    phone.leave(options.leaveStatus ?? Pn532Status.releasedByInitiator);
    return result;
  }

  private leave(field: Field, status: number): void {
    if (field.gone) return;
    field.gone = true;
    field.leaveStatus = status;
    if (this.field === field) this.field = null;
    field.command?.reject(new Error('the phone has left the field'));
    field.command = null;
    this.pump();
  }

  private handle(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const injected = this.injected.shift();
    if (injected !== undefined) return Promise.resolve(injected);
    const lc = apdu[4] ?? 0;
    const wellFormed =
      apdu.length >= 7 &&
      apdu[0] === 0xff &&
      apdu[1] === 0x00 &&
      apdu[2] === 0x00 &&
      apdu[3] === 0x00 &&
      apdu.length === 5 + lc &&
      apdu[5] === PN532_HOST_TO_CHIP;
    if (!wellFormed) return Promise.resolve(FAILED);
    const command = apdu[6] ?? 0;
    const params = apdu.subarray(7);
    this.commands.push(command);
    if (this.commands.length > COMMAND_LOG_MAX) this.commands.shift();
    switch (command) {
      case Pn532Command.setParameters:
        if (params.length !== 1) return Promise.resolve(FAILED);
        this.parameters = params[0] ?? 0;
        return Promise.resolve(pn532Reply(command, new Uint8Array(0)));
      case Pn532Command.tgInitAsTarget:
        return this.initAsTarget(params, signal);
      case Pn532Command.tgGetData:
        return this.waitForCommand(signal);
      case Pn532Command.tgSetData:
        return Promise.resolve(this.setData(params));
      default:
        return Promise.resolve(FAILED);
    }
  }

  private initAsTarget(params: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const mode = params[0] ?? 0;
    const selRes = params[6] ?? 0;
    // Only ISO 14443-4 PICC emulation is simulated: a phone reading NDEF needs ISO-DEP.
    if (
      params.length < TG_INIT_PARAMS_LENGTH_MIN ||
      (mode & TG_INIT_MODE_PICC_ONLY) === 0 ||
      (selRes & SEL_RES_ISO14443_4) === 0 ||
      this.armed !== null
    ) {
      return Promise.resolve(FAILED);
    }
    this.lastNfcid1 = params.slice(3, 6);
    this.activated = null;
    return this.wait(
      signal,
      (waiter) => (this.armed = waiter),
      () => (this.armed = null),
    );
  }

  private waitForCommand(signal: AbortSignal): Promise<Uint8Array> {
    if (this.activated === null || this.getData !== null) {
      return Promise.resolve(
        pn532Reply(Pn532Command.tgGetData, Uint8Array.of(Pn532Status.invalidDeviceState)),
      );
    }
    return this.wait(
      signal,
      (waiter) => (this.getData = waiter),
      () => (this.getData = null),
    );
  }

  /** Parks a reply until pump() resolves it; an abort drops it (a real PN532 cannot be cancelled this way). */
  private wait(signal: AbortSignal, park: (waiter: Waiter) => void, unpark: () => void): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      if (signal.aborted) {
        reject(new TransportError(ErrorCode.APDU_TIMEOUT, 'stopped waiting for the PN532'));
        return;
      }
      const onAbort = (): void => {
        unpark();
        reject(new TransportError(ErrorCode.APDU_TIMEOUT, 'stopped waiting for the PN532'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      park({
        resolve: (reply) => {
          signal.removeEventListener('abort', onAbort);
          resolve(reply);
        },
      });
      this.pump();
    });
  }

  private setData(params: Uint8Array): Uint8Array {
    const reply = (status: number): Uint8Array => pn532Reply(Pn532Command.tgSetData, Uint8Array.of(status));
    const field = this.activated;
    if (field === null) return reply(Pn532Status.invalidDeviceState);
    if (field.gone) {
      this.activated = null;
      return reply(field.leaveStatus);
    }
    const command = field.command;
    // 27h: not acceptable now (no whole C-APDU awaits an answer).
    if (command === null || !command.delivered) return reply(0x27);
    field.command = null;
    command.resolve(params.slice());
    return reply(Pn532Status.ok);
  }

  /** Moves whatever can move: activation, the phone's command to a waiting TgGetData, a departure. */
  private pump(): void {
    const field = this.field;
    if (this.armed !== null && field !== null && !field.gone && !field.activated) {
      field.activated = true;
      this.activated = field;
      const armed = this.armed;
      this.armed = null;
      armed.resolve(pn532Reply(Pn532Command.tgInitAsTarget, Uint8Array.of(TG_MODE_ISO14443_4_PICC, ...RATS)));
    }
    const active = this.activated;
    if (this.getData === null || active === null) return;
    const getData = this.getData;
    if (active.gone) {
      this.getData = null;
      this.activated = null;
      getData.resolve(pn532Reply(Pn532Command.tgGetData, Uint8Array.of(active.leaveStatus)));
      return;
    }
    const command = active.command;
    if (command === null || command.delivered) return;
    this.getData = null;
    const end = Math.min(command.sentLength + VIRTUAL_PN532_CHAIN_CHUNK, command.bytes.length);
    const more = end < command.bytes.length ? PN532_STATUS_MORE_INFORMATION : 0;
    const part = command.bytes.subarray(command.sentLength, end);
    command.sentLength = end;
    command.delivered = more === 0;
    getData.resolve(pn532Reply(Pn532Command.tgGetData, Uint8Array.of(Pn532Status.ok | more, ...part)));
  }
}
