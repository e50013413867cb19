// Settlement batches and the ledger check, through the typed client. Keys start with 'settlements';
// the ledger check, which a settlement changes, sits under them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { SettlementExport } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';

export const settlementKeys = {
  all: ['settlements'] as const,
  exports: () => [...settlementKeys.all, 'exports'] as const,
  ledgerCheck: () => [...settlementKeys.all, 'ledger-check'] as const,
};

export function useLedgerCheck() {
  const token = useToken();
  return useQuery({
    queryKey: settlementKeys.ledgerCheck(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/ledger/check', { headers: bearer(token), signal })),
  });
}

export function useSettlementExports() {
  const token = useToken();
  return useQuery({
    queryKey: settlementKeys.exports(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/settlements', { headers: bearer(token), signal })),
  });
}

/** Exports the payable withdrawals as a batch: the CSV, with its count and total in the headers. */
export function useSettle(options: {
  onSuccess: (reply: { text: string }) => void;
  onError: (error: Error) => void;
}) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { data, response } = await api.POST('/v1/settlements', {
        headers: bearer(token),
        parseAs: 'text',
      });
      return { text: data ?? '', headers: response.headers };
    },
    onSuccess: (reply) => {
      void queryClient.invalidateQueries({ queryKey: settlementKeys.all });
      options.onSuccess(reply);
    },
    onError: options.onError,
  });
}

/** A stored batch's CSV again: nothing is marked paid or moved again. */
export async function fetchSettlementCsv(token: string | null, item: SettlementExport): Promise<string> {
  const { data } = await api.GET('/v1/settlements/{id}/csv', {
    params: { path: { id: item.id } },
    headers: bearer(token),
    parseAs: 'text',
  });
  return data ?? '';
}

/** The provider's result file for a batch, applied all or nothing. */
export function useImportPayoutResults(
  batch: SettlementExport,
  options: {
    onSuccess: (outcome: { batchId: string; paid: number; failed: number; unchanged: number }) => void;
  },
) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (chosen: File) => {
      // The file's bytes as they are (a byte order mark included): the body is typed as the CSV text,
      // the serializer sends the bytes instead.
      const bytes = new Blob([await chosen.arrayBuffer()], { type: 'text/csv' });
      return replyOf(
        api.POST('/v1/settlements/{id}/results', {
          params: { path: { id: batch.id } },
          body: '',
          bodySerializer: () => bytes,
          headers: { ...bearer(token), 'content-type': 'text/csv' },
        }),
      );
    },
    onSuccess: (outcome) => {
      void queryClient.invalidateQueries({ queryKey: settlementKeys.all });
      options.onSuccess(outcome);
    },
  });
}
