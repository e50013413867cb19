// The phone simulator's API hands out one-time wallet logins: only its own page may ask for them.
import { describe, expect, it } from 'vitest';
import type { CloudApi } from './cloud-api.ts';
import { demoApp } from './demo-server.ts';
import { PhoneBook } from './phones.ts';

const NONCE = 'ab'.repeat(32);

function fakeCloud(): CloudApi {
  return {
    baseUrl: 'http://127.0.0.1:9',
    call<T>(method: string, path: string): Promise<T> {
      if (method === 'POST' && path === '/v1/wallets')
        return Promise.resolve({ walletId: 5, credential: '00' } as T);
      if (method === 'GET' && path === '/v1/wallets/5/login-challenge')
        return Promise.resolve({ nonce: NONCE } as T);
      return Promise.reject(new Error(`unexpected ${method} ${path}`));
    },
  };
}

async function simulator() {
  const phones = new PhoneBook({ api: fakeCloud() });
  await phones.create('alice');
  return demoApp({
    host: '127.0.0.1',
    port: 8790,
    phones,
    kiosks: () => [],
    screens: [],
    cloudUrl: 'http://127.0.0.1:8787',
  });
}

describe('phone simulator wallet links', () => {
  it('gives its own page a one-time login link with a signed nonce, never a session token', async () => {
    const app = await simulator();
    const response = await app.request('/api/phones/alice/wallet-link', {
      method: 'POST',
      headers: { host: '127.0.0.1:8790', origin: 'http://127.0.0.1:8790' },
    });
    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    expect(url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:8787/wallet#login=5\\.${NONCE}\\.[0-9a-f]{128}$`),
    );
  });

  it('refuses a cross-site POST and a DNS-rebinding Host', async () => {
    const app = await simulator();
    const crossSite = await app.request('/api/phones/alice/wallet-link', {
      method: 'POST',
      headers: { host: '127.0.0.1:8790', origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const rebound = await app.request('/api/phones/alice/wallet-link', {
      method: 'POST',
      headers: { host: 'evil.example:8790' },
    });
    expect(rebound.status).toBe(403);
    const readByRebinding = await app.request('/api/phones', { headers: { host: 'evil.example:8790' } });
    expect(readByRebinding.status).toBe(403);
  });
});
