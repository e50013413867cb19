// The audit log through the typed client, newest first, a keyset page at a time. Keys start with 'audit'.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export type AuditPageQuery = { limit: number; before: number };

export const auditKeys = {
  all: ['audit'] as const,
  page: (query: AuditPageQuery) => [...auditKeys.all, 'page', query] as const,
};

/** One page of the log; the previous page stays on screen while the next one loads. */
export function useAuditPage(query: AuditPageQuery) {
  const token = useToken();
  return useQuery({
    queryKey: auditKeys.page(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/audit', { params: { query }, headers: bearer(token), signal })),
    placeholderData: keepPreviousData,
  });
}
