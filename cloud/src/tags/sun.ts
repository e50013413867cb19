// NTAG 424 DNA "SUN" reads (NXP AN12196): the sticker on a screen's bezel puts a fresh encrypted
// counter and a CMAC in its NDEF URL on every read. Pure: no database, no clock (docs/protocol.md §9).
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { assert, ErrorCode } from '@redtap/shared';

export const SUN_KEY_BYTES = 16;
export const SUN_UID_BYTES = 7;
/** Encrypted PICCData: one AES block. */
export const SUN_PICC_DATA_BYTES = 16;
/** SDMMAC: the 8 odd-indexed bytes of a 16-byte CMAC. */
export const SUN_MAC_BYTES = 8;
/** SDMReadCtr is 3 bytes; the tag refuses reads once it is reached. */
export const SDM_READ_COUNTER_MAX = 0xff_ff_ff;
/**
 * PICCDataTag for a 7-byte UID with UID and SDMReadCtr mirroring (AN12196 §3.4.4.2.1): bit 7 UID
 * mirrored, bit 6 counter mirrored, bits 5–4 zero, bits 3–0 the UID length.
 */
export const PICC_DATA_TAG = 0xc7;
/** Longest MAC input a caller may pass (the mirrored file data between SDMMACInputOffset and the MAC). */
export const SUN_MAC_INPUT_BYTES_MAX = 256;

const BLOCK_BYTES = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK_BYTES);
/** SV2 prefix of the SDM session MAC key (AN12196 §3.4.4.1, NT4H2421Gx §9.3.9.1). */
const SV2_PREFIX = Uint8Array.of(0x3c, 0xc3, 0x00, 0x01, 0x00, 0x80);
/** AN10922 §2.2.1: the diversification constant of an AES-128 key. */
const AN10922_AES128_CONSTANT = 0x01;
/** AN10922 pads the CMAC input to two blocks; `0x01 ‖ M` must fit in them. */
const AN10922_INPUT_BYTES = 32;
export const DIVERSIFICATION_INPUT_BYTES_MAX = AN10922_INPUT_BYTES - 1;

/** The system identifier in every RedTap diversification input, ASCII `RedTap`. */
const SYSTEM_IDENTIFIER = new TextEncoder().encode('RedTap');
/** The diversification input of a batch's SDM meta-read key, ASCII `RedTap meta` (11 bytes). */
const META_READ_INPUT = new TextEncoder().encode('RedTap meta');

export type SunResult =
  { ok: true; uid: string; counter: number } | { ok: false; code: ErrorCode; message: string };

export type PiccDataResult =
  { ok: true; uid: Uint8Array; counter: number } | { ok: false; code: ErrorCode; message: string };

function refuse(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message };
}

function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-128-ecb', key, null);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(block), decipher.final()]);
}

/** Doubling in GF(2^128) (RFC 4493 §2.3): shift left one bit, xor 0x87 when the top bit fell off. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    out[i] = ((block[i] ?? 0) << 1) | ((block[i + 1] ?? 0) >>> 7);
  }
  if (((block[0] ?? 0) & 0x80) !== 0) out[BLOCK_BYTES - 1] = (out[BLOCK_BYTES - 1] ?? 0) ^ 0x87;
  return out;
}

/** RFC 4493 §2.3 subkeys K1 and K2. */
function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  const k1 = double(aesEncryptBlock(key, ZERO_BLOCK));
  return { k1, k2: double(k1) };
}

/**
 * CBC-MAC over `data` (a whole number of blocks, at least one) whose last block is first xored with
 * `subkey`: the core of RFC 4493 and of AN10922's padded form.
 */
function cbcMacWithSubkey(key: Uint8Array, data: Uint8Array, subkey: Uint8Array): Uint8Array {
  assert(data.length > 0 && data.length % BLOCK_BYTES === 0, 'CBC-MAC input must be whole blocks');
  const input = Buffer.from(data);
  const last = input.length - BLOCK_BYTES;
  for (let i = 0; i < BLOCK_BYTES; i++) input[last + i] = (input[last + i] ?? 0) ^ (subkey[i] ?? 0);
  const cipher = createCipheriv('aes-128-cbc', key, ZERO_BLOCK);
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(input), cipher.final()]);
  return new Uint8Array(out.subarray(out.length - BLOCK_BYTES));
}

/** `data ‖ 0x80 ‖ 0x00…` up to `length` bytes (ISO/IEC 9797-1 method 2). */
function pad80(data: Uint8Array, length: number): Uint8Array {
  assert(data.length < length, 'padding needs room');
  const out = new Uint8Array(length);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** AES-CMAC (RFC 4493): the full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  assert(key.length === SUN_KEY_BYTES, 'AES-128 key must be 16 bytes');
  const { k1, k2 } = cmacSubkeys(key);
  if (message.length > 0 && message.length % BLOCK_BYTES === 0) return cbcMacWithSubkey(key, message, k1);
  const paddedLength = (Math.floor(message.length / BLOCK_BYTES) + 1) * BLOCK_BYTES;
  return cbcMacWithSubkey(key, pad80(message, paddedLength), k2);
}

