// Screens and the changes the fleet pages make to screens and their groups, through the typed client.
// Keys start with 'screens', so invalidating screenKeys.all refreshes every list, page, count and place.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { paths } from '../schema.d.ts';
import type { EnrolmentCode, Reply, RequestBody, Screen } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { PAGE_SIZE, pagesOf, useKeysetPages } from './paging.ts';
import { screenGroupKeys } from './screen-groups.ts';

type ScreenQuery = NonNullable<paths['/v1/screens']['get']['parameters']['query']>;
/** A screens list's filters (location, status, group, search, connection); paging is the hook's. */
export type ScreenFilter = {
  [K in Exclude<keyof ScreenQuery, 'limit' | 'after'>]?: ScreenQuery[K] | undefined;
};

/** The filters set, as the query takes them (a filter left undefined is not sent). */
function queryOf(filter: ScreenFilter): ScreenQuery {
  return Object.fromEntries(Object.entries(filter).filter((entry) => entry[1] !== undefined));
}

export type ScreenConnection = NonNullable<ScreenQuery['connection']>;
/** The fleet's counts from server-side aggregates (GET /v1/screens/summary). */
export type ScreenSummary = Reply<'/v1/screens/summary', 'get'>;
export type ScreenActivity = Reply<'/v1/screens/{id}/activity', 'get'>;
export type ScreenTap = Reply<'/v1/screens/{id}/taps', 'get'>['items'][number];
export type ScreenChanges = RequestBody<'/v1/screens/{id}', 'patch'>;
export type NewScreen = RequestBody<'/v1/screens', 'post'>;
export type MemberChanges = RequestBody<'/v1/screen-groups/{id}/member-changes', 'post'>;
/** A group as a create or a rename hands it back. */
type GroupReply = { id: number; name: string };
export type ReprovisionAction = 'replace' | 'reinstate';

/** Places the location filters ask for at once (the server's largest answer). */
export const PLACES_MAX = 1_000;

export const screenKeys = {
  all: ['screens'] as const,
  list: (filter: ScreenFilter) => [...screenKeys.all, 'list', filter] as const,
  groupMembers: (groupId: number) => [...screenKeys.all, 'group-members', groupId] as const,
  search: (search: string) => [...screenKeys.all, 'search', search] as const,
  longOfflineNames: () => [...screenKeys.all, 'long-offline-names'] as const,
  summary: () => [...screenKeys.all, 'summary'] as const,
  locations: (city?: string) =>
    [...screenKeys.all, 'locations', ...(city === undefined ? [] : [city])] as const,
  one: (id: number) => [...screenKeys.all, 'one', id] as const,
  activity: (id: number) => [...screenKeys.all, 'activity', id] as const,
  taps: (id: number) => [...screenKeys.all, 'taps', id] as const,
};

function useScreenPages(
  queryKey: readonly unknown[],
  filter: ScreenFilter,
  options: { refetchIntervalMs?: number } = {},
) {
  const token = useToken();
  return useKeysetPages(
    queryKey,
    (after, signal) =>
      replyOf(
        api.GET('/v1/screens', {
          params: { query: { ...queryOf(filter), limit: PAGE_SIZE, after } },
          headers: bearer(token),
          signal,
        }),
      ),
    options,
  );
}

/** Every screen the filter keeps, a page of PAGE_SIZE at a time ("load more" to the last one). */
export function useScreenListPages(filter: ScreenFilter, refetchIntervalMs: number) {
  return useScreenPages(screenKeys.list(filter), filter, { refetchIntervalMs });
}

/** A group's screens, a page at a time. */
export function useGroupMemberPages(groupId: number) {
  return useScreenPages(screenKeys.groupMembers(groupId), { groupId });
}

/** The first `limit` screens whose id or name matches what was typed; nothing is asked for ''. */
export function useScreenSearch(search: string, limit: number) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.search(search),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screens', { params: { query: { search, limit } }, headers: bearer(token), signal }),
      ),
    enabled: search !== '',
  });
}

/** The first `limit` screens offline longer than the alert threshold (the alert names them). */
export function useLongOfflineScreens(limit: number, refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.longOfflineNames(),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screens', {
          params: { query: { connection: 'long-offline', limit } },
          headers: bearer(token),
          signal,
        }),
      ),
    refetchInterval: refetchIntervalMs,
  });
}

export function useScreenSummary(refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.summary(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/screens/summary', { headers: bearer(token), signal })),
    refetchInterval: refetchIntervalMs,
  });
}

/**
 * The cities, buildings and elevators screens stand in (the filters' choices), of one city when given:
 * the server's first PLACES_MAX places, with `truncated` when there are more.
 */
export function useScreenLocations(city?: string) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.locations(city),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screens/locations', {
          params: { query: { limit: PLACES_MAX, ...(city === undefined ? {} : { city }) } },
          headers: bearer(token),
          signal,
        }),
      ),
  });
}

export function useScreen(id: number, options: { enabled: boolean; refetchIntervalMs: number }) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.one(id),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/screens/{id}', { params: { path: { id } }, headers: bearer(token), signal })),
    enabled: options.enabled,
    refetchInterval: options.refetchIntervalMs,
  });
}

