// Screen-group reads through the typed client. Keys start with 'screen-groups'.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export type ScreenGroupListQuery = { limit?: number; after?: number };

export const screenGroupKeys = {
  all: ['screen-groups'] as const,
  list: (query: ScreenGroupListQuery) => [...screenGroupKeys.all, 'list', query] as const,
};

export function useScreenGroups(query: ScreenGroupListQuery = { limit: 100 }) {
  const token = useToken();
  return useQuery({
    queryKey: screenGroupKeys.list(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/screen-groups', { params: { query }, headers: bearer(token), signal })),
  });
}
