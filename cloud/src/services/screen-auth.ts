// The broker's login check for screens: username `screen-{id}`, an active screen, and the password
// that enrolment handed out. Successful checks are cached briefly because scrypt is slow on purpose.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { AuthenticateScreen } from '../broker/types.ts';
import type { Database } from '../db/client.ts';
import { screens } from '../db/schema/screens.ts';
import { verifySecret } from '../auth/passwords.ts';

export interface ScreenAuthOptions {
  cacheTtlMs: number;
  cacheSizeMax: number;
  now: () => number;
}

export interface ScreenAuthenticator {
  authenticate: AuthenticateScreen;
  /** Drops cached logins of a screen, e.g. when it is revoked or re-enrolled. */
  forget(screenId: number): void;
}

const USERNAME = /^screen-([1-9]\d{0,15})$/;
// Room for a NATS screen's bearer user JWT (about 1,050 characters, docs/protocol.md §5.2).
const PASSWORD_LENGTH_MAX = 1536;

export function createScreenAuthenticator(
  db: Database,
  options: ScreenAuthOptions = { cacheTtlMs: 30_000, cacheSizeMax: 10_000, now: Date.now },
): ScreenAuthenticator {
  const cache = new Map<string, { screenId: number; expiresAtMs: number }>();

  const authenticate: AuthenticateScreen = async (username, password) => {
    const match = USERNAME.exec(username);
    if (match === null || password.length === 0 || password.length > PASSWORD_LENGTH_MAX) return null;
    const screenId = Number(match[1]);
    if (!Number.isSafeInteger(screenId)) return null;
    const key = `${screenId}:${createHash('sha256').update(password).digest('base64')}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAtMs > options.now()) return cached.screenId;
    cache.delete(key);
    const [screen] = await db
      .select({ hash: screens.mqttPasswordHash })
      .from(screens)
      .where(and(eq(screens.id, screenId), eq(screens.status, 'active')))
      .limit(1);
    if (screen?.hash == null || !(await verifySecret(password, screen.hash, PASSWORD_LENGTH_MAX)))
      return null;
    if (cache.size >= options.cacheSizeMax) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, { screenId, expiresAtMs: options.now() + options.cacheTtlMs });
    return screenId;
  };

  return {
    authenticate,
    forget(screenId) {
      for (const [key, entry] of cache) if (entry.screenId === screenId) cache.delete(key);
    },
  };
}
