// Merchants, stores and till keys through the typed client: reads (a page at a time with the server's
// cursor), registering merchants and stores, the offers a store accepts, and issuing or revoking till
// keys. Keys start with the resource ('merchants', 'stores', 'till-keys').
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { RequestBody, Store, TillKey } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf, useKeysetPages } from './paging.ts';

export const merchantKeys = {
  all: ['merchants'] as const,
  list: () => [...merchantKeys.all, 'list'] as const,
};

export const storeKeys = {
  all: ['stores'] as const,
  list: (merchantId: number | undefined) => [...storeKeys.all, 'list', merchantId ?? null] as const,
};

export const tillKeyKeys = {
  all: ['till-keys'] as const,
  list: (storeId: number) => [...tillKeyKeys.all, storeId] as const,
};

/** The caller's merchants (every brand's for operators), a page of `pageSize` at a time. */
export function useMerchantPages(pageSize = PAGE_SIZE) {
  const token = useToken();
  return useKeysetPages(merchantKeys.list(), (after, signal) =>
    replyOf(
      api.GET('/v1/merchants', {
        params: { query: { limit: pageSize, after } },
        headers: bearer(token),
        signal,
      }),
    ),
  );
}

/** The stores of one merchant (or every store the caller sees), a page at a time. */
export function useStorePages(merchantId?: number) {
  const token = useToken();
  return useKeysetPages(storeKeys.list(merchantId), (after, signal) =>
    replyOf(
      api.GET('/v1/stores', {
        params: {
          query: { limit: PAGE_SIZE, after, ...(merchantId === undefined ? {} : { merchantId }) },
        },
        headers: bearer(token),
        signal,
      }),
    ),
  );
}

/** A store's till keys, newest first, a page at a time with the server's `nextBefore`. */
export function useTillKeyPages(storeId: number) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: tillKeyKeys.list(storeId),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/stores/{id}/till-keys', {
            params: { path: { id: storeId }, query: { limit: PAGE_SIZE, before: pageParam } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextBefore ?? undefined,
    }),
  );
}

type Outcome<T> = { onSuccess: (reply: T) => void; onError: (error: Error) => void };

export type NewMerchant = RequestBody<'/v1/merchants', 'post'>;
export type NewStore = RequestBody<'/v1/merchants/{id}/stores', 'post'>;
export type IssuedTillKey = TillKey & { key: string };

export function useCreateMerchant(options: Outcome<unknown>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewMerchant) => replyOf(api.POST('/v1/merchants', { body, headers: bearer(token) })),
    onSuccess: (merchant) => {
      options.onSuccess(merchant);
      void queryClient.invalidateQueries({ queryKey: merchantKeys.all });
    },
    onError: options.onError,
  });
}

export function useCreateStore(merchantId: number, options: Outcome<Store>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewStore) =>
      replyOf(
        api.POST('/v1/merchants/{id}/stores', {
          params: { path: { id: merchantId } },
          body,
          headers: bearer(token),
        }),
      ),
    onSuccess: (store) => {
      void queryClient.invalidateQueries({ queryKey: storeKeys.all });
      options.onSuccess(store);
    },
    onError: options.onError,
  });
}

/** Replaces the coupon offers a store accepts. */
export function useSetStoreOffers(storeId: number, options: Outcome<Store>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (couponOfferIds: number[]) =>
      replyOf(
        api.PUT('/v1/stores/{id}/offers', {
          params: { path: { id: storeId } },
          body: { couponOfferIds },
          headers: bearer(token),
        }),
      ),
    onSuccess: (store) => {
      options.onSuccess(store);
      void queryClient.invalidateQueries({ queryKey: storeKeys.all });
    },
    onError: options.onError,
  });
}

/** Issues a till key for a store (shown once), revoking the store's other keys if asked. */
export function useIssueTillKey(storeId: number, options: Outcome<IssuedTillKey>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (revokeOthers: boolean) =>
      replyOf(
        api.POST('/v1/stores/{id}/till-keys', {
          params: { path: { id: storeId } },
          body: { revokeOthers },
          headers: bearer(token),
        }),
      ),
    onSuccess: (key) => {
      options.onSuccess(key);
      void queryClient.invalidateQueries({ queryKey: storeKeys.all });
      void queryClient.invalidateQueries({ queryKey: tillKeyKeys.list(storeId) });
    },
    onError: options.onError,
  });
}

export function useRevokeTillKey(storeId: number, options: { onError: (error: Error) => void }) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      replyOf(api.POST('/v1/till-keys/{id}/revoke', { params: { path: { id } }, headers: bearer(token) })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: tillKeyKeys.list(storeId) });
      void queryClient.invalidateQueries({ queryKey: storeKeys.all });
    },
    onError: options.onError,
  });
}
