// Process secrets: the JWT signing secret and the key-encryption key that seals issuer private keys.
// From the environment when set; otherwise generated once and kept in `<dataDir>/secrets.json` (0600),
// apart from the database, so a copy of the database alone cannot sign credentials.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export interface CloudSecrets {
  jwtSecret: string;
  /** 32 bytes for AES-256-GCM. */
  issuerKek: Buffer;
}

const SecretsFile = z.object({
  jwtSecret: z.string().min(32),
  issuerKek: z.string().regex(/^[0-9a-f]{64}$/),
});

export function loadSecrets(options: {
  dataDir: string;
  jwtSecret?: string | undefined;
  issuerKekHex?: string | undefined;
}): CloudSecrets {
  const path = join(options.dataDir, 'secrets.json');
  let stored: z.infer<typeof SecretsFile> | undefined;
  if (options.jwtSecret === undefined || options.issuerKekHex === undefined) {
    if (existsSync(path)) {
      stored = SecretsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
    } else {
      stored = {
        jwtSecret: randomBytes(32).toString('base64url'),
        issuerKek: randomBytes(32).toString('hex'),
      };
      mkdirSync(options.dataDir, { recursive: true });
      writeFileSync(path, JSON.stringify(stored, null, 2), { mode: 0o600 });
      chmodSync(path, 0o600);
    }
  }
  return {
    jwtSecret: options.jwtSecret ?? stored?.jwtSecret ?? '',
    issuerKek: Buffer.from(options.issuerKekHex ?? stored?.issuerKek ?? '', 'hex'),
  };
}

/** Fresh secrets that live only in memory, for tests. */
export function ephemeralSecrets(): CloudSecrets {
  return { jwtSecret: randomBytes(32).toString('base64url'), issuerKek: randomBytes(32) };
}

/** AES-256-GCM: `v1.iv.tag.ciphertext`, base64url parts. */
export function seal(plaintext: string, kek: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function unseal(sealed: string, kek: Buffer): string {
  const [version, iv = '', tag = '', body = ''] = sealed.split('.');
  if (version !== 'v1') throw new Error('unknown sealed format');
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
