// Signing in to the console through the typed client. The cloud answers with the session and sets
// its HttpOnly cookie; nothing is cached, so there are no query keys.
import { useMutation } from '@tanstack/react-query';
import { api, replyOf } from '../client.ts';
import type { Reply, RequestBody } from '../types.ts';

export type Credentials = RequestBody<'/v1/auth/login', 'post'>;
export type LoginReply = Reply<'/v1/auth/login', 'post'>;

export function useLogin(options: { onSuccess: (reply: LoginReply, credentials: Credentials) => void }) {
  return useMutation({
    mutationFn: (body: Credentials) => replyOf(api.POST('/v1/auth/login', { body })),
    onSuccess: options.onSuccess,
  });
}