/**
 * NXP AN10922 §2.2 AES-128 key diversification: CMAC under the master key of `0x01 ‖ M`, where an input
 * shorter than 32 bytes is padded to 32 (not to the next block, unlike RFC 4493) and takes K2.
 */
export function diversifyAes128(masterKey: Uint8Array, input: Uint8Array): Uint8Array {
  assert(masterKey.length === SUN_KEY_BYTES, 'AES-128 master key must be 16 bytes');
  assert(
    input.length >= 1 && input.length <= DIVERSIFICATION_INPUT_BYTES_MAX,
    'AN10922 input must be 1..31 bytes',
  );
  const data = new Uint8Array(1 + input.length);
  data[0] = AN10922_AES128_CONSTANT;
  data.set(input, 1);
  const { k1, k2 } = cmacSubkeys(masterKey);
  if (data.length === AN10922_INPUT_BYTES) return cbcMacWithSubkey(masterKey, data, k1);
  return cbcMacWithSubkey(masterKey, pad80(data, AN10922_INPUT_BYTES), k2);
}

/**
 * A tag's SDM file-read (MAC) key: AN10922 with M = UID(7) ‖ ASCII `RedTap` (13 bytes), so the
 * CMAC input is `01 ‖ UID ‖ 52 65 64 54 61 70 ‖ 80 ‖ 00×17`. A key read out of one tag opens no other.
 */
export function tagFileReadKey(batchKey: Uint8Array, uid: Uint8Array): Uint8Array {
  assert(uid.length === SUN_UID_BYTES, 'a UID is 7 bytes');
  const input = new Uint8Array(SUN_UID_BYTES + SYSTEM_IDENTIFIER.length);
  input.set(uid);
  input.set(SYSTEM_IDENTIFIER, SUN_UID_BYTES);
  return diversifyAes128(batchKey, input);
}

/**
 * A batch's SDM meta-read key, the same in every tag of the batch (the UID is inside what it decrypts):
 * AN10922 with M = ASCII `RedTap meta` (11 bytes). Its length differs from the tag input's, so the two
 * padded inputs never coincide.
 */
export function batchMetaReadKey(batchKey: Uint8Array): Uint8Array {
  return diversifyAes128(batchKey, META_READ_INPUT);
}

/** Lowercase hex of exactly `bytes` bytes, or null. */
export function parseHexBytes(value: unknown, bytes: number): Uint8Array | null {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(value)) return null;
  return new Uint8Array(Buffer.from(value, 'hex'));
}

/**
 * Decrypts PICCData (AES-128-CBC, zero IV, one block = ECB; AN12196 §3.4.4.2.1):
 * `PICCDataTag(1) ‖ UID(7) ‖ SDMReadCtr(3, little-endian) ‖ padding(5)`. A wrong key or a forged block
 * decrypts to noise, which the tag byte catches 255 times in 256; the MAC catches the rest.
 */
export function decryptPiccData(metaReadKey: Uint8Array, picc: Uint8Array): PiccDataResult {
  assert(metaReadKey.length === SUN_KEY_BYTES, 'meta-read key must be 16 bytes');
  if (picc.length !== SUN_PICC_DATA_BYTES)
    return refuse(ErrorCode.SUN_MALFORMED, `PICC data must be ${String(SUN_PICC_DATA_BYTES)} bytes`);
  const plain = aesDecryptBlock(metaReadKey, picc);
  if (plain[0] !== PICC_DATA_TAG)
    return refuse(ErrorCode.SUN_MAC_INVALID, 'PICC data does not decrypt under this key');
  const uid = new Uint8Array(plain.subarray(1, 1 + SUN_UID_BYTES));
  const counter = plain.readUIntLE(1 + SUN_UID_BYTES, 3);
  return { ok: true, uid, counter };
}

/** SV2 = `3C C3 00 01 00 80 ‖ UID(7) ‖ SDMReadCtr(3, LE)`: exactly one block, so no padding. */
function sessionVector(uid: Uint8Array, counter: number): Uint8Array {
  const sv2 = new Uint8Array(BLOCK_BYTES);
  sv2.set(SV2_PREFIX);
  sv2.set(uid, SV2_PREFIX.length);
  const at = SV2_PREFIX.length + SUN_UID_BYTES;
  sv2[at] = counter & 0xff;
  sv2[at + 1] = (counter >>> 8) & 0xff;
  sv2[at + 2] = (counter >>> 16) & 0xff;
  return sv2;
}