export function useScreenActivity(id: number, refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: screenKeys.activity(id),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screens/{id}/activity', { params: { path: { id } }, headers: bearer(token), signal }),
      ),
    refetchInterval: refetchIntervalMs,
  });
}

/** A screen's taps, newest first, one page of the server's `nextBefore` cursor at a time. */
export function useScreenTaps(id: number) {
  const token = useToken();
  const pages = useInfiniteQuery({
    queryKey: screenKeys.taps(id),
    queryFn: ({ pageParam, signal }) =>
      replyOf(
        api.GET('/v1/screens/{id}/taps', {
          params: {
            path: { id },
            query: { limit: PAGE_SIZE, ...(pageParam === undefined ? {} : { before: pageParam }) },
          },
          headers: bearer(token),
          signal,
        }),
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  return pagesOf(pages);
}

type Callbacks<R> = { onSuccess?: (reply: R) => void; onError?: (error: Error) => void };

/** A new screen and its first enrolment code; the screens are read again. */
export function useProvisionScreen(options: Callbacks<{ screen: Screen; code: EnrolmentCode }>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewScreen) => {
      const screen = await replyOf(api.POST('/v1/screens', { body, headers: bearer(token) }));
      const code = await replyOf(
        api.POST('/v1/screens/{id}/enrolment-codes', {
          params: { path: { id: screen.id } },
          headers: bearer(token),
        }),
      );
      return { screen, code };
    },
    onSuccess: (reply) => {
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(reply);
    },
    onError: (error) => options.onError?.(error),
  });
}

/** A new one-time enrolment code for a pending screen. */
export function useNewEnrolmentCode(options: Callbacks<{ screen: Screen; code: EnrolmentCode }>) {
  const token = useToken();
  return useMutation({
    mutationFn: async (screen: Screen) => {
      const code = await replyOf(
        api.POST('/v1/screens/{id}/enrolment-codes', {
          params: { path: { id: screen.id } },
          headers: bearer(token),
        }),
      );
      return { screen, code };
    },
    onSuccess: (reply) => options.onSuccess?.(reply),
    onError: (error) => options.onError?.(error),
  });
}

export function useRevokeScreen(options: Callbacks<Screen>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (screen: Screen) =>
      replyOf(
        api.POST('/v1/screens/{id}/revoke', { params: { path: { id: screen.id } }, headers: bearer(token) }),
      ),
    onSuccess: (screen) => {
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(screen);
    },
    onError: (error) => options.onError?.(error),
  });
}

/**
 * Replace (a new screen at the same place) or reinstate (the same screen enrols again): both hand back
 * a one-time enrolment code; the old key stays revoked either way.
 */
export function useReprovisionScreen(options: Callbacks<Reply<'/v1/screens/{id}/replace', 'post', 201>>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ screen, action }: { screen: Screen; action: ReprovisionAction }) => {
      const init = { params: { path: { id: screen.id } }, headers: bearer(token) };
      return replyOf(
        action === 'replace'
          ? api.POST('/v1/screens/{id}/replace', init)
          : api.POST('/v1/screens/{id}/reinstate', init),
      );
    },
    onSuccess: (reply) => {
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(reply);
    },
    onError: (error) => options.onError?.(error),
  });
}

/** Renames or moves a screen: only the fields changed are sent. */
export function useEditScreen(id: number, options: Callbacks<Screen>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ScreenChanges) =>
      replyOf(api.PATCH('/v1/screens/{id}', { params: { path: { id } }, body, headers: bearer(token) })),
    onSuccess: (screen) => {
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(screen);
    },
    onError: (error) => options.onError?.(error),
  });
}

export function useCreateScreenGroup(options: Callbacks<GroupReply>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      replyOf(api.POST('/v1/screen-groups', { body: { name }, headers: bearer(token) })),
    onSuccess: (group) => {
      void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      options.onSuccess?.(group);
    },
    onError: (error) => options.onError?.(error),
  });
}

export function useRenameScreenGroup(id: number, options: Callbacks<GroupReply>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      replyOf(
        api.PATCH('/v1/screen-groups/{id}', {
          params: { path: { id } },
          body: { name },
          headers: bearer(token),
        }),
      ),
    onSuccess: (group) => {
      void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      options.onSuccess?.(group);
    },
    onError: (error) => options.onError?.(error),
  });
}

/** Deletes a group (204, no body); its screens leave it, so screens are read again too. */
export function useDeleteScreenGroup(id: number, options: Callbacks<void>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.DELETE('/v1/screen-groups/{id}', { params: { path: { id } }, headers: bearer(token) });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.();
    },
    onError: (error) => options.onError?.(error),
  });
}

/** Adds screens to a group and takes others out of it, in one change. */
export function useChangeGroupMembers(id: number, options: Callbacks<{ screens: number }>) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: MemberChanges) =>
      replyOf(
        api.POST('/v1/screen-groups/{id}/member-changes', {
          params: { path: { id } },
          body,
          headers: bearer(token),
        }),
      ),
    onSuccess: (reply) => {
      void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      options.onSuccess?.(reply);
    },
    onError: (error) => options.onError?.(error),
  });
}
