// The signed-in operator or advertiser, shared with every page; signing out clears the query cache.
import { createContext, useContext } from 'react';
import type { ConsoleSession } from '../api/hooks/auth.ts';

export interface SessionContextValue {
  session: ConsoleSession | null;
  setSession: (session: ConsoleSession | null) => void;
}

export const SessionContext = createContext<SessionContextValue>({
  session: null,
  setSession: () => undefined,
});

export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}

/**
 * A bearer token for API calls: null in the browser, where the HttpOnly session cookie goes with every
 * request instead (api/hooks/auth.ts).
 */
export function useToken(): string | null {
  return useContext(SessionContext).session?.token ?? null;
}
