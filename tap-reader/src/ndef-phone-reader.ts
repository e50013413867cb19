// A phone reading an NFC Forum Type 4 Tag the way iOS background tag reading and Android's tag
// dispatch do (T4T 2.0 §5.4 NDEF detection and read procedures): SELECT the application, SELECT and
// read the CC, SELECT the NDEF file, read NLEN, read the message in MLe-sized pieces. Returns the URL of
// its URI record. Used by tests and demos against the Type 4 tag, directly or through a virtual PN532.
import {
  ErrorCode,
  encodeCommandApdu,
  decodeResponseApdu,
  fail,
  ok,
  statusWordHex,
  type Result,
} from '@redtap/shared';
import { decodeUriNdefMessage } from './ndef-uri.ts';
import {
  CC_FILE_ID,
  CC_FILE_LENGTH,
  NDEF_TAG_APPLICATION_AID,
  NLEN_LENGTH,
  TagIns,
  TagStatusWord,
} from './type4-tag.ts';

/** Sends one C-APDU to the tag and resolves with its R-APDU; rejects when the tag leaves the field. */
export type Transceive = (apdu: Uint8Array) => Promise<Uint8Array>;

export interface CapabilityContainer {
  mappingVersion: number;
  readLengthMax: number;
  commandDataMax: number;
  ndefFileId: number;
  ndefFileSizeMax: number;
  readAccess: number;
  writeAccess: number;
}

export interface NdefRead {
  url: string;
  capabilityContainer: CapabilityContainer;
  /** NLEN ‖ message, as read. */
  ndefFile: Uint8Array;
  apdus: number;
}

export interface PhoneReadOptions {
  /** Stops after this many APDUs, as a phone whose owner pulls it away mid-read (the tag sees a field loss). */
  leaveAfterApdus?: number;
}

/** T4T 2.0 §5.1.2: CCLEN, mapping version, MLe, MLc and the NDEF File Control TLV. */
export function decodeCapabilityContainer(bytes: Uint8Array): Result<CapabilityContainer> {
  if (bytes.length < CC_FILE_LENGTH) return fail(ErrorCode.TRUNCATED, `CC has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) < CC_FILE_LENGTH) return fail(ErrorCode.BAD_LENGTH, 'CCLEN below 15');
  const mappingVersion = bytes[2] ?? 0;
  if (mappingVersion >> 4 !== 2) return fail(ErrorCode.BAD_VERSION, `mapping version ${mappingVersion}`);
  if (bytes[7] !== 0x04 || bytes[8] !== 0x06) return fail(ErrorCode.BAD_LENGTH, 'no NDEF File Control TLV');
  const readLengthMax = view.getUint16(3);
  if (readLengthMax < 0x0f) return fail(ErrorCode.BAD_LENGTH, `MLe ${readLengthMax} below 15`);
  return ok({
    mappingVersion,
    readLengthMax,
    commandDataMax: view.getUint16(5),
    ndefFileId: view.getUint16(9),
    ndefFileSizeMax: view.getUint16(11),
    readAccess: bytes[13] ?? 0,
    writeAccess: bytes[14] ?? 0,
  });
}

export function selectNdefApplicationApdu(): Uint8Array {
  return encodeCommandApdu({
    cla: 0x00,
    ins: TagIns.select,
    p1: 0x04,
    p2: 0x00,
    data: NDEF_TAG_APPLICATION_AID,
    le: 256,
  });
}

export function selectFileApdu(fileId: number): Uint8Array {
  return encodeCommandApdu({
    cla: 0x00,
    ins: TagIns.select,
    p1: 0x00,
    p2: 0x0c,
    data: Uint8Array.of(fileId >> 8, fileId & 0xff),
  });
}

export function readBinaryApdu(offset: number, length: number): Uint8Array {
  return encodeCommandApdu({
    cla: 0x00,
    ins: TagIns.readBinary,
    p1: offset >> 8,
    p2: offset & 0xff,
    data: new Uint8Array(0),
    le: length,
  });
}

/** What one read gets: the URL, or why not. Never throws, whatever the tag answers. */
export async function readNdefUrlAsPhone(
  transceive: Transceive,
  options: PhoneReadOptions = {},
): Promise<Result<NdefRead>> {
  let apdus = 0;
  const send = async (apdu: Uint8Array, expectedLength?: number): Promise<Result<Uint8Array>> => {
    if (options.leaveAfterApdus !== undefined && apdus >= options.leaveAfterApdus) {
      return fail(ErrorCode.CARD_REMOVED, `phone left after ${apdus} APDUs`);
    }
    apdus += 1;
    let reply: Uint8Array;
    try {
      reply = await transceive(apdu);
    } catch (error) {
      return fail(ErrorCode.CARD_REMOVED, error instanceof Error ? error.message : String(error));
    }
    const decoded = decodeResponseApdu(reply);
    if (!decoded.ok) return decoded;
    if (decoded.value.sw !== TagStatusWord.ok) {
      return fail(ErrorCode.APDU_STATUS, `status ${statusWordHex(decoded.value.sw)}`);
    }
    if (expectedLength !== undefined && decoded.value.data.length !== expectedLength) {
      return fail(ErrorCode.BAD_LENGTH, `${decoded.value.data.length} bytes for ${expectedLength}`);
    }
    return ok(decoded.value.data);
  };

  const selected = await send(selectNdefApplicationApdu(), 0);
  if (!selected.ok) return selected;
  const ccSelected = await send(selectFileApdu(CC_FILE_ID), 0);
  if (!ccSelected.ok) return ccSelected;
  const ccBytes = await send(readBinaryApdu(0, CC_FILE_LENGTH), CC_FILE_LENGTH);
  if (!ccBytes.ok) return ccBytes;
  const cc = decodeCapabilityContainer(ccBytes.value);
  if (!cc.ok) return cc;
  if (cc.value.readAccess !== 0x00) return fail(ErrorCode.APDU_REFUSED, 'NDEF file is not readable');
  const ndefSelected = await send(selectFileApdu(cc.value.ndefFileId), 0);
  if (!ndefSelected.ok) return ndefSelected;
  const nlenBytes = await send(readBinaryApdu(0, NLEN_LENGTH), NLEN_LENGTH);
  if (!nlenBytes.ok) return nlenBytes;
  const nlen = ((nlenBytes.value[0] ?? 0) << 8) | (nlenBytes.value[1] ?? 0);
  if (nlen === 0) return fail(ErrorCode.TRUNCATED, 'the tag holds no NDEF message');
  if (NLEN_LENGTH + nlen > cc.value.ndefFileSizeMax)
    return fail(ErrorCode.BAD_LENGTH, `NLEN ${nlen} too large`);
  const file = new Uint8Array(NLEN_LENGTH + nlen);
  file.set(nlenBytes.value);
  let offset = NLEN_LENGTH;
  // Short APDUs: Le ≤ 255 here (00 would mean 256, which no MLe of ours allows).
  const chunkMax = Math.min(cc.value.readLengthMax, 0xff);
  while (offset < file.length) {
    const length = Math.min(chunkMax, file.length - offset);
    const chunk = await send(readBinaryApdu(offset, length), length);
    if (!chunk.ok) return chunk;
    file.set(chunk.value, offset);
    offset += length;
  }
  const url = decodeUriNdefMessage(file.subarray(NLEN_LENGTH));
  if (!url.ok) return url;
  return ok({ url: url.value, capabilityContainer: cc.value, ndefFile: file, apdus });
}
