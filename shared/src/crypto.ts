// ECDSA P-256 keys and domain-separated signatures (docs/protocol.md §1.3).
// A signature is raw r‖s (64 B) over SHA-256(label ‖ 0x00 ‖ message).
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { concatBytes } from './bytes.ts';
import { ErrorCode, fail, ok, type Result } from './errors.ts';

export const PUBLIC_KEY_LENGTH = 65;
export const SIGNATURE_LENGTH = 64;

export const SignatureLabel = {
  credential: 'redtap:v1:credential',
  challenge: 'redtap:v1:challenge',
  tap: 'redtap:v1:tap',
  deck: 'redtap:v1:deck',
  enroll: 'redtap:v1:enroll',
  // Additions to the original v1 label set; see docs/protocol.md §1.3 for why each exists.
  login: 'redtap:v1:login',
  deckClose: 'redtap:v1:deck-close',
  dayState: 'redtap:v1:day-state',
  ticket: 'redtap:v1:ticket',
  revocations: 'redtap:v1:revocations',
} as const;

export type SignatureLabel = (typeof SignatureLabel)[keyof typeof SignatureLabel];

const labelPrefixes = new Map<string, Buffer>();

function signedMessage(label: SignatureLabel, message: Uint8Array): Buffer {
  let prefix = labelPrefixes.get(label);
  if (prefix === undefined) {
    prefix = Buffer.concat([Buffer.from(label, 'ascii'), Buffer.from([0])]);
    labelPrefixes.set(label, prefix);
  }
  return Buffer.concat([prefix, message]);
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** 65-byte uncompressed SEC1 point. */
  publicKeyRaw: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, publicKeyRaw: exportPublicKeyRaw(publicKey) };
}

export function exportPublicKeyRaw(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - PUBLIC_KEY_LENGTH));
}

/**
 * The point as a JWK. OpenSSL 3 imports it several times faster than the same point wrapped in a DER
 * SubjectPublicKeyInfo (its decoder framework costs more than the curve check), and checks the same:
 * a point off the curve is refused either way.
 */
function publicKeyJwk(raw: Uint8Array): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  return {
    kty: 'EC',
    crv: 'P-256',
    x: bytes.subarray(1, 33).toString('base64url'),
    y: bytes.subarray(33, 65).toString('base64url'),
  };
}

/** Imports a 65-byte uncompressed point; rejects anything that is not a point on P-256. */
export function importPublicKeyRaw(raw: Uint8Array): Result<KeyObject> {
  if (raw.length !== PUBLIC_KEY_LENGTH || raw[0] !== 0x04) {
    return fail(ErrorCode.BAD_PUBLIC_KEY, 'public key must be 65 bytes of uncompressed SEC1');
  }
  try {
    return ok(createPublicKey({ key: publicKeyJwk(raw), format: 'jwk' }));
  } catch {
    return fail(ErrorCode.BAD_PUBLIC_KEY, 'public key is not a point on P-256');
  }
}

/** PKCS#8 PEM, for storing a private key in a 0600 file. */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function importPrivateKeyPem(pem: string): KeyPair {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyRaw: exportPublicKeyRaw(publicKey) };
}

export function sign(label: SignatureLabel, message: Uint8Array, privateKey: KeyObject): Uint8Array {
  return new Uint8Array(
    nodeSign('sha256', signedMessage(label, message), { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  );
}

export function verify(
  label: SignatureLabel,
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false;
  return nodeVerify(
    'sha256',
    signedMessage(label, message),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    signature,
  );
}

/** Caches imported public keys by their raw bytes; verifying many tokens reuses a few keys. */
export class PublicKeyCache {
  private readonly keys = new Map<string, KeyObject>();
  private readonly sizeMax: number;

  constructor(sizeMax = 10_000) {
    this.sizeMax = sizeMax;
  }

  get(raw: Uint8Array): Result<KeyObject> {
    const id = Buffer.from(raw).toString('base64');
    const cached = this.keys.get(id);
    if (cached !== undefined) return ok(cached);
    const imported = importPublicKeyRaw(raw);
    if (!imported.ok) return imported;
    if (this.keys.size >= this.sizeMax) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    this.keys.set(id, imported.value);
    return imported;
  }
}

export { concatBytes };
