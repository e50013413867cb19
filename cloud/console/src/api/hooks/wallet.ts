// A wallet's own reads through the typed client: its summary, history, coupons, withdrawals and payout
// account. Keys start with 'wallet', so signing out can drop them all (walletKeys.all).
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export const walletKeys = {
  all: ['wallet'] as const,
  me: () => [...walletKeys.all, 'me'] as const,
  history: () => [...walletKeys.all, 'history'] as const,
  coupons: () => [...walletKeys.all, 'coupons'] as const,
  withdrawals: () => [...walletKeys.all, 'withdrawals'] as const,
  payoutAccount: () => [...walletKeys.all, 'payout-account'] as const,
};

/** The wallet's summary; `token` for a session not yet in the context (just signed in). */
export function useWalletSummary(token?: string | null) {
  const session = useToken();
  const bearerToken = token === undefined ? session : token;
  return useQuery({
    queryKey: walletKeys.me(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/wallets/me', { headers: bearer(bearerToken), signal })),
  });
}

export function useWalletHistory(limit = 50) {
  const token = useToken();
  return useQuery({
    queryKey: walletKeys.history(),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/wallets/me/history', { params: { query: { limit } }, headers: bearer(token), signal }),
      ),
  });
}

export function useWalletCoupons(limit = 50) {
  const token = useToken();
  return useQuery({
    queryKey: walletKeys.coupons(),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/wallets/me/coupons', { params: { query: { limit } }, headers: bearer(token), signal }),
      ),
  });
}

export function useWithdrawals() {
  const token = useToken();
  return useQuery({
    queryKey: walletKeys.withdrawals(),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/wallets/me/withdrawals', { headers: bearer(token), signal })),
  });
}
