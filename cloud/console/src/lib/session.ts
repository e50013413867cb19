// Operator and advertiser sessions: the JWT lives in sessionStorage, so it ends with the tab.
import type { Role } from '../api/types.ts';

const KEY = 'redtap.console.session';

export interface ConsoleSession {
  token: string;
  role: Exclude<Role, 'wallet'>;
  email: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function loadSession(nowS = Math.floor(Date.now() / 1000)): ConsoleSession | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<ConsoleSession> | null;
    if (
      parsed === null ||
      typeof parsed.token !== 'string' ||
      (parsed.role !== 'operator' && parsed.role !== 'advertiser') ||
      typeof parsed.expiresAt !== 'number' ||
      parsed.expiresAt <= nowS
    )
      return null;
    return { token: parsed.token, role: parsed.role, email: parsed.email ?? '', expiresAt: parsed.expiresAt };
  } catch {
    return null;
  }
}

export function saveSession(session: ConsoleSession | null): void {
  if (session === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}
