// Keyset paging shared by the hooks modules: the page size asked for, "load more" until the server's
// cursor runs out, and an infinite query seen as one list.
import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryResult } from '@tanstack/react-query';
import { useEffect } from 'react';

/** Rows asked for per page: the API's largest page (cloud schemas.ts PAGE_SIZE_MAX). */
export const PAGE_SIZE = 100;

/**
 * Every page of a keyset-paged list, fetched one "load more" at a time with the server's `nextAfter`.
 * `fetchPage` reads the page after a cursor (0 for the first); the rows loaded so far are `items`.
 */
export function useKeysetPages<P extends { items: unknown[]; nextAfter?: number | null }>(
  queryKey: readonly unknown[],
  fetchPage: (after: number, signal: AbortSignal) => Promise<P>,
  options: { refetchIntervalMs?: number; enabled?: boolean } = {},
) {
  return pagesOf(
    useInfiniteQuery({
      queryKey,
      queryFn: ({ pageParam, signal }) => fetchPage(pageParam, signal),
      initialPageParam: 0,
      getNextPageParam: (last: P) => last.nextAfter ?? undefined,
      enabled: options.enabled ?? true,
      ...(options.refetchIntervalMs === undefined ? {} : { refetchInterval: options.refetchIntervalMs }),
    }),
  );
}

/** An infinite query of pages as a list: the rows loaded so far, and whether the last one is. */
export function pagesOf<P extends { items: unknown[] }>(pages: UseInfiniteQueryResult<InfiniteData<P>>) {
  return {
    query: pages,
    items: (pages.data?.pages.flatMap((page) => page.items) ?? []) as P['items'],
    hasMore: pages.hasNextPage,
    loadMore: () => void pages.fetchNextPage(),
    loadingMore: pages.isFetchingNextPage,
  };
}

/**
 * A paged list read to its end, one page after another, for a picker that must offer every row. Stops at
 * a failed page (the query's error says why) rather than asking again and again.
 */
export function useEveryPage<
  L extends {
    query: Pick<
      UseInfiniteQueryResult,
      'hasNextPage' | 'isFetchingNextPage' | 'isFetchNextPageError' | 'fetchNextPage'
    >;
  },
>(list: L): L {
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = list.query;
  useEffect(() => {
    // cancelRefetch false: a render that comes before the fetch shows as running starts no second one.
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError)
      void fetchNextPage({ cancelRefetch: false });
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage]);
  return list;
}
