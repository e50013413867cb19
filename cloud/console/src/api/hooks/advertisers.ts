// Advertiser reads through the typed client. Keys start with 'advertisers'.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export type AdvertiserListQuery = { limit?: number; after?: number };

export const advertiserKeys = {
  all: ['advertisers'] as const,
  list: (query: AdvertiserListQuery) => [...advertiserKeys.all, 'list', query] as const,
};

export function useAdvertisers(
  query: AdvertiserListQuery = { limit: 100 },
  options: { enabled?: boolean } = {},
) {
  const token = useToken();
  return useQuery({
    queryKey: advertiserKeys.list(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/advertisers', { params: { query }, headers: bearer(token), signal })),
    enabled: options.enabled ?? true,
  });
}
