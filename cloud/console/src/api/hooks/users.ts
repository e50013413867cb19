// Console users (operators and advertisers' staff) through the typed client. Keys start with 'users'.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { ConsoleUser, RequestBody } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';

export type UserPageQuery = { limit: number; after: number };
export type NewUser = RequestBody<'/v1/users', 'post'>;

export const userKeys = {
  all: ['users'] as const,
  page: (query: UserPageQuery) => [...userKeys.all, 'page', query] as const,
};

/** One keyset page of users; the previous page stays on screen while the next one loads. */
export function useUserPage(query: UserPageQuery) {
  const token = useToken();
  return useQuery({
    queryKey: userKeys.page(query),
    queryFn: ({ signal }) =>
      replyOf(api.GET('/v1/users', { params: { query }, headers: bearer(token), signal })),
    placeholderData: keepPreviousData,
  });
}

type Done = { onSuccess: (user: ConsoleUser) => void };

export function useCreateUser(options: Done) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewUser) => replyOf(api.POST('/v1/users', { body, headers: bearer(token) })),
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      options.onSuccess(user);
    },
  });
}

export function useResetPassword(options: Done) {
  const token = useToken();
  return useMutation({
    mutationFn: (input: { id: number; password: string }) =>
      replyOf(
        api.POST('/v1/users/{id}/password', {
          params: { path: { id: input.id } },
          body: { password: input.password },
          headers: bearer(token),
        }),
      ),
    onSuccess: options.onSuccess,
  });
}

/** Disables an enabled user, enables a disabled one. */
export function useToggleUser(options: Done) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (user: ConsoleUser) => {
      const init = { params: { path: { id: user.id } }, headers: bearer(token) };
      return replyOf(
        user.disabledAt === null
          ? api.POST('/v1/users/{id}/disable', init)
          : api.POST('/v1/users/{id}/enable', init),
      );
    },
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      options.onSuccess(user);
    },
  });
}
