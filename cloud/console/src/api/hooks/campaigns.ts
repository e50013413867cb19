// Campaigns through the typed client: reads, creating and editing one, lifecycle transitions and budget
// funding. Keys start with 'campaigns', so invalidating campaignKeys.all refreshes every campaign list
// and page.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { Campaign, CampaignInput, CampaignTransition } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { advertiserKeys } from './advertisers.ts';
import { PAGE_SIZE, useKeysetPages } from './paging.ts';

export const campaignKeys = {
  all: ['campaigns'] as const,
  pages: (status: Campaign['status'] | undefined) => [...campaignKeys.all, 'pages', status ?? 'any'] as const,
  detail: (id: number) => [...campaignKeys.all, 'detail', id] as const,
};

/**
 * Every campaign the caller sees (or every one in `status`), loaded a page of PAGE_SIZE at a time with the
 * server's cursor: for a queue with "load more", or with useEveryPage for a picker that must offer all.
 */
export function useCampaignPages(status?: Campaign['status'], options: { enabled?: boolean } = {}) {
  const token = useToken();
  return useKeysetPages(
    campaignKeys.pages(status),
    (after, signal) =>
      replyOf(
        api.GET('/v1/campaigns', {
          params: { query: { limit: PAGE_SIZE, after, ...(status === undefined ? {} : { status }) } },
          headers: bearer(token),
          signal,
        }),
      ),
    options,
  );
}

export function useCampaign(id: number) {
  const token = useToken();
  return useQuery({
    queryKey: campaignKeys.detail(id),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/campaigns/{id}', { params: { path: { id } }, headers: bearer(token), signal })),
  });
}

/**
 * How far an active or paused campaign's decks and configs have reached its screens; polled while any
 * is still on its way (the dispatchers publish them after activation).
 */
export function useCampaignRollout(id: number, enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: [...campaignKeys.detail(id), 'rollout'] as const,
    enabled,
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/campaigns/{id}/rollout', { params: { path: { id } }, headers: bearer(token), signal }),
      ),
    refetchInterval: (query) =>
      (query.state.data?.decksPending ?? 0) + (query.state.data?.configsStale ?? 0) > 0 ? 2_000 : false,
  });
}

export function createCampaign(token: string | null, body: CampaignInput): Promise<Campaign> {
  return replyOf(api.POST('/v1/campaigns', { body, headers: bearer(token) }));
}

export function updateCampaign(token: string | null, id: number, body: CampaignInput): Promise<Campaign> {
  return replyOf(api.PUT('/v1/campaigns/{id}', { params: { path: { id } }, body, headers: bearer(token) }));
}

export function transitionCampaign(
  token: string | null,
  id: number,
  transition: CampaignTransition,
): Promise<Campaign> {
  return replyOf(
    api.POST('/v1/campaigns/{id}/transitions', {
      params: { path: { id } },
      body: { transition },
      headers: bearer(token),
    }),
  );
}

/** What a save answers to: the campaign as stored, or the refusal (an ApiError with its `fields`). */
export interface SaveCallbacks {
  onSuccess: (campaign: Campaign) => void;
  onError: (error: Error) => void;
}

/** Creates a campaign, and submits it for approval straight away when asked (`submit: true`). */
export function useCreateCampaign(options: SaveCallbacks) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { body: CampaignInput; submit: boolean }) => {
      const created = await createCampaign(token, input.body);
      return input.submit ? transitionCampaign(token, created.id, 'submit') : created;
    },
    onSuccess: (campaign) => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
      options.onSuccess(campaign);
    },
    onError: options.onError,
  });
}

/** Replaces a stored campaign's editable fields (all of a draft; what moves no money once paused). */
export function useUpdateCampaign(id: number, options: SaveCallbacks) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignInput) => updateCampaign(token, id, body),
    onSuccess: (campaign) => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
      options.onSuccess(campaign);
    },
    onError: options.onError,
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
    mutationFn: (transition: CampaignTransition) => transitionCampaign(token, campaign.id, transition),
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
