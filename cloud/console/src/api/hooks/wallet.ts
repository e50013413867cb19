// A wallet's own reads through the typed client: its summary, history, coupons and withdrawals. A wallet
// session is the phone's, not the console's, so each hook takes its token. Keys start with 'wallet', so
// signing out can drop them all (walletKeys.all).
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';

export const walletKeys = {
  all: ['wallet'] as const,
  me: () => [...walletKeys.all, 'me'] as const,
  history: () => [...walletKeys.all, 'history'] as const,
  coupons: () => [...walletKeys.all, 'coupons'] as const,
  withdrawals: () => [...walletKeys.all, 'withdrawals'] as const,
};

/** How often a list that changes on its own (a tap settling) is read again. */
export interface Refresh {
  refetchIntervalMs?: number;
}

const every = (refresh: Refresh) =>
  refresh.refetchIntervalMs === undefined ? {} : { refetchInterval: refresh.refetchIntervalMs };

export function useWalletSummary(token: string, refresh: Refresh = {}) {
  return useQuery({
    queryKey: walletKeys.me(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/wallets/me', { headers: bearer(token), signal })),
    ...every(refresh),
  });
}

export function useWalletHistory(token: string, refresh: Refresh = {}, limit = 50) {
  return useQuery({
    queryKey: walletKeys.history(),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/wallets/me/history', { params: { query: { limit } }, headers: bearer(token), signal }),
      ),
    ...every(refresh),
  });
}

export function useWalletCoupons(token: string, limit = 50) {
  return useQuery({
    queryKey: walletKeys.coupons(),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/wallets/me/coupons', { params: { query: { limit } }, headers: bearer(token), signal }),
      ),
  });
}

export function useWithdrawals(token: string) {
  return useQuery({
    queryKey: walletKeys.withdrawals(),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/wallets/me/withdrawals', { headers: bearer(token), signal })),
  });
}
