// A small client of the cloud's HTTP API, used the way a user's tools would: the demo seed, the phone
// simulator, the simulator and the end-to-end tests all go through it rather than into the database.
import { loginMessage, SignatureLabel, sign, toHex, type KeyPair } from '@redtap/shared';

export const CLOUD_REQUEST_TIMEOUT_MS = 15_000;

export class CloudApiError extends Error {
  override name = 'CloudApiError';
  readonly status: number;
  readonly code: string;
  constructor(method: string, path: string, status: number, code: string, message: string) {
    super(`${method} ${path}: HTTP ${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

export interface CloudApi {
  readonly baseUrl: string;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { token?: string | undefined; body?: unknown; expect?: number[] },
  ): Promise<T>;
}

export interface CloudApiOptions {
  timeoutMs?: number;
  /** Extra headers per request, e.g. a distinct X-Forwarded-For per simulated phone. */
  headers?: () => Record<string, string>;
}

export function cloudApi(baseUrl: string, options: CloudApiOptions = {}): CloudApi {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? CLOUD_REQUEST_TIMEOUT_MS;
  const extraHeaders = options.headers ?? (() => ({}));
  return {
    baseUrl: base,
    async call<T>(
      method: string,
      path: string,
      call: { token?: string | undefined; body?: unknown; expect?: number[] } = {},
    ): Promise<T> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...extraHeaders(),
          ...(call.token === undefined ? {} : { authorization: `Bearer ${call.token}` }),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      const wanted = call.expect ?? [200, 201];
      if (!wanted.includes(response.status)) {
        const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
        throw new CloudApiError(
          method,
          path,
          response.status,
          error?.code ?? 'HTTP_ERROR',
          error?.message ?? text.slice(0, 200),
        );
      }
      return json as T;
    },
  };
}

export async function loginUser(api: CloudApi, email: string, password: string): Promise<string> {
  const session = await api.call<{ token: string }>('POST', '/v1/auth/login', { body: { email, password } });
  return session.token;
}

/**
 * The phone's half of a wallet login (docs/protocol.md §3.7): the cloud's nonce, signed with the phone
 * key. Whoever presents the pair gets one session: the nonce is single use and expires in 60 s.
 */
export async function signWalletLogin(
  api: CloudApi,
  walletId: number,
  phone: KeyPair,
): Promise<{ nonce: string; signature: string }> {
  const challenge = await api.call<{ nonce: string }>('GET', `/v1/wallets/${walletId}/login-challenge`);
  const nonce = Buffer.from(challenge.nonce, 'hex');
  const signature = sign(SignatureLabel.login, loginMessage(walletId, nonce), phone.privateKey);
  return { nonce: challenge.nonce, signature: toHex(signature) };
}

/** Wallet login: sign the cloud's single-use nonce with the phone key and exchange it for a session. */
export async function loginWallet(api: CloudApi, walletId: number, phone: KeyPair): Promise<string> {
  const signed = await signWalletLogin(api, walletId, phone);
  const session = await api.call<{ token: string }>('POST', `/v1/wallets/${walletId}/login`, {
    body: signed,
  });
  return session.token;
}
