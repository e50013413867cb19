// Password hashing with node's scrypt. The parameters and salt travel with the hash
// (`scrypt$N$r$p$salt$hash`) so they can be raised later without invalidating stored hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt baseline (N=2^17, r=8, p=1): about 128 MiB and ~100 ms per hash. */
export const PASSWORD_SCRYPT: ScryptParameters = { N: 2 ** 17, r: 8, p: 1 };
/** Machine-generated secrets (MQTT passwords, 24 random bytes) need no stretching beyond a cheap scrypt. */
export const SECRET_SCRYPT: ScryptParameters = { N: 2 ** 12, r: 8, p: 1 };
export const PASSWORD_LENGTH_MAX = 256;

const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(secret: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

export async function hashSecret(
  secret: string,
  params: ScryptParameters = PASSWORD_SCRYPT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * False for a wrong secret and for a malformed stored hash; never throws on either. `lengthMax` bounds
 * the work a caller can ask for (a NATS screen's MQTT password is a JWT of about 1,050 characters).
 */
export async function verifySecret(
  secret: string,
  stored: string,
  lengthMax: number = PASSWORD_LENGTH_MAX,
): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText = '', keyText = ''] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((value) => Number.isSafeInteger(value) && value > 0))
    return false;
  const expected = Buffer.from(keyText, 'base64');
  if (expected.length !== KEY_BYTES || secret.length > lengthMax) return false;
  const actual = await derive(secret, Buffer.from(saltText, 'base64'), params);
  return timingSafeEqual(actual, expected);
}
