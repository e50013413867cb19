// The demo "phone": a P-256 key pair held by the browser through WebCrypto, kept (phone-key-store.ts) as
// a JWK with the wallet id and credential the cloud issued for it. Login signs `u64 walletId ‖ nonce`
// with label `redtap:v1:login` (docs/protocol.md §1.3, §3.7); WebCrypto's ECDSA output is already the
// protocol's raw 64-byte r‖s.
import { concatBytes, fromHex, toHex, u64be } from './bytes.ts';

export const LOGIN_LABEL = 'redtap:v1:login';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The JWK fields a P-256 key uses (the DOM's JsonWebKey, spelled out so Node tests can import this). */
export interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  ext?: boolean;
  key_ops?: string[];
}

export interface PhoneKeyFile {
  /** The private key; its public half is in x and y. */
  jwk: Jwk;
  walletId: number | null;
  credentialSerial: number | null;
  credential: string | null;
}

const nullableInt = (value: unknown) => (Number.isSafeInteger(value) ? (value as number) : null);

/** Accepts our export format, or a bare P-256 private JWK. Null when it is neither. */
export function parsePhoneKeyFile(text: string): PhoneKeyFile | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  const jwk = (typeof record.jwk === 'object' && record.jwk !== null ? record.jwk : record) as Jwk;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') return null;
  return {
    jwk: { kty: 'EC', crv: 'P-256', x: jwk.x ?? '', y: jwk.y ?? '', d: jwk.d, ext: true },
    walletId: nullableInt(record.walletId),
    credentialSerial: nullableInt(record.credentialSerial),
    credential: typeof record.credential === 'string' ? record.credential : null,
  };
}

export async function generatePhoneKey(): Promise<Jwk> {
  const pair = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  return crypto.subtle.exportKey('jwk', pair.privateKey);
}

/** The 65-byte uncompressed SEC1 point, hex, as `POST /v1/wallets` wants it. */
export async function publicKeyHex(jwk: Jwk): Promise<string> {
  const { d: _private, key_ops: _ops, ...publicJwk } = jwk;
  const key = await crypto.subtle.importKey('jwk', { ...publicJwk, ext: true }, ALGORITHM, true, ['verify']);
  return toHex(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
}

/** Raw r‖s over SHA-256 of `label ‖ 0x00 ‖ message` (docs/protocol.md §1.3). */
export async function signLabelled(jwk: Jwk, label: string, message: Uint8Array): Promise<Uint8Array> {
  const { key_ops: _ops, ...importable } = jwk;
  const key = await crypto.subtle.importKey('jwk', importable, ALGORITHM, false, ['sign']);
  const data = concatBytes(new TextEncoder().encode(label), new Uint8Array([0]), message);
  return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data));
}

/** The login signature for a server nonce (hex), or null when the nonce is not 32 bytes of hex. */
export async function signLogin(jwk: Jwk, walletId: number, nonceHex: string): Promise<string | null> {
  const nonce = fromHex(nonceHex);
  if (nonce?.length !== 32) return null;
  return toHex(await signLabelled(jwk, LOGIN_LABEL, concatBytes(u64be(walletId), nonce)));
}
