// Taps and claims held for review, held withdrawals and the decisions made on them, through the typed
// client. Keys start with 'holds'.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf } from './paging.ts';

export type HoldDecisionKind = 'release' | 'refuse';

export const holdKeys = {
  all: ['holds'] as const,
  pages: () => [...holdKeys.all, 'pages'] as const,
  decisions: () => [...holdKeys.all, 'decisions'] as const,
};

/** Every held tap, oldest first, a page of PAGE_SIZE at a time with the server's cursor. */
export function useHeldTapPages(refetchIntervalMs: number) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: holdKeys.pages(),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/holds', {
            params: { query: { limit: PAGE_SIZE, after: pageParam } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextAfter ?? undefined,
      refetchInterval: refetchIntervalMs,
    }),
  );
}

/** The decisions on held taps, newest first, a page at a time with the server's `nextBefore`. */
export function useHoldDecisions() {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: holdKeys.decisions(),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/holds/decisions', {
            params: { query: { limit: PAGE_SIZE, ...(pageParam === '' ? {} : { before: pageParam }) } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: '',
      getNextPageParam: (last) => last.nextBefore ?? undefined,
    }),
  );
}

export interface HoldReviewInput {
  id: number;
  decision: HoldDecisionKind;
}

export interface HoldReviewOptions {
  onSuccess: (reply: { id: number; status: string }, input: HoldReviewInput) => void;
  onError: (error: Error) => void;
}

/**
 * An operator's release or refusal of something held (`decide` posts it): on success everything held
 * and the decisions are read again, then `onSuccess` (the page's own) gets the reply and the input.
 */
function useHeldReview(
  decide: (token: string | null, input: HoldReviewInput) => Promise<{ id: number; status: string }>,
  options: HoldReviewOptions,
) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: HoldReviewInput) => decide(token, input),
    onSuccess: (reply, input) => {
      void queryClient.invalidateQueries({ queryKey: holdKeys.all });
      options.onSuccess(reply, input);
    },
    onError: options.onError,
  });
}

/** Release or refuse a held tap or claim. */
export function useHoldReview(options: HoldReviewOptions) {
  return useHeldReview(
    (token, input) =>
      replyOf(
        input.decision === 'release'
          ? api.POST('/v1/holds/{id}/release', { params: { path: { id: input.id } }, headers: bearer(token) })
          : api.POST('/v1/holds/{id}/refuse', { params: { path: { id: input.id } }, headers: bearer(token) }),
      ),
    options,
  );
}

/** Withdrawals held because their payout account is shared, oldest first, a page at a time. */
export function useHeldWithdrawalPages(refetchIntervalMs: number) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: [...holdKeys.all, 'withdrawals'] as const,
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/holds/withdrawals', {
            params: { query: { limit: PAGE_SIZE, after: pageParam } },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextAfter ?? undefined,
      refetchInterval: refetchIntervalMs,
    }),
  );
}

/** Release (to the next payout batch) or refuse (back to the wallet) a held withdrawal. */
export function useWithdrawalHoldReview(options: HoldReviewOptions) {
  return useHeldReview(
    (token, input) =>
      replyOf(
        input.decision === 'release'
          ? api.POST('/v1/holds/withdrawals/{id}/release', {
              params: { path: { id: input.id } },
              headers: bearer(token),
            })
          : api.POST('/v1/holds/withdrawals/{id}/refuse', {
              params: { path: { id: input.id } },
              headers: bearer(token),
            }),
      ),
    options,
  );
}
