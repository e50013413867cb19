// Importing screens from a CSV file: pick the file, run a dry run (the server judges every row and
// writes nothing; its problems are shown a page at a time), then import it all or nothing. The screens
// are created pending; their enrolment codes are issued and printed on the sheet page.
import { Alert, Badge, Button, FileInput, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  IMPORT_BYTES_MAX,
  IMPORT_ERRORS_PAGE,
  useImportScreens,
  type ScreenImport,
} from '../../api/hooks/bulk-screens.ts';
import { ErrorAlert } from '../../components/feedback.tsx';
import { formatCount } from '../../lib/format.ts';

function DryRunSummary({ result }: { result: ScreenImport }) {
  const { t, i18n } = useTranslation();
  const count = (value: number) => formatCount(value, i18n.language);
  return (
    <Alert color={result.errorCount === 0 ? 'teal' : 'red'} data-testid="import-summary">
      <Stack gap={6}>
        <Text size="sm">
          {result.errorCount === 0
            ? t('bulk.dryRunClean', { count: count(result.valid) })
            : t('bulk.dryRunErrors', {
                rows: count(result.rows),
                valid: count(result.valid),
                invalid: count(result.invalidRows),
              })}
        </Text>
        {result.errorCount === 0 ? null : (
          <Group gap={6}>
            {Object.entries(result.errorCodes).map(([code, n]) => (
              <Badge key={code} color="red" variant="light" tt="none">
                {t(`bulk.rowCodes.${code}`, { defaultValue: code })}: {count(n)}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

function RowErrors(props: {
  result: ScreenImport;
  offset: number;
  loading: boolean;
  onPage: (offset: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const { result, offset } = props;
  if (result.errors.length === 0) return null;
  const last = offset + result.errors.length;
  return (
    <Stack gap="xs">
      <Table verticalSpacing={4} fz="sm" aria-label={t('bulk.problems')} data-testid="import-errors">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={70}>{t('bulk.row')}</Table.Th>
            <Table.Th w={110}>{t('bulk.column')}</Table.Th>
            <Table.Th>{t('bulk.problem')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.errors.map((error, index) => (
            <Table.Tr key={`${String(error.row)}-${String(index)}`} data-testid={`import-error-${error.row}`}>
              <Table.Td>{error.row}</Table.Td>
              <Table.Td>{error.column === null ? '—' : t(`bulk.columns.${error.column}`)}</Table.Td>
              <Table.Td>
                <Text size="sm">{t(`bulk.rowCodes.${error.code}`, { defaultValue: error.code })}</Text>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                  {error.message}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('bulk.problemsShown', {
            from: formatCount(offset + 1, i18n.language),
            to: formatCount(last, i18n.language),
            total: formatCount(result.errorCount, i18n.language),
          })}
        </Text>
        <Group gap="xs">
          <Button
            size="compact-sm"
            variant="default"
            disabled={offset === 0}
            loading={props.loading}
            onClick={() => props.onPage(Math.max(0, offset - IMPORT_ERRORS_PAGE))}
          >
            {t('bulk.previous')}
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            disabled={result.nextErrorsOffset === null}
            loading={props.loading}
            onClick={() => result.nextErrorsOffset !== null && props.onPage(result.nextErrorsOffset)}
          >
            {t('bulk.next')}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

export function ImportScreensModal(props: { opened: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState<ScreenImport | null>(null);
  const [offset, setOffset] = useState(0);
  const [imported, setImported] = useState<ScreenImport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const run = useImportScreens({
    onSuccess: (reply) => {
      if (reply.dryRun) setDryRun(reply);
      else {
        setImported(reply);
        setDryRun(null);
      }
    },
  });
  const send = (asDryRun: boolean, errorsOffset: number) => {
    setProblem(null);
    if (file === null) return;
    if (file.size > IMPORT_BYTES_MAX) {
      setProblem(t('errors.SCREEN_IMPORT_TOO_LARGE'));
      return;
    }
    setOffset(errorsOffset);
    run.mutate({ file, dryRun: asDryRun, errorsOffset });
  };
  const close = () => {
    setFile(null);
    setDryRun(null);
    setImported(null);
    setOffset(0);
    run.reset();
    props.onClose();
  };
  return (
    <Modal opened={props.opened} onClose={close} title={t('bulk.importTitle')} size="xl" centered>
      <Stack>
        {imported === null ? (
          <>
            <Text size="sm" c="dimmed">
              {t('bulk.importHelp')}
            </Text>
            <FileInput
              label={t('bulk.file')}
              accept=".csv,text/csv"
              value={file}
              onChange={(chosen) => {
                setFile(chosen);
                setDryRun(null);
                run.reset();
              }}
              clearable
              data-testid="import-file"
            />
            {problem === null ? null : <Alert color="red">{problem}</Alert>}
            {run.error === null ? null : <ErrorAlert error={run.error} />}
            {dryRun === null ? null : (
              <>
                <DryRunSummary result={dryRun} />
                <RowErrors
                  result={dryRun}
                  offset={offset}
                  loading={run.isPending}
                  onPage={(next) => send(true, next)}
                />
              </>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button
                variant="light"
                disabled={file === null}
                loading={run.isPending && run.variables.dryRun}
                onClick={() => send(true, 0)}
              >
                {t('bulk.dryRun')}
              </Button>
              <Button
                disabled={file === null || dryRun === null || dryRun.errorCount > 0 || dryRun.valid === 0}
                loading={run.isPending && !run.variables.dryRun}
                onClick={() => send(false, 0)}
              >
                {dryRun === null
                  ? t('bulk.import')
                  : t('bulk.importCount', { count: formatCount(dryRun.valid, i18n.language) })}
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Alert color="teal" data-testid="import-done">
              {t('bulk.imported', {
                count: formatCount(imported.valid, i18n.language),
                id: imported.importId ?? 0,
              })}
            </Alert>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.close')}
              </Button>
              <Button
                component={Link}
                to={`/operator/screens/enrolment-sheet?importId=${String(imported.importId ?? 0)}`}
              >
                {t('bulk.printCodes')}
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
