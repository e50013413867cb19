// An NDEF message of one URI record (NFC Forum NDEF 1.0 §3.2, URI RTD 1.0 §3.2.2): what the kiosk's
// reader serves as a Type 4 tag (docs/tap-exchange.md §10). The decoder takes a phone's view of hostile
// bytes and never throws.
import { ErrorCode, fail, ok, type Result } from '@redtap/shared';

/** URI RTD 1.0 Table 3: the identifier code replaces this prefix of the URI. Index = code. */
export const URI_PREFIXES: readonly string[] = [
  '',
  'http://www.',
  'https://www.',
  'http://',
  'https://',
  'tel:',
  'mailto:',
  'ftp://anonymous:anonymous@',
  'ftp://ftp.',
  'ftps://',
  'sftp://',
  'smb://',
  'nfs://',
  'ftp://',
  'dav://',
  'news:',
  'telnet://',
  'imap:',
  'rtsp://',
  'urn:',
  'pop:',
  'sip:',
  'sips:',
  'tftp:',
  'btspp://',
  'btl2cap://',
  'btgoep://',
  'tcpobex://',
  'irdaobex://',
  'file://',
  'urn:epc:id:',
  'urn:epc:tag:',
  'urn:epc:pat:',
  'urn:epc:raw:',
  'urn:epc:',
  'urn:nfc:',
];

/** NDEF record header flags (NDEF 1.0 §3.2.1). */
export const NdefFlag = {
  messageBegin: 0x80,
  messageEnd: 0x40,
  chunk: 0x20,
  shortRecord: 0x10,
  idLength: 0x08,
} as const;
export const TNF_WELL_KNOWN = 0x01;
export const TNF_MASK = 0x07;
/** Well-known type "U". */
export const URI_RECORD_TYPE = 0x55;
/** A short record's payload length is one byte. */
export const SHORT_RECORD_PAYLOAD_MAX = 255;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** The identifier code of the longest known prefix of `url` (0 when none matches). */
export function uriPrefixCode(url: string): number {
  let best = 0;
  URI_PREFIXES.forEach((prefix, code) => {
    if (prefix.length > (URI_PREFIXES[best]?.length ?? 0) && url.startsWith(prefix)) best = code;
  });
  return best;
}

/** `identifier code ‖ rest of the URI in UTF-8`: the URI record's payload. */
export function encodeUriPayload(url: string): Uint8Array {
  const code = uriPrefixCode(url);
  const rest = utf8.encode(url.slice((URI_PREFIXES[code] ?? '').length));
  const payload = new Uint8Array(1 + rest.length);
  payload[0] = code;
  payload.set(rest, 1);
  return payload;
}

/**
 * One URI record, MB and ME set, no id: `D1 01 <len u8> 55 <payload>` (short record) or
 * `C1 01 <len u32> 55 <payload>` when the payload is longer than 255 bytes.
 */
export function encodeUriNdefMessage(url: string): Uint8Array {
  const payload = encodeUriPayload(url);
  const short = payload.length <= SHORT_RECORD_PAYLOAD_MAX;
  const headerLength = short ? 4 : 7;
  const message = new Uint8Array(headerLength + payload.length);
  const view = new DataView(message.buffer);
  message[0] =
    NdefFlag.messageBegin | NdefFlag.messageEnd | (short ? NdefFlag.shortRecord : 0) | TNF_WELL_KNOWN;
  message[1] = 1; // type length
  if (short) {
    message[2] = payload.length;
  } else {
    view.setUint32(2, payload.length);
  }
  message[headerLength - 1] = URI_RECORD_TYPE;
  message.set(payload, headerLength);
  return message;
}

/**
 * The URI of the first record of an NDEF message, which must be a well-known "U" record (what an
 * iPhone or Android phone opens). Chunked records are refused: a tag that serves one URL never needs
 * them.
 */
export function decodeUriNdefMessage(message: Uint8Array): Result<string> {
  if (message.length < 3) return fail(ErrorCode.TRUNCATED, 'an NDEF record has at least 3 header bytes');
  const header = message[0] ?? 0;
  if ((header & NdefFlag.messageBegin) === 0) return fail(ErrorCode.BAD_LENGTH, 'first record lacks MB');
  if ((header & NdefFlag.chunk) !== 0) return fail(ErrorCode.BAD_LENGTH, 'chunked records are not supported');
  const typeLength = message[1] ?? 0;
  let offset = 2;
  let payloadLength: number;
  if ((header & NdefFlag.shortRecord) !== 0) {
    payloadLength = message[offset] ?? 0;
    offset += 1;
  } else {
    if (message.length < offset + 4) return fail(ErrorCode.TRUNCATED, 'payload length cut short');
    payloadLength = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(offset);
    offset += 4;
  }
  let idLength = 0;
  if ((header & NdefFlag.idLength) !== 0) {
    idLength = message[offset] ?? 0;
    offset += 1;
  }
  const typeStart = offset;
  const payloadStart = typeStart + typeLength + idLength;
  if (payloadStart + payloadLength > message.length) return fail(ErrorCode.TRUNCATED, 'record cut short');
  if ((header & TNF_MASK) !== TNF_WELL_KNOWN || typeLength !== 1 || message[typeStart] !== URI_RECORD_TYPE) {
    return fail(ErrorCode.BAD_VERSION, 'first record is not a well-known URI record');
  }
  if (payloadLength < 1) return fail(ErrorCode.BAD_LENGTH, 'URI payload lacks its identifier code');
  const code = message[payloadStart] ?? 0;
  const prefix = URI_PREFIXES[code];
  if (prefix === undefined) return fail(ErrorCode.BAD_VERSION, `URI identifier code ${code} is reserved`);
  try {
    const rest = utf8Strict.decode(message.subarray(payloadStart + 1, payloadStart + payloadLength));
    return ok(prefix + rest);
  } catch {
    return fail(ErrorCode.BAD_LENGTH, 'URI is not UTF-8');
  }
}
