// Merchant, store and till-key reads through the typed client. Keys start with the resource ('merchants',
// 'stores', 'till-keys'), as the pages' invalidations expect.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

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

export function useMerchants() {
  const token = useToken();
  return useQuery({
    queryKey: merchantKeys.list(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/merchants', { headers: bearer(token), signal })),
  });
}

export function useStores(merchantId?: number) {
  const token = useToken();
  return useQuery({
    queryKey: storeKeys.list(merchantId),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/stores', {
          params: { query: merchantId === undefined ? {} : { merchantId } },
          headers: bearer(token),
          signal,
        }),
      ),
  });
}

export function useTillKeys(storeId: number) {
  const token = useToken();
  return useQuery({
    queryKey: tillKeyKeys.list(storeId),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/stores/{id}/till-keys', {
          params: { path: { id: storeId } },
          headers: bearer(token),
          signal,
        }),
      ),
  });
}
