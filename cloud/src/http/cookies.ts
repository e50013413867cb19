// The browser's credentials: a console session and a till key in HttpOnly, SameSite=Strict cookies, so
// one sign-in serves every tab of the browser and no script on the page can read either. Requests that
// change something with a cookie must come from the console's own origin (docs/threat-model.md).
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ErrorCode } from '@redtap/shared';
import { DomainError } from '../errors.ts';

export const SESSION_COOKIE = 'redtap_session';
export const TILL_COOKIE = 'redtap_till';
/** The till cookie is sent to the till's own routes only. */
export const TILL_COOKIE_PATH = '/v1/till';
/** A till stays signed in for a month of use; the key itself is revoked or rotated by the brand. */
export const TILL_COOKIE_MAX_AGE_S = 30 * 86_400;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Secure when the browser reached us over https (directly, or through a trusted TLS proxy). */
export function overHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** The cookie credential this request carries for its path: the till's on till routes, else the session's. */
export function cookieCredential(c: Context): string | undefined {
  const path = c.req.path;
  // Static console files need no credential; the API and /metrics do.
  if (!path.startsWith('/v1/') && path !== '/metrics') return undefined;
  const name =
    path === TILL_COOKIE_PATH || path.startsWith(`${TILL_COOKIE_PATH}/`) ? TILL_COOKIE : SESSION_COOKIE;
  return getCookie(c, name);
}

export function setSessionCookie(c: Context, token: string, maxAgeS: number, trustProxy: boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, trustProxy),
    path: '/',
    maxAge: maxAgeS,
  });
}

export function clearSessionCookie(c: Context, trustProxy: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: overHttps(c, trustProxy) });
}

export function setTillCookie(c: Context, key: string, trustProxy: boolean): void {
  setCookie(c, TILL_COOKIE, key, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, trustProxy),
    path: TILL_COOKIE_PATH,
    maxAge: TILL_COOKIE_MAX_AGE_S,
  });
}

export function clearTillCookie(c: Context, trustProxy: boolean): void {
  deleteCookie(c, TILL_COOKIE, { path: TILL_COOKIE_PATH, secure: overHttps(c, trustProxy) });
}

/**
 * Whether a browser sent this request from our own origin. Fetch metadata first (every current browser
 * sends Sec-Fetch-Site); otherwise the Origin header must name this host.
 */
function fromOwnOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

/** Refuses a cookie-carried request that changes something and did not come from our own pages (CSRF). */
export function assertCookieRequestSameOrigin(c: Context): void {
  if (SAFE_METHODS.has(c.req.method) || fromOwnOrigin(c)) return;
  throw new DomainError(ErrorCode.FORBIDDEN, 'cross-site request refused');
}

/**
 * Refuses a sign-in posted from another site (login CSRF: signing the victim's browser in as the
 * attacker). API clients send no fetch metadata and are not affected.
 */
export function assertSignInNotCrossSite(c: Context): void {
  const site = c.req.header('sec-fetch-site');
  if (site === undefined || site === 'same-origin' || site === 'none') return;
  throw new DomainError(ErrorCode.FORBIDDEN, 'cross-site sign-in refused');
}
