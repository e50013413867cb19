// Operator and advertiser sessions: the session token lives in an HttpOnly cookie the cloud sets at
// sign-in, so every tab of the browser shares it and no script can read it. The console asks the cloud
// who is signed in (GET /v1/auth/me) and signs out through it (POST /v1/auth/logout), which ends the
// session on the server too.
import { apiJson } from '../api/client.ts';
import type { Role } from '../api/types.ts';

export interface ConsoleSession {
  /** Always null in the browser: requests carry the cookie. Kept for calls that take a bearer token. */
  token: string | null;
  role: Exclude<Role, 'wallet'>;
  email: string;
}

interface Me {
  role: Role;
  email?: string;
}

/** The signed-in console user of this browser, or null (no cookie, or its session has ended). */
export async function fetchSession(): Promise<ConsoleSession | null> {
  try {
    const me = await apiJson<Me>('/v1/auth/me');
    if (me.role === 'wallet') return null;
    return { token: null, role: me.role, email: me.email ?? '' };
  } catch (error) {
    if (error instanceof Error && 'status' in error && (error.status === 401 || error.status === 403))
      return null;
    throw error;
  }
}

/** Ends the session on the server (every tab and every copy of the token) and drops the cookie. */
export async function endSession(): Promise<void> {
  await apiJson('/v1/auth/logout', { method: 'POST' });
}
