// Serves the built web console (cloud/dist/console) from the cloud's own origin: hashed assets cached
// forever, index.html revalidated every time, and every non-API path answered with index.html so deep
// links like /operator/screens load the single-page app. API paths keep their JSON 404.
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env, Hono } from 'hono';

/** Where `npm run build -w cloud` puts the console (vite outDir). */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** Paths the console never answers: the API and the cloud's own system routes. */
export const CONSOLE_EXCLUDED_PREFIXES = ['/v1/', '/openapi.json', '/docs', '/metrics', '/healthz'] as const;
/** The largest file served from the console build; anything bigger is not ours. */
export const CONSOLE_FILE_BYTES_MAX = 8 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The wallet's service worker and web manifest keep their names between builds, so a browser must ask
 * for them again each time: a stale worker would keep an old app shell.
 */
const REVALIDATED_FILES = new Set(['/sw.js', '/manifest.webmanifest']);

/**
 * Scripts only from our origin (no inline script, no eval). Styles allow inline because the component
 * library sets style attributes and injects its CSS variables; images allow data: (QR codes) and blob:
 * (previews of creatives before upload).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  // The till's QR scanner decodes in a worker that it builds from a blob (no network, no CDN).
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function isExcluded(path: string): boolean {
  return (
    path === '/v1' || CONSOLE_EXCLUDED_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix))
  );
}

async function readFileWithin(root: string, relative: string): Promise<Uint8Array | null> {
  const absolute = resolve(root, `.${relative}`);
  if (absolute !== root && !absolute.startsWith(root + sep)) return null;
  try {
    const info = await stat(absolute);
    if (!info.isFile() || info.size > CONSOLE_FILE_BYTES_MAX) return null;
    return new Uint8Array(await readFile(absolute));
  } catch {
    return null;
  }
}

export interface ConsoleOptions {
  /** The console build (vite outDir); defaults to cloud/dist/console. */
  distDir?: string;
}

export function mountConsole<E extends Env>(app: Hono<E>, options: ConsoleOptions = {}): void {
  const root = resolve(options.distDir ?? CONSOLE_DIST_DIR);
  app.get('/*', async (c, next) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    if (isExcluded(path) || path.includes('\0')) return next();
    const securityHeaders = {
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    };
    const extension = extname(path);
    if (path !== '/' && extension !== '' && extension !== '.html') {
      const bytes = await readFileWithin(root, path);
      // A missing asset is a 404 (a stale index.html asking for an old hash), not the app shell.
      if (bytes === null) return next();
      return c.body(bytes.buffer as ArrayBuffer, 200, {
        ...securityHeaders,
        'Content-Type': MIME[extension] ?? 'application/octet-stream',
        // Vite puts a content hash in every file name under /assets; the rest may change between builds.
        'Cache-Control': path.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : REVALIDATED_FILES.has(path)
            ? 'no-cache'
            : 'public, max-age=3600',
      });
    }
    const index = await readFileWithin(root, '/index.html');
    if (index === null)
      return c.text('The web console is not built: run `npm run build -w cloud`.', 503, {
        'Cache-Control': 'no-store',
      });
    return c.body(index.buffer as ArrayBuffer, 200, {
      ...securityHeaders,
      'Content-Type': MIME['.html'] ?? 'text/html',
      'Cache-Control': 'no-cache',
    });
  });
}
