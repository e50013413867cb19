// The printable enrolment sheet: codes for a page of the pending screens an import created (or the
// screen list's filter selects), each with the screen's name and place, the code and its QR code. Codes
// are issued only when the operator asks (issuing replaces the screens' earlier unused codes) and live in
// this page only: the cloud keeps their hashes. Printing hides the console around the sheet.
import { Alert, Button, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  SHEET_PAGE,
  useIssueEnrolmentSheet,
  type BulkFilterInput,
  type EnrolmentSheet,
} from '../../api/hooks/bulk-screens.ts';
import { ErrorAlert } from '../../components/feedback.tsx';
import { QrCode } from '../../components/qr-code.tsx';
import { formatDateTime } from '../../lib/format.ts';

/** Everything but the sheet is left off the paper. */
const PRINT_STYLE = `@media print {
  .mantine-AppShell-header, .mantine-AppShell-navbar, [data-no-print] { display: none !important; }
  .mantine-AppShell-main { padding: 0 !important; }
  [data-sheet-item] { break-inside: avoid; }
}`;

/**
 * The sheet's filter from the URL: the screens of an import, or the screen list's whole filter in its
 * URL words (a status or connection the server does not know is refused by it, as on the list).
 */
function useSheetFilter(): BulkFilterInput {
  const [params] = useSearchParams();
  const number = (key: string) => {
    const value = params.get(key);
    return value === null ? undefined : Number(value);
  };
  const text = (key: string) => params.get(key) ?? undefined;
  return {
    importId: number('importId'),
    city: text('city'),
    building: text('building'),
    status: text('status') as BulkFilterInput['status'],
    groupId: number('group'),
    search: text('q'),
    connection: text('connection') as BulkFilterInput['connection'],
  };
}

export function EnrolmentSheetPage() {
  const { t, i18n } = useTranslation();
  const filter = useSheetFilter();
  const [sheet, setSheet] = useState<EnrolmentSheet | null>(null);
  const [pageNumber, setPageNumber] = useState(0);
  const issue = useIssueEnrolmentSheet({
    onSuccess: (next) => {
      setSheet(next);
      setPageNumber((n) => n + 1);
    },
  });
  const finished = sheet !== null && sheet.nextAfter === null;
  return (
    <Stack>
      <style>{PRINT_STYLE}</style>
      <Stack data-no-print gap="sm">
        <Title order={2}>{t('bulk.sheetTitle')}</Title>
        <Text size="sm" c="dimmed">
          {filter.importId === undefined
            ? t('bulk.sheetHelpFilter', { count: SHEET_PAGE })
            : t('bulk.sheetHelpImport', { id: filter.importId, count: SHEET_PAGE })}
        </Text>
        {issue.error === null ? null : <ErrorAlert error={issue.error} />}
        <Group>
          {sheet === null ? (
            <Button loading={issue.isPending} onClick={() => issue.mutate({ filter, after: 0 })}>
              {t('bulk.issueCodes', { count: SHEET_PAGE })}
            </Button>
          ) : (
            <>
              <Button onClick={() => window.print()} disabled={sheet.items.length === 0}>
                {t('bulk.print')}
              </Button>
              <Button
                variant="light"
                disabled={finished}
                loading={issue.isPending}
                onClick={() => sheet.nextAfter !== null && issue.mutate({ filter, after: sheet.nextAfter })}
              >
                {t('bulk.nextSheet', { count: SHEET_PAGE })}
              </Button>
            </>
          )}
        </Group>
        {sheet === null ? null : (
          <Alert color={finished ? 'teal' : 'blue'} data-testid="sheet-status">
            {sheet.items.length === 0
              ? t('bulk.sheetEmpty')
              : finished
                ? t('bulk.sheetLast', { page: pageNumber, count: sheet.items.length })
                : t('bulk.sheetPage', { page: pageNumber, count: sheet.items.length })}
          </Alert>
        )}
      </Stack>
      {sheet === null || sheet.items.length === 0 ? null : (
        <SimpleGrid cols={{ base: 2, md: 3 }} spacing="sm" data-testid="enrolment-sheet">
          {sheet.items.map((item) => (
            <Card
              key={item.screenId}
              withBorder
              padding="sm"
              data-sheet-item
              data-testid={`sheet-item-${item.screenId}`}
            >
              <Group wrap="nowrap" align="flex-start" gap="sm">
                <QrCode value={item.code} size={112} label={`${t('screens.codeLabel')} ${item.code}`} />
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Text fw={700} size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {item.name}
                  </Text>
                  <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                    {item.city} · {item.building} · {item.elevator}
                  </Text>
                  <Text size="xs" c="dimmed">
                    #{item.screenId}
                  </Text>
                  <Code fz={18} fw={700} style={{ letterSpacing: '0.15em' }} data-testid="sheet-code">
                    {item.code}
                  </Code>
                  <Text size="xs" c="dimmed">
                    {t('bulk.expires', { time: formatDateTime(item.expiresAt, i18n.language) })}
                  </Text>
                </Stack>
              </Group>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
