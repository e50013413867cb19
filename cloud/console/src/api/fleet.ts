// The fleet pages' reads: keyset pages of any list (useKeysetPages, "load more" until the server's cursor
// runs out), the fleet summary, and one screen's activity and taps. Query keys start with the resource,
// so invalidating ['screens'] refreshes every screens list, page and count.
import {
  useInfiniteQuery,
  useQuery,
  type InfiniteData,
  type UseInfiniteQueryResult,
} from '@tanstack/react-query';
import { apiJson } from './client.ts';
import type { Page, Reply } from './types.ts';
import { useToken } from '../components/session-context.tsx';

/** Rows asked for per page: the API's largest page (cloud schemas.ts PAGE_SIZE_MAX). */
export const PAGE_SIZE = 100;

export type Query = Record<string, string | number | undefined>;

/**
 * Every page of a keyset-paged list, fetched one "load more" at a time with the server's `nextAfter`.
 * `items` is the rows loaded so far; `hasMore` says whether the last row is loaded yet.
 */
export function useKeysetPages<T>(
  key: readonly unknown[],
  path: string,
  query: Query,
  options: { refetchIntervalMs?: number; enabled?: boolean } = {},
) {
  const token = useToken();
  return pagesOf(
    useInfiniteQuery({
      queryKey: [...key, query],
      queryFn: ({ pageParam, signal }) =>
        apiJson<Page<T>>(path, { token, signal, query: { ...query, limit: PAGE_SIZE, after: pageParam } }),
      initialPageParam: 0,
      getNextPageParam: (last: Page<T>) => last.nextAfter ?? undefined,
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

/** The fleet's counts from server-side aggregates (GET /v1/screens/summary). */
export type ScreenSummary = Reply<'/v1/screens/summary', 'get'>;

export function useScreenSummary(refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: ['screens', 'summary'],
    queryFn: ({ signal }) => apiJson<ScreenSummary>('/v1/screens/summary', { token, signal }),
    refetchInterval: refetchIntervalMs,
  });
}

export type ScreenConnection = 'online' | 'offline' | 'long-offline';

export type ScreenActivity = Reply<'/v1/screens/{id}/activity', 'get'>;

export function useScreenActivity(screenId: number, refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: ['screens', 'activity', screenId],
    queryFn: ({ signal }) => apiJson<ScreenActivity>(`/v1/screens/${screenId}/activity`, { token, signal }),
    refetchInterval: refetchIntervalMs,
  });
}

type ScreenTapPage = Reply<'/v1/screens/{id}/taps', 'get'>;
export type ScreenTap = ScreenTapPage['items'][number];

/** A screen's taps, newest first, one page of the server's `nextBefore` cursor at a time. */
export function useScreenTaps(screenId: number) {
  const token = useToken();
  const pages = useInfiniteQuery({
    queryKey: ['screens', 'taps', screenId],
    queryFn: ({ pageParam, signal }) =>
      apiJson<ScreenTapPage>(`/v1/screens/${screenId}/taps`, {
        token,
        signal,
        query: { limit: PAGE_SIZE, before: pageParam },
      }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  return {
    query: pages,
    items: pages.data?.pages.flatMap((page) => page.items) ?? [],
    hasMore: pages.hasNextPage,
    loadMore: () => void pages.fetchNextPage(),
    loadingMore: pages.isFetchingNextPage,
  };
}
