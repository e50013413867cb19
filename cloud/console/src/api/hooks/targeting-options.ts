// What a campaign may target (cities, buildings, screen groups), through the typed client.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';

export const targetingOptionKeys = {
  all: ['targeting-options'] as const,
};

export function useTargetingOptions() {
  const token = useToken();
  return useQuery({
    queryKey: targetingOptionKeys.all,
    queryFn: ({ signal }) => replyOf(api.GET('/v1/targeting-options', { headers: bearer(token), signal })),
  });
}
