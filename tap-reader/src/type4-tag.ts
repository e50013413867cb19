// The kiosk's reader as an NFC Forum Type 4 Tag (T4T 2.0, docs/tap-exchange.md §10): a pure, synchronous
// state machine from command APDU to response APDU. It serves a read-only NDEF file holding one URI
// record, with a fresh URL from the provider for every SELECT of the NDEF Tag Application. Hostile or
// malformed APDUs get a status word, never an exception.
import {
  StatusWord,
  assert,
  bytesEqual,
  decodeCommandApdu,
  encodeResponseApdu,
  type CommandApdu,
} from '@redtap/shared';
import { encodeUriNdefMessage } from './ndef-uri.ts';

/** NDEF Tag Application name for mapping version 2.0 (T4T 2.0 §5.1.2). */
export const NDEF_TAG_APPLICATION_AID = Uint8Array.of(0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01);
export const CC_FILE_ID = 0xe103;
export const NDEF_FILE_ID_DEFAULT = 0xe104;
export const CC_FILE_LENGTH = 15;
/** Major 2, minor 0. */
export const T4T_MAPPING_VERSION = 0x20;
/** NLEN, the NDEF file's 2-byte length prefix. */
export const NLEN_LENGTH = 2;
/**
 * MLe: the most data one READ BINARY returns. 0x54 is what PN53x-based emulators have used since libnfc
 * found larger values refused by some readers; every READ carries about 8 ms of air time at 106 kbit/s,
 * so a ~200-byte claim URL costs three reads.
 */
export const READ_LENGTH_MAX_DEFAULT = 0x54;
/** MLc: the most data a C-APDU may carry. We accept none (read-only); 0xFF is the short-APDU bound. */
export const COMMAND_DATA_MAX = 0xff;
/** Maximum NDEF file size (NLEN included) declared in the CC; a claim URL is ~200 bytes. */
export const NDEF_FILE_SIZE_MAX_DEFAULT = 1024;
/** READ BINARY's offset is 15 bits (P1 b8 selects short-EF addressing instead). */
const OFFSET_MAX = 0x7fff;

/** NDEF File Control TLV (T4T 2.0 §5.1.2.1). */
const NDEF_FILE_CONTROL_TLV_TAG = 0x04;
const NDEF_FILE_CONTROL_TLV_LENGTH = 0x06;
const ACCESS_GRANTED = 0x00;
const ACCESS_DENIED = 0xff;

/** Status words a T4T answers with beyond the RedTap set (ISO 7816-4 §5.1.3). */
export const TagStatusWord = {
  ...StatusWord,
  securityStatusNotSatisfied: 0x6982,
  noCurrentFile: 0x6986,
  incorrectP1P2: 0x6a86,
} as const;

export const TagIns = {
  select: 0xa4,
  readBinary: 0xb0,
  updateBinary: 0xd6,
} as const;

/** A URL for the next read session: text, or its UTF-8 bytes. Called once per SELECT of the application. */
export type NdefUrlProvider = () => string | Uint8Array;

export interface Type4TagOptions {
  url: NdefUrlProvider;
  ndefFileId?: number;
  /** MLe, 15..255. */
  readLengthMax?: number;
  /** Declared in the CC, NLEN included; a URL whose file would not fit is not served. 5..0x7FFF. */
  ndefFileSizeMax?: number;
}

type SelectedFile = 'cc' | 'ndef' | null;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** `CCLEN | version | MLe | MLc | NDEF File Control TLV (T=04 L=06: id, max size, read 00, write FF)`. */
export function encodeCapabilityContainer(options: {
  readLengthMax: number;
  ndefFileId: number;
  ndefFileSizeMax: number;
}): Uint8Array {
  const cc = new Uint8Array(CC_FILE_LENGTH);
  const view = new DataView(cc.buffer);
  view.setUint16(0, CC_FILE_LENGTH);
  cc[2] = T4T_MAPPING_VERSION;
  view.setUint16(3, options.readLengthMax);
  view.setUint16(5, COMMAND_DATA_MAX);
  cc[7] = NDEF_FILE_CONTROL_TLV_TAG;
  cc[8] = NDEF_FILE_CONTROL_TLV_LENGTH;
  view.setUint16(9, options.ndefFileId);
  view.setUint16(11, options.ndefFileSizeMax);
  cc[13] = ACCESS_GRANTED;
  cc[14] = ACCESS_DENIED;
  return cc;
}

