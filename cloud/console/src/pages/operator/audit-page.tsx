// The audit log for operators: money and security actions, newest first, a page at a time.
import { Badge, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAuditPage } from '../../api/hooks/audit.ts';
import type { AuditEntry } from '../../api/types.ts';
import { CursorPager, useCursorStack } from '../../components/cursor-pager.tsx';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { formatDateTime } from '../../lib/format.ts';

const PAGE_SIZE = 50;

function actorOf(entry: AuditEntry, anonymous: string): string {
  if (entry.actorEmail !== null) return entry.actorEmail;
  if (entry.actorRole === null) return anonymous;
  return `${entry.actorRole} ${entry.actorId ?? ''}`.trim();
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  // Keyset pages, newest first.
  const pages = useCursorStack();
  const before = pages.cursor;
  const log = useAuditPage({ limit: PAGE_SIZE, before });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('audit.title')}</Title>
        <Button variant="default" onClick={pages.reset}>
          {t('audit.newest')}
        </Button>
      </Group>
      <Text c="dimmed" size="sm">
        {t('audit.subtitle')}
      </Text>
      <QueryState
        query={log}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty>{t('audit.empty')}</Empty>}
      >
        {(page) => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={860}>
              <Table verticalSpacing="xs" aria-label={t('audit.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={170}>{t('audit.at')}</Table.Th>
                    <Table.Th>{t('audit.actor')}</Table.Th>
                    <Table.Th>{t('audit.action')}</Table.Th>
                    <Table.Th>{t('audit.subject')}</Table.Th>
                    <Table.Th>{t('audit.detail')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((entry) => (
                    <Table.Tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                      <Table.Td>{formatDateTime(entry.at, i18n.language)}</Table.Td>
                      <Table.Td>{actorOf(entry, t('audit.anonymous'))}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={entry.action.endsWith('failed') ? 'red' : 'blue'}>
                          {t(`audit.actions.${entry.action}`, { defaultValue: entry.action })}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{entry.subject ?? '—'}</Table.Td>
                      <Table.Td>
                        {Object.keys(entry.detail).length === 0 ? (
                          '—'
                        ) : (
                          <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                            {JSON.stringify(entry.detail)}
                          </Code>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager
              pages={pages}
              next={page.nextBefore}
              backLabel={t('audit.newer')}
              forwardLabel={t('audit.older')}
            />
          </Card>
        )}
      </QueryState>
    </Stack>
  );
}
