// Taps held for review and the decisions made on them, through the typed client. Keys start with 'holds'.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export type HoldListQuery = { limit?: number; after?: number };

export const holdKeys = {
  all: ['holds'] as const,
  list: (query: HoldListQuery) => [...holdKeys.all, 'list', query] as const,
  decisions: () => [...holdKeys.all, 'decisions'] as const,
};

export function useHeldTaps(query: HoldListQuery = { limit: 100 }) {
  const token = useToken();
  return useQuery({
    queryKey: holdKeys.list(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/holds', { params: { query }, headers: bearer(token), signal })),
  });
}

export function useHoldDecisions() {
  const token = useToken();
  return useQuery({
    queryKey: holdKeys.decisions(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/holds/decisions', { headers: bearer(token), signal })),
  });
}
