// Claim ticket, 94 bytes (docs/protocol.md §3.8): the screen's signed word that a phone was in front of
// it at `ts`. Phones without the wallet app read it from the screen's QR code or the reader's tag and
// post it to the cloud, which decides the prize online. Also its claim URL, `<origin>/claim?t=<base64url>`.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter } from './bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from './crypto.ts';
import { ErrorCode, assert, fail, ok, type Result } from './errors.ts';

export const TICKET_VERSION = 1;
export const TICKET_LENGTH = 94;
/** Bytes 0..29 are covered by the screen signature. */
export const TICKET_SIGNED_LENGTH = 30;
export const TICKET_NONCE_LENGTH = 8;
/** Base64url of 94 bytes without padding: ⌈94 · 8 / 6⌉ characters. */
export const TICKET_TEXT_LENGTH = 126;
/** The claim page's path under the origin, and its query parameter. */
export const TICKET_URL_PATH = '/claim';
export const TICKET_URL_PARAM = 't';
/** A claim URL longer than this is refused before it is parsed. */
export const TICKET_URL_LENGTH_MAX = 2048;

/** How the phone read the ticket (byte 21). */
export const TicketPath = {
  /** The rotating QR code on the screen. */
  screenQr: 1,
  /** The kiosk's NFC reader, acting as a tag. */
  readerTag: 2,
} as const;
export type TicketPath = (typeof TicketPath)[keyof typeof TicketPath];

export interface ClaimTicket {
  version: number;
  screenId: number;
  /** ≥ 1, +1 per ticket issued; its own sequence, apart from the tap counter, and gaps are allowed. */
  ticketSeq: number;
  /** Kiosk clock at issue. */
  ts: number;
  /** Campaign on screen at issue; 0 = none. */
  campaignId: number;
  path: TicketPath;
  nonce: Uint8Array;
  screenSignature: Uint8Array;
}

export type UnsignedClaimTicket = Omit<ClaimTicket, 'version' | 'screenSignature'>;

function isTicketPath(value: number): value is TicketPath {
  return value === TicketPath.screenQr || value === TicketPath.readerTag;
}

function writeSignedPart(writer: ByteWriter, ticket: UnsignedClaimTicket): ByteWriter {
  return writer
    .u8(TICKET_VERSION)
    .u64(ticket.screenId)
    .u32(ticket.ticketSeq)
    .u32(ticket.ts)
    .u32(ticket.campaignId)
    .u8(ticket.path)
    .raw(ticket.nonce, TICKET_NONCE_LENGTH);
}

export function encodeTicket(ticket: ClaimTicket): Uint8Array {
  return writeSignedPart(new ByteWriter(TICKET_LENGTH), ticket)
    .raw(ticket.screenSignature, SIGNATURE_LENGTH)
    .finish();
}

/** Builds and signs a ticket with the screen key; returns both the bytes and the value. */
export function signTicket(
  ticket: UnsignedClaimTicket,
  screenKey: KeyObject,
): { bytes: Uint8Array; ticket: ClaimTicket } {
  assert(ticket.ticketSeq >= 1, 'ticketSeq starts at 1');
  assert(isTicketPath(ticket.path), `unknown ticket path ${ticket.path}`);
  const writer = writeSignedPart(new ByteWriter(TICKET_LENGTH), ticket);
  const signature = sign(SignatureLabel.ticket, writer.bytes.subarray(0, TICKET_SIGNED_LENGTH), screenKey);
  const bytes = writer.raw(signature, SIGNATURE_LENGTH).finish();
  return { bytes, ticket: { version: TICKET_VERSION, ...ticket, screenSignature: signature } };
}

export function verifyTicketSignature(bytes: Uint8Array, screenPublicKey: KeyObject): boolean {
  if (bytes.length !== TICKET_LENGTH) return false;
  return verify(
    SignatureLabel.ticket,
    bytes.subarray(0, TICKET_SIGNED_LENGTH),
    bytes.subarray(TICKET_SIGNED_LENGTH),
    screenPublicKey,
  );
}

