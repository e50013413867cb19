// SUN sticker tag batches (docs/protocol.md §9): import one (its name, its batch key and the UIDs pasted
// or from a CSV file), first as a dry run that lists the rows the API refuses, and the batches in pages.
import {
  Alert,
  Button,
  Card,
  FileInput,
  Group,
  PasswordInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useImportTagBatch, useTagBatchPages, type TagImport } from '../../api/hooks/tags.ts';
import { Empty, ErrorAlert, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { formatDateTime } from '../../lib/format.ts';

/** The API's bound on a CSV import (cloud TAG_IMPORT_CSV_BYTES_MAX, in characters): a larger file is not sent. */
const CSV_CHARS_MAX = 60_000;
const BATCH_KEY_HEX = /^[0-9a-fA-F]{32}$/;

function DryRunResult({ result }: { result: TagImport }) {
  const { t } = useTranslation();
  if (result.errorCount === 0)
    return (
      <Alert color="teal" data-testid="dry-run-result">
        {t('stickers.dryRunClean', { count: result.tags })}
      </Alert>
    );
  return (
    <Alert color="red" data-testid="dry-run-result">
      <Stack gap="xs">
        <Text size="sm">{t('stickers.dryRunErrors', { errors: result.errorCount, count: result.tags })}</Text>
        <Table verticalSpacing={4} fz="sm" aria-label={t('stickers.dryRun')}>
          <Table.Tbody>
            {result.errors.map((error) => (
              <Table.Tr key={`${error.row}-${error.uid}`} data-testid={`row-error-${error.row}`}>
                <Table.Td w={70}>
                  {t('stickers.row')} {error.row}
                </Table.Td>
                <Table.Td w={180} ff="monospace">
                  {error.uid}
                </Table.Td>
                <Table.Td>{t(`errors.${error.code}`)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Alert>
  );
}

function ImportForm() {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [masterKey, setMasterKey] = useState('');
  const [uidText, setUidText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState<TagImport | null>(null);
  const importBatch = useImportTagBatch({
    onSuccess: (reply) => {
      if (reply.dryRun) {
        setDryRun(reply);
        return;
      }
      notifySuccess(t('stickers.imported', { id: reply.batch?.id ?? 0, count: reply.tags }));
      setDryRun(null);
      setName('');
      setMasterKey('');
      setUidText('');
      setFile(null);
    },
  });
  const send = async (asDryRun: boolean) => {
    setProblem(null);
    setDryRun(null);
    importBatch.reset();
    if (!BATCH_KEY_HEX.test(masterKey) || /^0+$/.test(masterKey)) {
      setProblem(t('stickers.masterKeyInvalid'));
      return;
    }
    const uids = uidText
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    if (file === null && uids.length === 0) {
      setProblem(t('stickers.noRows'));
      return;
    }
    const csv = file === null ? null : await file.text();
    if (csv !== null && csv.length > CSV_CHARS_MAX) {
      setProblem(t('fieldErrors.TOO_LONG', { maximum: CSV_CHARS_MAX }));
      return;
    }
    const rows = csv === null ? { uids } : { csv };
    importBatch.mutate({ name: name.trim(), masterKey, dryRun: asDryRun, ...rows });
  };
  return (
    <Card withBorder radius="md">
      <Title order={4} mb="sm">
        {t('stickers.importTitle')}
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send(false);
        }}
      >
        <Stack>
          <TextInput
            label={t('stickers.name')}
            required
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          <PasswordInput
            label={t('stickers.masterKey')}
            description={t('stickers.masterKeyHelp')}
            required
            autoComplete="off"
            value={masterKey}
            onChange={(event) => setMasterKey(event.currentTarget.value.trim())}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <Textarea
            label={t('stickers.uids')}
            description={t('stickers.uidsHelp')}
            autosize
            minRows={3}
            maxRows={12}
            disabled={file !== null}
            value={uidText}
            onChange={(event) => setUidText(event.currentTarget.value)}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <FileInput
            label={t('stickers.csvFile')}
            description={t('stickers.csvHelp')}
            accept=".csv,text/csv,text/plain"
            clearable
            value={file}
            onChange={setFile}
          />
          {file === null ? null : (
            <Text size="sm" c="dimmed">
              {t('stickers.csvChosen', { name: file.name })}
            </Text>
          )}
          {problem === null ? null : <Alert color="red">{problem}</Alert>}
          {importBatch.error === null ? null : <ErrorAlert error={importBatch.error} />}
          {dryRun === null ? null : <DryRunResult result={dryRun} />}
          <Group justify="flex-end">
            <Button variant="default" loading={importBatch.isPending} onClick={() => void send(true)}>
              {t('stickers.dryRun')}
            </Button>
            <Button type="submit" loading={importBatch.isPending}>
              {t('stickers.import')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function TagBatchesPage() {
  const { t, i18n } = useTranslation();
  const batches = useTagBatchPages();
  return (
    <Stack>
      <Title order={2}>{t('stickers.batchesTitle')}</Title>
      <ImportForm />
      <QueryState
        query={batches.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('stickers.noBatches')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={560}>
              <Table layout="fixed" verticalSpacing="sm" aria-label={t('stickers.batchesTitle')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={80}>#</Table.Th>
                    <Table.Th>{t('stickers.name')}</Table.Th>
                    <Table.Th w={100}>{t('stickers.tags')}</Table.Th>
                    <Table.Th w={100}>{t('stickers.boundTags')}</Table.Th>
                    <Table.Th w={200}>{t('stickers.created')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {batches.items.map((batch) => (
                    <Table.Tr key={batch.id} data-testid={`batch-${batch.id}`}>
                      <Table.Td>{batch.id}</Table.Td>
                      <Table.Td>
                        <Text size="sm" truncate="end" title={batch.name}>
                          {batch.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>{batch.tags}</Table.Td>
                      <Table.Td>{batch.boundTags}</Table.Td>
                      <Table.Td>{formatDateTime(batch.createdAt, i18n.language)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={batches} />
          </Card>
        )}
      </QueryState>
    </Stack>
  );
}
