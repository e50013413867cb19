// The shell's own URL scheme: the renderer and the cached creatives are served from
// `redtap-app://screen/…`, a privileged standard origin, instead of file:// (whose origin is opaque and
// would let any local file pass an origin check).
import { isAbsolute, join, normalize, relative } from 'node:path';
import type { CreativeFile } from '../host/kiosk-ui-port.ts';

export const APP_SCHEME = 'redtap-app';
export const APP_HOST = 'screen';
export const APP_ORIGIN_PREFIX = `${APP_SCHEME}://${APP_HOST}/`;
export const APP_INDEX_URL = `${APP_ORIGIN_PREFIX}index.html`;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

export function creativeAppUrl(sha256: string): string {
  return `${APP_ORIGIN_PREFIX}creatives/${sha256}`;
}

export type AppRequestTarget = { kind: 'file'; path: string; mime: string | null } | { kind: 'not-found' };

/** Maps an app-protocol URL to a file, refusing anything outside the renderer build or the cache. */
export function resolveAppRequest(
  url: string,
  rendererDir: string,
  creativeFile: (sha256: string) => CreativeFile | null,
): AppRequestTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'not-found' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { kind: 'not-found' };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { kind: 'not-found' };
  }
  const creative = /^\/creatives\/([^/]+)$/.exec(path);
  if (creative !== null) {
    const sha256 = creative[1] ?? '';
    if (!SHA256_HEX.test(sha256)) return { kind: 'not-found' };
    const file = creativeFile(sha256);
    return file === null ? { kind: 'not-found' } : { kind: 'file', path: file.path, mime: file.mime };
  }
  const wanted = path === '/' ? 'index.html' : path.slice(1);
  const full = normalize(join(rendererDir, wanted));
  const inside = relative(rendererDir, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || path.includes('\0'))
    return { kind: 'not-found' };
  return { kind: 'file', path: full, mime: null };
}
