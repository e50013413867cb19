// Campaign reads through the typed client. Keys start with 'campaigns', so invalidating
// campaignKeys.all refreshes every campaign list and page.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export type CampaignListQuery = { limit?: number; after?: number };

export const campaignKeys = {
  all: ['campaigns'] as const,
  list: (query: CampaignListQuery) => [...campaignKeys.all, 'list', query] as const,
  detail: (id: number) => [...campaignKeys.all, 'detail', id] as const,
};

/** A page of the caller's campaigns (every tenant's for operators). */
export function useCampaigns(query: CampaignListQuery = { limit: 100 }) {
  const token = useToken();
  return useQuery({
    queryKey: campaignKeys.list(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/campaigns', { params: { query }, headers: bearer(token), signal })),
  });
}

export function useCampaign(id: number) {
  const token = useToken();
  return useQuery({
    queryKey: campaignKeys.detail(id),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/campaigns/{id}', { params: { path: { id } }, headers: bearer(token), signal })),
  });
}
