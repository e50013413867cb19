import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ephemeralSecrets, loadSecrets, seal, unseal } from './secrets.ts';

describe('secrets', () => {
  it('generates secrets once and reads the same ones back', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'redtap-secrets-'));
    try {
      const first = loadSecrets({ dataDir });
      const second = loadSecrets({ dataDir });
      expect(second.jwtSecret).toBe(first.jwtSecret);
      expect(second.issuerKek.equals(first.issuerKek)).toBe(true);
      expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('seals and refuses a wrong key', () => {
    const { issuerKek } = ephemeralSecrets();
    const sealed = seal('private key', issuerKek);
    expect(unseal(sealed, issuerKek)).toBe('private key');
    expect(() => unseal(sealed, ephemeralSecrets().issuerKek)).toThrow();
  });
});
