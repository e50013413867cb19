// A wallet through the typed client: signing in with the phone's key, its summary, history, coupons,
// payout account and withdrawals. A wallet session is the phone's, not the console's, so each hook takes
// its token. Keys start with 'wallet', so signing out can drop them all (walletKeys.all).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { PayoutAccount, RequestBody, Session, WalletCredential, Withdrawal } from '../types.ts';
import { pagesOf } from './paging.ts';

export const walletKeys = {
  all: ['wallet'] as const,
  me: () => [...walletKeys.all, 'me'] as const,
  history: () => [...walletKeys.all, 'history'] as const,
  coupons: () => [...walletKeys.all, 'coupons'] as const,
  withdrawals: () => [...walletKeys.all, 'withdrawals'] as const,
  payoutAccount: () => [...walletKeys.all, 'payout-account'] as const,
};

export type WalletLogin = RequestBody<'/v1/wallets/{id}/login', 'post'>;
export type PayoutAccountInput = RequestBody<'/v1/wallets/me/payout-account', 'put'>;

/** Registers a new wallet for a phone's public key; the cloud answers with its credential. */
export function registerWallet(publicKey: string): Promise<WalletCredential> {
  return replyOf(api.POST('/v1/wallets', { body: { publicKey } }));
}

/** A single-use nonce the phone signs to sign in. */
export function walletLoginChallenge(walletId: number): Promise<{ nonce: string }> {
  return replyOf(api.GET('/v1/wallets/{id}/login-challenge', { params: { path: { id: walletId } } }));
}

export function walletLogin(walletId: number, body: WalletLogin): Promise<Session> {
  return replyOf(api.POST('/v1/wallets/{id}/login', { params: { path: { id: walletId } }, body }));
}

/** Ends every session of the wallet on the server; the phone's key signs it in again. */
export function useWalletSignOut(token: string, options: { onSettled: () => void }) {
  return useMutation({
    mutationFn: () => replyOf(api.POST('/v1/auth/logout', { headers: bearer(token) })),
    onSettled: options.onSettled,
  });
}

/**
 * Signs in with a link's signed nonce. A query, not a mutation: it runs once per nonce even when
 * StrictMode mounts twice, since the nonce is single use and a second login with it would fail.
 */
export function useWalletLinkLogin(link: { walletId: number; nonce: string; signature: string } | null) {
  return useQuery({
    queryKey: ['wallet-link', link?.nonce ?? ''],
    enabled: link !== null,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
    queryFn: () =>
      walletLogin(link?.walletId ?? 0, { nonce: link?.nonce ?? '', signature: link?.signature ?? '' }),
  });
}

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

/** The wallet's withdrawals, newest first, `pageSize` at a time with the server's `nextBefore`. */
export function useWithdrawals(token: string, pageSize = 50) {
  return pagesOf(
    useInfiniteQuery({
      queryKey: walletKeys.withdrawals(),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/wallets/me/withdrawals', {
            params: { query: { limit: pageSize, before: pageParam } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextBefore ?? undefined,
    }),
  );
}

export function usePayoutAccount(token: string) {
  return useQuery({
    queryKey: walletKeys.payoutAccount(),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/wallets/me/payout-account', { headers: bearer(token), signal })),
  });
}

export function useLinkPayoutAccount(
  token: string,
  options: { onSuccess: (account: PayoutAccount) => void },
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PayoutAccountInput) =>
      replyOf(api.PUT('/v1/wallets/me/payout-account', { body, headers: bearer(token) })),
    onSuccess: (account) => {
      void queryClient.invalidateQueries({ queryKey: walletKeys.all });
      options.onSuccess(account);
    },
  });
}

/** Withdraws to the linked payout account; the same idempotency key withdraws once. */
export function useWithdraw(token: string, options: { onSuccess: (withdrawal: Withdrawal) => void }) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { amountFen: number; idempotencyKey: string }) =>
      replyOf(api.POST('/v1/wallets/me/withdrawals', { body, headers: bearer(token) })),
    onSuccess: (withdrawal) => {
      void queryClient.invalidateQueries({ queryKey: walletKeys.all });
      options.onSuccess(withdrawal);
    },
  });
}
