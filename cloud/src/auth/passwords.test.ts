import { describe, expect, it } from 'vitest';
import { hashSecret, SECRET_SCRYPT, verifySecret } from './passwords.ts';

describe('passwords', () => {
  it('verifies the right secret and rejects others', async () => {
    const stored = await hashSecret('correct horse', SECRET_SCRYPT);
    expect(stored).toMatch(/^scrypt\$4096\$8\$1\$/);
    expect(await verifySecret('correct horse', stored)).toBe(true);
    expect(await verifySecret('correct horsf', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashSecret('same', SECRET_SCRYPT)).not.toBe(await hashSecret('same', SECRET_SCRYPT));
  });

  it('treats malformed stored hashes as a mismatch', async () => {
    for (const stored of [
      '',
      'scrypt$1$2',
      'bcrypt$a$b$c$d$e',
      'scrypt$x$8$1$AAAA$AAAA',
      'scrypt$16$8$1$AA$AA',
    ]) {
      expect(await verifySecret('x', stored)).toBe(false);
    }
  });
});
