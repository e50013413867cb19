// The web wallet's device cookie, a multi-account signal (services/account-signals.ts): a random id in a
// long-lived HttpOnly cookie, set on passkey sign-up, sign-in and claims. It names a browser profile, not
// a phone: clearing it or a private window makes a fresh one (docs/threat-model.md).
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { overHttps } from './cookies.ts';

export const DEVICE_COOKIE = 'redtap_device';
/** The longest lifetime browsers keep a cookie for (400 days). */
export const DEVICE_COOKIE_MAX_AGE_S = 400 * 86_400;
/** 16 random bytes, base64url: anything else in the cookie is ignored and replaced. */
const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;

export function newDeviceId(): string {
  return randomBytes(16).toString('base64url');
}

/** The request's device id when its cookie holds a well-formed one. */
export function deviceIdOf(c: Context): string | null {
  const value = getCookie(c, DEVICE_COOKIE);
  return value !== undefined && DEVICE_ID.test(value) ? value : null;
}

/**
 * The request's device id, setting a new one in a long-lived HttpOnly cookie when it has none. The
 * cookie is the web wallet's only: the wallet app has no cookie jar, so its requests count no device.
 */
export function ensureDeviceCookie(c: Context, trustProxy: boolean): string {
  const known = deviceIdOf(c);
  if (known !== null) return known;
  const fresh = newDeviceId();
  setCookie(c, DEVICE_COOKIE, fresh, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, trustProxy),
    path: '/',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
  return fresh;
}
