// The till key of the store this tab serves: in sessionStorage, so it ends with the tab.
const KEY = 'redtap.till.key';

export function loadTillKey(): string | null {
  const stored = sessionStorage.getItem(KEY);
  return stored !== null && /^rttk_[A-Za-z0-9_-]{43}$/.test(stored) ? stored : null;
}

export function saveTillKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

/** One id per checked coupon: a repeated Redeem tap (or a network retry) gets the first answer back. */
export function newTillTxnId(): string {
  return `till-${crypto.randomUUID()}`;
}