/** `NLEN u16 ‖ NDEF message`. */
export function encodeNdefFile(message: Uint8Array): Uint8Array {
  assert(message.length <= 0xffff, 'an NDEF message fits NLEN');
  const file = new Uint8Array(NLEN_LENGTH + message.length);
  new DataView(file.buffer).setUint16(0, message.length);
  file.set(message, NLEN_LENGTH);
  return file;
}

function status(sw: number): Uint8Array {
  return encodeResponseApdu({ data: new Uint8Array(0), sw });
}

export class Type4Tag {
  readonly capabilityContainer: Uint8Array;
  readonly readLengthMax: number;
  readonly ndefFileId: number;
  readonly ndefFileSizeMax: number;
  /** SELECTs of the application that got a URL: one provider call each. */
  sessions = 0;
  /** Sessions in which the last byte of the NDEF message was read (a phone got the whole URL). */
  completeReads = 0;
  /** SELECTs refused because the provider threw or gave a URL that does not fit the file. */
  providerFailures = 0;
  lastProviderError: string | null = null;
  private readonly provider: NdefUrlProvider;
  private applicationSelected = false;
  private selectedFile: SelectedFile = null;
  private ndefFile: Uint8Array = new Uint8Array(0);
  private sessionReadComplete = false;

  constructor(options: Type4TagOptions) {
    this.provider = options.url;
    this.ndefFileId = options.ndefFileId ?? NDEF_FILE_ID_DEFAULT;
    this.readLengthMax = options.readLengthMax ?? READ_LENGTH_MAX_DEFAULT;
    this.ndefFileSizeMax = options.ndefFileSizeMax ?? NDEF_FILE_SIZE_MAX_DEFAULT;
    // T4T 2.0 §5.1.2.1: file ids 0000h, E102h, E103h, 3F00h and 3FFFh are reserved, FFFFh is RFU.
    assert(
      Number.isInteger(this.ndefFileId) &&
        this.ndefFileId > 0 &&
        this.ndefFileId < 0xffff &&
        ![0xe102, CC_FILE_ID, 0x3f00, 0x3fff].includes(this.ndefFileId),
      `NDEF file id ${this.ndefFileId} is reserved`,
    );
    assert(
      Number.isInteger(this.readLengthMax) && this.readLengthMax >= 0x0f && this.readLengthMax <= 0xff,
      `MLe ${this.readLengthMax} outside 15..255`,
    );
    assert(
      Number.isInteger(this.ndefFileSizeMax) &&
        this.ndefFileSizeMax >= 5 &&
        this.ndefFileSizeMax <= OFFSET_MAX,
      `NDEF file size ${this.ndefFileSizeMax} outside 5..${OFFSET_MAX}`,
    );
    this.capabilityContainer = encodeCapabilityContainer(this);
  }

  /** The NDEF file of the current read session (empty before the first one). */
  get currentNdefFile(): Uint8Array {
    return this.ndefFile;
  }

  /** The field went away or the reader took the PN532 back: the next reader starts with SELECT. */
  reset(): void {
    this.applicationSelected = false;
    this.selectedFile = null;
  }

