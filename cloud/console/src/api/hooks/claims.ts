// Claiming a screen's claim ticket (its QR code or reader tag) with the signed-in wallet, through the typed
// client. A claim pays into the wallet, so its summary and history are read again afterwards.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { walletKeys } from './wallet.ts';

export function useClaimTicket(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ticket: string) =>
      replyOf(api.POST('/v1/wallet/claims', { body: { ticket }, headers: bearer(token) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: walletKeys.all }),
  });
}
