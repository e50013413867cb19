// The configuration's public origin, which wallet passkeys are bound to: an http(s) origin only.
import { describe, expect, it } from 'vitest';
import { loadEnv } from './env.ts';
import { relyingPartyOf } from './services/wallet-passkeys.ts';

describe('REDTAP_PUBLIC_ORIGIN', () => {
  it('keeps only the origin of the URL, and its host name is the passkeys’ RP id', () => {
    const env = loadEnv({ REDTAP_PUBLIC_ORIGIN: 'https://Wallet.Example.com:8443/wallet?x=1' });
    expect(env.REDTAP_PUBLIC_ORIGIN).toBe('https://wallet.example.com:8443');
    expect(relyingPartyOf(env.REDTAP_PUBLIC_ORIGIN ?? '')).toEqual({
      origin: 'https://wallet.example.com:8443',
      rpId: 'wallet.example.com',
    });
  });

  it('is optional, and refuses what is not an http(s) URL', () => {
    expect(loadEnv({}).REDTAP_PUBLIC_ORIGIN).toBeUndefined();
    expect(() => loadEnv({ REDTAP_PUBLIC_ORIGIN: 'ftp://wallet.example.com' })).toThrow(
      /REDTAP_PUBLIC_ORIGIN/,
    );
    expect(() => loadEnv({ REDTAP_PUBLIC_ORIGIN: 'wallet.example.com' })).toThrow(/REDTAP_PUBLIC_ORIGIN/);
  });
});
