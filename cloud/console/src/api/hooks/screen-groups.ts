// Screen-group reads through the typed client. Keys start with 'screen-groups'.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf } from './paging.ts';

export const screenGroupKeys = {
  all: ['screen-groups'] as const,
  pages: () => [...screenGroupKeys.all, 'pages'] as const,
};

/** Every group, a page of PAGE_SIZE at a time with the server's cursor ("load more" to the last one). */
export function useScreenGroupPages() {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: screenGroupKeys.pages(),
      queryFn: ({ pageParam, signal }) =>
        replyOf(
          api.GET('/v1/screen-groups', {
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
