// SUN sticker tags (docs/protocol.md §9) through the typed client: tag batches (import, with a dry run,
// and their pages) and the tags bound to a screen (pages on the UID, bind and unbind). Keys start with
// 'tags'; a bind or unbind also refreshes the screens, whose rows count their stickers.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { Reply, RequestBody } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf, useKeysetPages } from './paging.ts';
import { screenKeys } from './screens.ts';

export type TagBatch = Reply<'/v1/tag-batches', 'get'>['items'][number];
export type Tag = Reply<'/v1/tags/{uid}/screen', 'put'>;
export type TagImport = Reply<'/v1/tag-batches', 'post'>;
export type TagImportInput = RequestBody<'/v1/tag-batches', 'post'>;

export const tagKeys = {
  all: ['tags'] as const,
  batches: () => [...tagKeys.all, 'batches'] as const,
  ofScreen: (screenId: number) => [...tagKeys.all, 'screen', screenId] as const,
};

/** Tag batches in id order, a page of PAGE_SIZE at a time. */
export function useTagBatchPages() {
  const token = useToken();
  return useKeysetPages(tagKeys.batches(), (after, signal) =>
    replyOf(
      api.GET('/v1/tag-batches', {
        params: { query: { limit: PAGE_SIZE, after } },
        headers: bearer(token),
        signal,
      }),
    ),
  );
}

/** Imports a batch, or with dryRun judges its rows and writes nothing (the reply lists the rows refused). */
export function useImportTagBatch(options: { onSuccess?: (reply: TagImport) => void } = {}) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TagImportInput) =>
      replyOf(api.POST('/v1/tag-batches', { body, headers: bearer(token) })),
    onSuccess: (reply) => {
      if (!reply.dryRun) void queryClient.invalidateQueries({ queryKey: tagKeys.batches() });
      options.onSuccess?.(reply);
    },
  });
}

/** The screen's tags in UID order; the cursor is the last UID of a page. */
export function useScreenTagPages(screenId: number) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: tagKeys.ofScreen(screenId),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/screens/{id}/tags', {
            params: {
              path: { id: screenId },
              query: { limit: PAGE_SIZE, ...(pageParam === '' ? {} : { after: pageParam }) },
            },
            headers: bearer(token),
            signal,
          }),
        ),
      initialPageParam: '',
      getNextPageParam: (last) => last.nextAfter ?? undefined,
    }),
  );
}

function useTagChange<V>(
  change: (token: string | null, variables: V) => Promise<Tag>,
  options: { onSuccess?: (tag: Tag) => void; onError?: (error: Error) => void },
) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => change(token, variables),
    onSuccess: (tag) => {
      void queryClient.invalidateQueries({ queryKey: tagKeys.all });
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(tag);
    },
    onError: (error) => options.onError?.(error),
  });
}

/** Binds a tag to a screen (moving it from another screen). */
export function useBindTag(
  options: { onSuccess?: (tag: Tag) => void; onError?: (error: Error) => void } = {},
) {
  return useTagChange(
    (token, { uid, screenId }: { uid: string; screenId: number }) =>
      replyOf(
        api.PUT('/v1/tags/{uid}/screen', {
          params: { path: { uid } },
          body: { screenId },
          headers: bearer(token),
        }),
      ),
    options,
  );
}

/** Unbinds a tag: its reads are refused until it is bound again. */
export function useUnbindTag(
  options: { onSuccess?: (tag: Tag) => void; onError?: (error: Error) => void } = {},
) {
  return useTagChange(
    (token, uid: string) =>
      replyOf(api.DELETE('/v1/tags/{uid}/screen', { params: { path: { uid } }, headers: bearer(token) })),
    options,
  );
}
