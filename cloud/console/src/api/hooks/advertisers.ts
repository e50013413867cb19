// Advertisers through the typed client: the list, each one's balance and statement, funding and creating
// one. Keys start with 'advertisers', so invalidating one advertiser's keys refreshes its balance and
// statement together.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { Advertiser, RequestBody } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf } from './paging.ts';

export type NewAdvertiser = RequestBody<'/v1/advertisers', 'post'>;

export const advertiserKeys = {
  all: ['advertisers'] as const,
  pages: () => [...advertiserKeys.all, 'pages'] as const,
  one: (id: number) => [...advertiserKeys.all, 'one', id] as const,
  balance: (id: number) => [...advertiserKeys.one(id), 'balance'] as const,
  statement: (id: number) => [...advertiserKeys.one(id), 'statement'] as const,
};

/** Every advertiser, a page of PAGE_SIZE at a time with the server's cursor. */
export function useAdvertiserPages(options: { enabled?: boolean } = {}) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      enabled: options.enabled ?? true,
      queryKey: advertiserKeys.pages(),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/advertisers', {
            params: { query: { limit: PAGE_SIZE, after: pageParam } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextAfter ?? undefined,
    }),
  );
}

export function useAdvertiserBalance(id: number) {
  const token = useToken();
  return useQuery({
    queryKey: advertiserKeys.balance(id),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/advertisers/{id}/balance', { params: { path: { id } }, headers: bearer(token), signal }),
      ),
  });
}

/** The advertiser's statement, newest first, paged on with the server's `nextBefore`. */
export function useAdvertiserStatement(id: number, pageSize: number) {
  const token = useToken();
  return useInfiniteQuery({
    queryKey: advertiserKeys.statement(id),
    queryFn: ({ pageParam, signal }) =>
      replyOf(
        api.GET('/v1/advertisers/{id}/fundings', {
          params: { path: { id }, query: { limit: pageSize, before: pageParam } },
          headers: bearer(token),
          signal,
        }),
      ),
    initialPageParam: 0,
    getNextPageParam: (page) => page.nextBefore ?? undefined,
  });
}

/** Posts money into an advertiser's account; the same transfer id posts it once. */
export function useFundAdvertiser(options: { onSuccess: (input: { advertiser: Advertiser }) => void }) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { advertiser: Advertiser; amountFen: number; transferId: number }) =>
      replyOf(
        api.POST('/v1/advertisers/{id}/funding', {
          params: { path: { id: input.advertiser.id } },
          body: { amountFen: input.amountFen, transferId: input.transferId },
          headers: bearer(token),
        }),
      ),
    onSuccess: (_reply, input) => {
      void queryClient.invalidateQueries({ queryKey: advertiserKeys.one(input.advertiser.id) });
      options.onSuccess(input);
    },
  });
}

export function useCreateAdvertiser(options: { onSuccess: (advertiser: Advertiser) => void }) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAdvertiser) =>
      replyOf(api.POST('/v1/advertisers', { body, headers: bearer(token) })),
    onSuccess: (advertiser) => {
      void queryClient.invalidateQueries({ queryKey: advertiserKeys.all });
      options.onSuccess(advertiser);
    },
  });
}