/** KSesSDMFileReadMAC = CMAC(K_SDMFileRead, SV2) (AN12196 §3.4.4.1). */
export function sdmSessionMacKey(fileReadKey: Uint8Array, uid: Uint8Array, counter: number): Uint8Array {
  assert(uid.length === SUN_UID_BYTES, 'a UID is 7 bytes');
  assert(Number.isInteger(counter) && counter >= 0 && counter <= SDM_READ_COUNTER_MAX, 'counter is 3 bytes');
  return aesCmac(fileReadKey, sessionVector(uid, counter));
}

/** SDMMAC: the odd-indexed bytes (1, 3, …, 15) of CMAC(KSesSDMFileReadMAC, macInput). */
export function sdmMac(
  fileReadKey: Uint8Array,
  uid: Uint8Array,
  counter: number,
  macInput: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const full = aesCmac(sdmSessionMacKey(fileReadKey, uid, counter), macInput);
  const truncated = new Uint8Array(SUN_MAC_BYTES);
  for (let i = 0; i < SUN_MAC_BYTES; i++) truncated[i] = full[2 * i + 1] ?? 0;
  return truncated;
}

export interface SunKeys {
  /** The SDM meta-read key that decrypts PICCData (per batch). */
  metaReadKey: Uint8Array;
  /** The SDM file-read key of the tag whose UID decrypted (per tag, diversified). */
  fileReadKeyFor: (uid: Uint8Array) => Uint8Array;
}

export interface SunRead {
  /** `p` (also `picc_data`, `e`): 16 bytes, hex. */
  picc: unknown;
  /** `c` (also `cmac`): 8 bytes, hex. */
  cmac: unknown;
  /**
   * The bytes MACed: empty when the URL mirrors no file data (SDMMACInputOffset = SDMMACOffset); else the
   * ASCII of the URL from SDMMACInputOffset up to the MAC itself (AN12196 §3.4.4.2.2).
   */
  macInput?: Uint8Array;
}

/**
 * Verifies one SUN read: decrypt PICCData, derive the session key, compare SDMMAC in constant time.
 * Never throws on what the read carries; the counter rule (strictly rising per tag) is the caller's.
 */
export function verifySunRead(keys: SunKeys, read: SunRead): SunResult {
  const picc = parseHexBytes(read.picc, SUN_PICC_DATA_BYTES);
  if (picc === null)
    return refuse(ErrorCode.SUN_MALFORMED, `picc must be ${String(SUN_PICC_DATA_BYTES)} bytes of hex`);
  const cmac = parseHexBytes(read.cmac, SUN_MAC_BYTES);
  if (cmac === null)
    return refuse(ErrorCode.SUN_MALFORMED, `cmac must be ${String(SUN_MAC_BYTES)} bytes of hex`);
  const macInput = read.macInput ?? new Uint8Array(0);
  if (macInput.length > SUN_MAC_INPUT_BYTES_MAX)
    return refuse(ErrorCode.SUN_MALFORMED, `MAC input exceeds ${String(SUN_MAC_INPUT_BYTES_MAX)} bytes`);
  const data = decryptPiccData(keys.metaReadKey, picc);
  if (!data.ok) return data;
  const expected = sdmMac(keys.fileReadKeyFor(data.uid), data.uid, data.counter, macInput);
  if (!timingSafeEqual(expected, cmac)) return refuse(ErrorCode.SUN_MAC_INVALID, 'SDMMAC does not verify');
  return { ok: true, uid: Buffer.from(data.uid).toString('hex'), counter: data.counter };
}

/**
 * What a tag mirrors into its URL for one read, for simulators and tests (the tag's side of
 * `verifySunRead`). `padding` is the 5 random bytes after the counter.
 */
export function sunReadOf(options: {
  metaReadKey: Uint8Array;
  fileReadKey: Uint8Array;
  uid: Uint8Array;
  counter: number;
  padding?: Uint8Array;
  macInput?: Uint8Array;
}): { picc: string; cmac: string } {
  assert(options.uid.length === SUN_UID_BYTES, 'a UID is 7 bytes');
  assert(
    Number.isInteger(options.counter) && options.counter >= 0 && options.counter <= SDM_READ_COUNTER_MAX,
    'counter is 3 bytes',
  );
  const plain = Buffer.alloc(SUN_PICC_DATA_BYTES);
  plain[0] = PICC_DATA_TAG;
  plain.set(options.uid, 1);
  plain.writeUIntLE(options.counter, 1 + SUN_UID_BYTES, 3);
  if (options.padding !== undefined) plain.set(options.padding.subarray(0, 5), 11);
  const picc = aesEncryptBlock(options.metaReadKey, plain).toString('hex');
  const cmac = Buffer.from(
    sdmMac(options.fileReadKey, options.uid, options.counter, options.macInput),
  ).toString('hex');
  return { picc, cmac };
}
