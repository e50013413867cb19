// Revoking a lost or cloned phone through the typed client, as an operator: the revocation (every
// credential of the wallet) and the fleet's progress on it (configs published, kiosks that confirmed).
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { Reply } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';

export type PhoneRevocation = Reply<'/v1/wallets/{id}/credentials/{serial}/revoke', 'post'>;
export type ScreenConfigProgress = Reply<'/v1/screen-configs/progress', 'get'>;

export const phoneKeys = {
  all: ['phones'] as const,
  progress: (generation: number, revocation: number) =>
    [...phoneKeys.all, 'progress', generation, revocation] as const,
};

export function useRevokePhone(options: { onSuccess?: (outcome: PhoneRevocation) => void } = {}) {
  const token = useToken();
  return useMutation({
    mutationFn: ({ walletId, serial }: { walletId: number; serial: number }) =>
      replyOf(
        api.POST('/v1/wallets/{id}/credentials/{serial}/revoke', {
          params: { path: { id: walletId, serial } },
          headers: bearer(token),
        }),
      ),
    onSuccess: (outcome) => options.onSuccess?.(outcome),
  });
}

/** How far the fleet is with one revocation, asked again every `refetchIntervalMs` (none when false). */
export function useRevocationProgress(
  generation: number,
  revocation: number,
  refetchIntervalMs: number | false,
) {
  const token = useToken();
  return useQuery({
    queryKey: phoneKeys.progress(generation, revocation),
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screen-configs/progress', {
          // A revocation number is at least 1; a reply without one (nothing numbered) asks for configs only.
          params: { query: revocation >= 1 ? { generation, revocation } : { generation } },
          headers: bearer(token),
          signal,
        }),
      ),
    refetchInterval: refetchIntervalMs,
  });
}
