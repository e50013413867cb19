// Report reads through the typed client: the campaign report by day, city or screen, and the coupon
// report. Keys start with 'reports'.
import { useQuery } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import { useToken } from '../../components/session-context.tsx';
import type { paths } from '../schema.d.ts';
import type { CouponReportRow, Report } from '../types.ts';

export type ReportQuery = Omit<NonNullable<paths['/v1/reports']['get']['parameters']['query']>, 'format'>;
export type CouponReportQuery = Omit<
  NonNullable<paths['/v1/reports/coupons']['get']['parameters']['query']>,
  'format'
>;

export const reportKeys = {
  all: ['reports'] as const,
  campaign: (query: ReportQuery) => [...reportKeys.all, 'campaign', query] as const,
  coupons: (query: CouponReportQuery) => [...reportKeys.all, 'coupons', query] as const,
};

// format=json asks for the JSON one of each route's two media types (the other is CSV).

export function useReport(query: ReportQuery) {
  const token = useToken();
  return useQuery({
    queryKey: reportKeys.campaign(query),
    queryFn: async ({ signal }) =>
      (await replyOf(
        api.GET('/v1/reports', {
          params: { query: { ...query, format: 'json' } },
          headers: bearer(token),
          signal,
        }),
      )) as Report,
  });
}

export function useCouponReport(query: CouponReportQuery) {
  const token = useToken();
  return useQuery({
    queryKey: reportKeys.coupons(query),
    queryFn: async ({ signal }) =>
      (await replyOf(
        api.GET('/v1/reports/coupons', {
          params: { query: { ...query, format: 'json' } },
          headers: bearer(token),
          signal,
        }),
      )) as { items: CouponReportRow[] },
  });
}
