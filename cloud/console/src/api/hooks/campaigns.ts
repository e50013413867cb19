// Campaigns through the typed client: reads, lifecycle transitions and budget funding. Keys start with
// 'campaigns', so invalidating campaignKeys.all refreshes every campaign list and page.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { Campaign, CampaignTransition } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { advertiserKeys } from './advertisers.ts';

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

/** Moves a campaign through its lifecycle (submit, approve, activate, pause, resume, end…). */
export function useCampaignTransition(
  campaign: Campaign,
  options: { onSuccess: (updated: Campaign) => void; onError: (error: Error) => void },
) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (transition: CampaignTransition) =>
      replyOf(
        api.POST('/v1/campaigns/{id}/transitions', {
          params: { path: { id: campaign.id } },
          body: { transition },
          headers: bearer(token),
        }),
      ),
    onSuccess: (updated) => {
      options.onSuccess(updated);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
    },
    onError: options.onError,
  });
}

/** Moves money from the advertiser's account into a campaign's budget; the same transfer id posts it once. */
export function useFundCampaign(campaign: Campaign, options: { onSuccess: () => void }) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { amountFen: number; transferId: number }) =>
      replyOf(
        api.POST('/v1/campaigns/{id}/funding', {
          params: { path: { id: campaign.id } },
          body,
          headers: bearer(token),
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
      void queryClient.invalidateQueries({ queryKey: advertiserKeys.one(campaign.advertiserId) });
      options.onSuccess();
    },
  });
}
