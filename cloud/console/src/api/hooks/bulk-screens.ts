// Bulk provisioning through the typed client: a screen CSV import (dry run first, its problems paged by
// the server's offset), enrolment codes for a page of pending screens at a time (the printed sheet), and
// bulk actions over the screen list's filter with their preview count and progress.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, bearer, replyOf, sendTypedWithin } from '../client.ts';
import type { Reply, RequestBody } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';
import { screenGroupKeys } from './screen-groups.ts';
import { screenKeys } from './screens.ts';

export type ScreenImport = Reply<'/v1/screens/import', 'post'>;
export type ScreenImportRowError = ScreenImport['errors'][number];
export type EnrolmentSheet = Reply<'/v1/screens/enrolment-codes', 'post', 201>;
export type EnrolmentSheetItem = EnrolmentSheet['items'][number];
export type BulkFilter = RequestBody<'/v1/screens/bulk', 'post'>['filter'];
/** A filter as the pages hold it: a value left undefined is not sent. */
export type BulkFilterInput = { [K in keyof BulkFilter]?: BulkFilter[K] | undefined };
export type BulkAction = RequestBody<'/v1/screens/bulk', 'post'>['action'];
export type BulkOutcome = Reply<'/v1/screens/bulk', 'post', 202>;
export type BulkProgress = Reply<'/v1/screens/bulk/progress', 'get'>;

/** Problems one dry-run page shows (the server answers at most 500). */
export const IMPORT_ERRORS_PAGE = 100;
/** The API's bound on an import's bytes (cloud SCREEN_IMPORT_BYTES_MAX): a larger file is not sent. */
export const IMPORT_BYTES_MAX = 16 * 1024 * 1024;
/** An import of 100,000 rows takes its time (docs/scaling.md): waited for longer than other calls. */
const IMPORT_TIMEOUT_MS = 120_000;
/** Codes one sheet holds (the API's largest page is 500). */
export const SHEET_PAGE = 100;

/** The filter without the values left unset (they are not sent). */
export function bulkFilterOf(filter: BulkFilterInput): BulkFilter {
  return Object.fromEntries(Object.entries(filter).filter((entry) => entry[1] !== undefined));
}

/** Sends the file as it is (text/csv); a dry run judges it, else it is imported all or nothing. */
export function useImportScreens(options: { onSuccess?: (reply: ScreenImport) => void } = {}) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, dryRun, errorsOffset }: { file: File; dryRun: boolean; errorsOffset: number }) =>
      replyOf(
        api.POST('/v1/screens/import', {
          params: {
            query: { dryRun: dryRun ? 'true' : 'false', errorsOffset, errorsLimit: IMPORT_ERRORS_PAGE },
          },
          body: file,
          bodySerializer: (body) => body,
          headers: { ...bearer(token), 'content-type': 'text/csv' },
          fetch: sendTypedWithin(IMPORT_TIMEOUT_MS),
        }),
      ),
    onSuccess: (reply) => {
      if (!reply.dryRun) {
        void queryClient.invalidateQueries({ queryKey: screenKeys.all });
        void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      }
      options.onSuccess?.(reply);
    },
  });
}

/** New codes for the next page of pending screens the filter selects: each call issues, never on render. */
export function useIssueEnrolmentSheet(options: { onSuccess?: (sheet: EnrolmentSheet) => void } = {}) {
  const token = useToken();
  return useMutation({
    mutationFn: ({ filter, after }: { filter: BulkFilterInput; after: number }) =>
      replyOf(
        api.POST('/v1/screens/enrolment-codes', {
          body: { filter: bulkFilterOf(filter), after, limit: SHEET_PAGE },
          headers: bearer(token),
        }),
      ),
    onSuccess: (sheet) => options.onSuccess?.(sheet),
  });
}

/** How many screens the filter selects and how many of them the action would change. */
export function useBulkPreview(filter: BulkFilterInput, action: BulkAction | null) {
  const token = useToken();
  return useQuery({
    queryKey: [...screenKeys.all, 'bulk-preview', filter, action],
    queryFn: ({ signal }) =>
      replyOf(
        api.POST('/v1/screens/bulk/preview', {
          body: { filter: bulkFilterOf(filter), action: action as BulkAction },
          headers: bearer(token),
          signal,
        }),
      ),
    enabled: action !== null,
  });
}

export function useBulkAction(options: { onSuccess?: (outcome: BulkOutcome) => void } = {}) {
  const token = useToken();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: BulkFilterInput; action: BulkAction; expectedScreens: number }) =>
      replyOf(
        api.POST('/v1/screens/bulk', {
          body: { ...body, filter: bulkFilterOf(body.filter) },
          headers: bearer(token),
        }),
      ),
    onSuccess: (outcome) => {
      void queryClient.invalidateQueries({ queryKey: screenKeys.all });
      void queryClient.invalidateQueries({ queryKey: screenGroupKeys.all });
      options.onSuccess?.(outcome);
    },
    // A selection that changed meanwhile: the preview counts again, for the operator to confirm anew.
    onError: () => void queryClient.invalidateQueries({ queryKey: screenKeys.all }),
  });
}

/** The dispatchers' progress on a bulk change, asked again every `refetchIntervalMs` while wanted. */
export function useBulkProgress(generation: number | null, enabled: boolean, refetchIntervalMs: number) {
  const token = useToken();
  return useQuery({
    queryKey: [...screenKeys.all, 'bulk-progress', generation],
    queryFn: ({ signal }) =>
      replyOf(
        api.GET('/v1/screens/bulk/progress', {
          params: { query: generation === null || generation === 0 ? {} : { generation } },
          headers: bearer(token),
          signal,
        }),
      ),
    enabled,
    refetchInterval: refetchIntervalMs,
  });
}
