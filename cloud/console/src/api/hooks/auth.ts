// Console sessions through the typed client. The session token lives in an HttpOnly cookie the cloud
// sets at sign-in, so every tab of the browser shares it and no script can read it: the console asks
// the cloud who is signed in (GET /v1/auth/me) and signs out through it (POST /v1/auth/logout), which
// ends the session on the server too. The session is the one cached query, under sessionKeys.all.
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, ApiError, replyOf } from '../client.ts';
import type { Reply, RequestBody, Role } from '../types.ts';

export type Credentials = RequestBody<'/v1/auth/login', 'post'>;
export type LoginReply = Reply<'/v1/auth/login', 'post'>;

export interface ConsoleSession {
  /** Always null in the browser: requests carry the cookie. Kept for calls that take a bearer token. */
  token: string | null;
  role: Exclude<Role, 'wallet'>;
  email: string;
}

export const sessionKeys = {
  all: ['session'] as const,
};

/** The signed-in console user of this browser, or null (no cookie, or its session has ended). */
async function fetchSession(): Promise<ConsoleSession | null> {
  try {
    const me = await replyOf(api.GET('/v1/auth/me'));
    if (me.role === 'wallet') return null;
    return { token: null, role: me.role, email: me.email ?? '' };
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

/** Asked again when the tab regains focus: a sign-out in another tab shows here as the login page. */
export function useConsoleSession() {
  return useQuery({
    queryKey: sessionKeys.all,
    queryFn: fetchSession,
    staleTime: 30_000,
  });
}

export function useLogin(options: { onSuccess: (reply: LoginReply, credentials: Credentials) => void }) {
  return useMutation({
    mutationFn: (body: Credentials) => replyOf(api.POST('/v1/auth/login', { body })),
    onSuccess: options.onSuccess,
  });
}

/** Ends the session on the server (every tab and every copy of the token) and drops the cookie. */
export function useSignOut(options: { onSettled: () => void }) {
  return useMutation({
    mutationFn: () => replyOf(api.POST('/v1/auth/logout')),
    onSettled: options.onSettled,
  });
}
