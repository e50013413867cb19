// Asks the cloud what a refused broker login means (docs/protocol.md §5.9): enrolment answers the kiosk
// before the cloud has made its broker identity, and an external broker refuses the login until then,
// so a refusal alone is no revocation. `GET /v1/screens/me/status` with the broker login as Basic:
// 200 says the screen is active and whether its identity is still being made; 401 says the cloud
// refuses the login too (revoked); 429 says "not now" (the per-address limit on screen logins: a
// building of screens enrolling together); anything else (no answer, a timeout, 5xx, a reply that
// fails its schema) says nothing.
import { ScreenStatus } from '@redtap/shared';

export type ScreenStatusAnswer =
  | { kind: 'active'; broker: ScreenStatus['broker'] }
  | { kind: 'refused' }
  /** 429: ask again after `retryAfterMs` (from Retry-After; null when absent or unreadable). */
  | { kind: 'busy'; retryAfterMs: number | null }
  | { kind: 'unknown'; reason: string };

/** A status reply is a few dozen bytes; more is not read. */
const STATUS_BYTES_MAX = 4_096;

export async function askScreenStatus(options: {
  cloudUrl: string;
  login: { username: string; password: string };
  screenId: number;
  fetch: typeof fetch;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<ScreenStatusAnswer> {
  const { login } = options;
  let response: Response;
  try {
    response = await options.fetch(new URL('/v1/screens/me/status', options.cloudUrl), {
      headers: {
        authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
      },
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  } catch (error) {
    return unknown(`no answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    if (response.status === 401) return { kind: 'refused' };
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after') ?? 'NaN');
      return {
        kind: 'busy',
        retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null,
      };
    }
    if (response.status !== 200) return unknown(`HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > STATUS_BYTES_MAX) return unknown(`a reply of ${declared} bytes`);
    const text = await response.text();
    if (Buffer.byteLength(text) > STATUS_BYTES_MAX) return unknown('a reply too large');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return unknown('a reply that is not JSON');
    }
    const parsed = ScreenStatus.safeParse(json);
    if (!parsed.success) return unknown('a reply that fails its schema');
    if (parsed.data.screenId !== options.screenId)
      return unknown(`a reply for screen ${parsed.data.screenId}`);
    return { kind: 'active', broker: parsed.data.broker };
  } catch (error) {
    return unknown(`reply not read: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
  }
}

function unknown(reason: string): ScreenStatusAnswer {
  return { kind: 'unknown', reason };
}