  respond(apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) return status(TagStatusWord.wrongLength);
    // ISO 7816-4 §5.4.1: the class is checked before the instruction.
    if (apdu[0] !== 0x00) return status(TagStatusWord.claNotSupported);
    const ins = apdu[1];
    if (ins !== TagIns.select && ins !== TagIns.readBinary && ins !== TagIns.updateBinary) {
      return status(TagStatusWord.insNotSupported);
    }
    const decoded = decodeCommandApdu(apdu);
    if (!decoded.ok) return status(TagStatusWord.wrongLength);
    const command = decoded.value;
    if (ins === TagIns.select) return this.select(command);
    if (ins === TagIns.readBinary) return this.readBinary(command);
    return this.updateBinary(command);
  }

  private select(command: CommandApdu): Uint8Array {
    if (command.p1 === 0x04) {
      // By name. T4T 2.0 sends P2 00; P2 0C (no FCI wanted) is answered the same: we return no FCI.
      if (command.p2 !== 0x00 && command.p2 !== 0x0c) return status(TagStatusWord.incorrectP1P2);
      if (command.data.length < 1 || command.data.length > 16) return status(TagStatusWord.wrongLength);
      if (!bytesEqual(command.data, NDEF_TAG_APPLICATION_AID)) {
        // A reader looking for another application: whatever it does next is not our session.
        this.reset();
        return status(TagStatusWord.fileNotFound);
      }
      return this.startSession() ? status(TagStatusWord.ok) : status(TagStatusWord.fileNotFound);
    }
    if (command.p1 === 0x00) {
      // By file id (T4T 2.0: P2 0C; mapping 1.0 readers send P2 00).
      if (command.p2 !== 0x0c && command.p2 !== 0x00) return status(TagStatusWord.incorrectP1P2);
      if (command.data.length !== 2) return status(TagStatusWord.wrongLength);
      if (!this.applicationSelected) return status(TagStatusWord.fileNotFound);
      const fileId = ((command.data[0] ?? 0) << 8) | (command.data[1] ?? 0);
      // ISO 7816-4 §7.1.1: a failed SELECT leaves the current file as it was.
      if (fileId === CC_FILE_ID) this.selectedFile = 'cc';
      else if (fileId === this.ndefFileId) this.selectedFile = 'ndef';
      else return status(TagStatusWord.fileNotFound);
      return status(TagStatusWord.ok);
    }
    return status(TagStatusWord.incorrectP1P2);
  }

  private readBinary(command: CommandApdu): Uint8Array {
    // P1 b8 addresses a file by short EF id; ours have none.
    if ((command.p1 & 0x80) !== 0) return status(TagStatusWord.fileNotFound);
    if (command.data.length > 0) return status(TagStatusWord.wrongLength);
    const file = this.currentFile();
    if (file === null) return status(TagStatusWord.noCurrentFile);
    const offset = (command.p1 << 8) | command.p2;
    if (offset >= file.length) return status(TagStatusWord.wrongP1P2);
    if (command.le === undefined || command.le > this.readLengthMax) return status(TagStatusWord.wrongLength);
    // Reading past the end returns what there is, with 90 00: readers size reads from NLEN, and a
    // 62 82 warning trips up more of them than it helps.
    const end = Math.min(offset + command.le, file.length);
    if (this.selectedFile === 'ndef' && end === file.length && file.length > NLEN_LENGTH) {
      if (!this.sessionReadComplete) this.completeReads += 1;
      this.sessionReadComplete = true;
    }
    return encodeResponseApdu({ data: file.subarray(offset, end), sw: TagStatusWord.ok });
  }

  private updateBinary(command: CommandApdu): Uint8Array {
    if ((command.p1 & 0x80) !== 0) return status(TagStatusWord.fileNotFound);
    if (this.currentFile() === null) return status(TagStatusWord.noCurrentFile);
    // The CC is never writable and the NDEF file's write access is FFh: the tag is read-only.
    return status(TagStatusWord.securityStatusNotSatisfied);
  }

  private currentFile(): Uint8Array | null {
    if (!this.applicationSelected) return null;
    if (this.selectedFile === 'cc') return this.capabilityContainer;
    if (this.selectedFile === 'ndef') return this.ndefFile;
    return null;
  }

  /** One provider call per SELECT; the file stays fixed until the next SELECT, so NLEN and body agree. */
  private startSession(): boolean {
    this.reset();
    this.sessionReadComplete = false;
    let message: Uint8Array;
    try {
      const provided = this.provider();
      message = encodeUriNdefMessage(typeof provided === 'string' ? provided : utf8Strict.decode(provided));
    } catch (error) {
      return this.providerFailed(
        `URL provider failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (NLEN_LENGTH + message.length > this.ndefFileSizeMax) {
      return this.providerFailed(
        `URL needs a ${NLEN_LENGTH + message.length}-byte NDEF file; the tag holds ${this.ndefFileSizeMax}`,
      );
    }
    this.ndefFile = encodeNdefFile(message);
    this.applicationSelected = true;
    this.sessions += 1;
    return true;
  }

  private providerFailed(message: string): false {
    this.providerFailures += 1;
    this.lastProviderError = message;
    this.ndefFile = new Uint8Array(0);
    return false;
  }
}
