// The till of this browser: the cloud keeps the store's till key in an HttpOnly cookie sent only to the
// till's routes, so every tab of the browser serves the store and no script can read the key.
import { apiJson } from '../api/client.ts';
import type { TillStore } from '../api/types.ts';

/** The store this browser's till serves, or null when it has no (valid) till key. */
export async function fetchTillStore(): Promise<TillStore | null> {
  try {
    return await apiJson<TillStore>('/v1/till/store');
  } catch (error) {
    if (error instanceof Error && 'status' in error && error.status === 401) return null;
    throw error;
  }
}

/** Checks the key and, when it is valid, has the cloud keep it for this browser. */
export function openTill(key: string): Promise<TillStore> {
  return apiJson<TillStore>('/v1/till/session', { body: { key } });
}

/** Forgets the key in this browser (the key itself stays valid for the store's other tills). */
export async function closeTill(): Promise<void> {
  await apiJson('/v1/till/session/end', { method: 'POST' });
}

/** One id per checked coupon: a repeated Redeem tap (or a network retry) gets the first answer back. */
export function newTillTxnId(): string {
  return `till-${crypto.randomUUID()}`;
}
