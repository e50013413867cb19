// The till of this browser, through the typed client: the cloud keeps the store's till key in an
// HttpOnly cookie sent only to the till's routes, so every tab of the browser serves the store and no
// script can read the key. Keys start with 'till'.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, replyOf } from '../client.ts';
import type { TillCoupon, TillStore } from '../types.ts';

export const tillKeys = {
  all: ['till'] as const,
  store: () => [...tillKeys.all, 'store'] as const,
};

/** The store this browser's till serves, or null when it has no (valid) till key. */
async function fetchTillStore(signal: AbortSignal): Promise<TillStore | null> {
  try {
    return await replyOf(api.GET('/v1/till/store', { signal }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useTillStore() {
  return useQuery({
    queryKey: tillKeys.store(),
    queryFn: ({ signal }) => fetchTillStore(signal),
    retry: false,
  });
}

/** Sets (or clears) the store the till serves without asking the cloud. */
export function useSetTillStore(): (store: TillStore | null) => void {
  const queryClient = useQueryClient();
  return (store) => queryClient.setQueryData(tillKeys.store(), store);
}

/** Checks the key and, when it is valid, has the cloud keep it for this browser. */
export function useOpenTill(options: { onSuccess: (store: TillStore) => void }) {
  return useMutation({
    mutationFn: (key: string) => replyOf(api.POST('/v1/till/session', { body: { key } })),
    onSuccess: options.onSuccess,
  });
}

/** Forgets the key in this browser (the key itself stays valid for the store's other tills). */
export function useCloseTill(options: { onSettled: () => void }) {
  return useMutation({
    mutationFn: async () => {
      await api.POST('/v1/till/session/end');
    },
    onSettled: options.onSettled,
  });
}

/** What a coupon code is worth at this store, before redeeming it. */
export function useCouponLookup(options: { onMutate: () => void }) {
  return useMutation({
    mutationFn: (code: string): Promise<TillCoupon> =>
      replyOf(api.GET('/v1/till/coupons/{code}', { params: { path: { code } } })),
    onMutate: options.onMutate,
  });
}

/** Redeems a coupon under the till's transaction id: a repeated tap gets the first answer back. */
export function useCouponRedeem() {
  return useMutation({
    mutationFn: (input: { code: string; tillTxnId: string }): Promise<TillCoupon> =>
      replyOf(
        api.POST('/v1/till/coupons/{code}/redeem', {
          params: { path: { code: input.code } },
          body: { tillTxnId: input.tillTxnId },
        }),
      ),
  });
}

/** One id per checked coupon: a repeated Redeem tap (or a network retry) gets the first answer back. */
export function newTillTxnId(): string {
  return `till-${crypto.randomUUID()}`;
}