export function decodeTicket(bytes: Uint8Array): Result<ClaimTicket> {
  if (bytes.length < TICKET_LENGTH) return fail(ErrorCode.TRUNCATED, 'ticket is shorter than 94 bytes');
  if (bytes.length > TICKET_LENGTH) return fail(ErrorCode.BAD_LENGTH, 'ticket is longer than 94 bytes');
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== TICKET_VERSION) return fail(ErrorCode.BAD_VERSION, `ticket version ${version}`);
  const screenId = reader.u64();
  const ticketSeq = reader.u32();
  const ts = reader.u32();
  const campaignId = reader.u32();
  const path = reader.u8();
  const nonce = reader.raw(TICKET_NONCE_LENGTH);
  const screenSignature = reader.raw(SIGNATURE_LENGTH);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'an id exceeds 2^53 - 1');
  if (ticketSeq === 0) return fail(ErrorCode.TOKEN_INCONSISTENT, 'ticketSeq starts at 1');
  if (!isTicketPath(path)) return fail(ErrorCode.TOKEN_INCONSISTENT, `unknown ticket path ${path}`);
  return ok({ version, screenId, ticketSeq, ts, campaignId, path, nonce, screenSignature });
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_VALUES = new Map(Array.from(BASE64URL_ALPHABET, (char, value) => [char, value]));

/** Base64url without padding (RFC 4648 §5); written here so the codec needs no Node Buffer. */
function toBase64url(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) text += BASE64URL_ALPHABET.charAt((chunk >> (18 - 6 * c)) & 0x3f);
  }
  return text;
}

/** The 94 ticket bytes as the 126 characters of the claim URL's `t`. */
export function encodeTicketText(bytes: Uint8Array): string {
  assert(bytes.length === TICKET_LENGTH, `a ticket is ${TICKET_LENGTH} bytes`);
  return toBase64url(bytes);
}

/**
 * The ticket bytes from the claim URL's `t` (126 characters of base64url, no padding). Refuses other
 * lengths, other characters, and a last character whose unused low bits are set, so each ticket has
 * exactly one text. Checks form only: decode the bytes with {@link decodeTicket}.
 */
export function decodeTicketText(text: string): Result<Uint8Array> {
  if (text.length < TICKET_TEXT_LENGTH)
    return fail(ErrorCode.TRUNCATED, `a ticket is ${TICKET_TEXT_LENGTH} characters of base64url`);
  if (text.length > TICKET_TEXT_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, `a ticket is ${TICKET_TEXT_LENGTH} characters of base64url`);
  const bytes = new Uint8Array(TICKET_LENGTH);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of text) {
    const value = BASE64URL_VALUES.get(char);
    if (value === undefined) return fail(ErrorCode.TICKET_URL_INVALID, 'a ticket is base64url');
    buffer = ((buffer << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (buffer >> bits) & 0xff;
    }
  }
  // 126 · 6 = 756 bits carry 94 bytes and 4 unused bits, which must be 0.
  if ((buffer & ((1 << bits) - 1)) !== 0)
    return fail(ErrorCode.TICKET_URL_INVALID, 'a ticket’s last character carries unused bits');
  return ok(bytes);
}

/** `<origin>/claim?t=<126 characters>`; trailing slashes on the origin are dropped. */
export function ticketUrl(origin: string, bytes: Uint8Array): string {
  return `${origin.replace(/\/+$/, '')}${TICKET_URL_PATH}?${TICKET_URL_PARAM}=${encodeTicketText(bytes)}`;
}

/**
 * The ticket from a claim URL, decoded (form only; the signature is the cloud's to verify). Takes any
 * http(s) origin, a path ending in `/claim` and exactly one `t`; trailing slashes after the path or the
 * ticket are tolerated.
 */
export function ticketFromUrl(url: string): Result<{ bytes: Uint8Array; ticket: ClaimTicket }> {
  if (url.length > TICKET_URL_LENGTH_MAX) return fail(ErrorCode.TICKET_URL_INVALID, 'claim URL too long');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(ErrorCode.TICKET_URL_INVALID, 'not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return fail(ErrorCode.TICKET_URL_INVALID, 'a claim URL is http or https');
  if (!parsed.pathname.replace(/\/+$/, '').endsWith(TICKET_URL_PATH))
    return fail(ErrorCode.TICKET_URL_INVALID, `a claim URL's path ends in ${TICKET_URL_PATH}`);
  const values = parsed.searchParams.getAll(TICKET_URL_PARAM);
  const [text] = values;
  if (values.length !== 1 || text === undefined)
    return fail(ErrorCode.TICKET_URL_INVALID, `a claim URL carries one ${TICKET_URL_PARAM}`);
  // Some scanners append a slash to what they read; '/' is not base64url, so dropping it is safe.
  const bytes = decodeTicketText(text.replace(/\/+$/, ''));
  if (!bytes.ok) return bytes;
  const ticket = decodeTicket(bytes.value);
  if (!ticket.ok) return ticket;
  return ok({ bytes: bytes.value, ticket: ticket.value });
}
