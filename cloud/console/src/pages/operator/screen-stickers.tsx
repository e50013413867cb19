// The SUN stickers bound to a screen (docs/protocol.md §9): their pages in UID order, binding one by its
// UID (typed or scanned) and unbinding one.
import { Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useBindTag, useScreenTagPages, useUnbindTag } from '../../api/hooks/tags.ts';
import { notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { QrScan } from '../../components/qr-scan.tsx';
import { errorCode } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/format.ts';
import { tagUidOf } from '../../lib/tag-uid.ts';

export function ScreenStickers({ screenId, count }: { screenId: number; count: number }) {
  const { t, i18n } = useTranslation();
  const tags = useScreenTagPages(screenId);
  const [uidText, setUidText] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [bindRefusal, setBindRefusal] = useState<string | null>(null);
  const bind = useBindTag({
    onSuccess: (tag) => {
      notifySuccess(t('stickers.bound', { uid: tag.uid }));
      setUidText('');
    },
    // The route's refusals, said for a sticker: no such tag imported, or a revoked screen.
    onError: (error) => {
      const code = errorCode(error);
      if (code === 'NOT_FOUND') setBindRefusal(t('stickers.unknownTag'));
      else if (code === 'CONFLICT') setBindRefusal(t('stickers.screenRevoked'));
      else notifyError(error);
    },
  });
  const unbind = useUnbindTag({
    onSuccess: (tag) => notifySuccess(t('stickers.unbound', { uid: tag.uid })),
    onError: notifyError,
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const uid = tagUidOf(uidText);
    setInvalid(uid === null);
    setBindRefusal(null);
    if (uid !== null) bind.mutate({ uid, screenId });
  };
  return (
    <Card withBorder radius="md" data-testid="screen-stickers">
      <Group justify="space-between" mb={4}>
        <Title order={4}>{t('stickers.title')}</Title>
        <Text size="sm" c="dimmed" data-testid="sticker-count">
          {count}
        </Text>
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {t('stickers.help')}
      </Text>
      <form onSubmit={submit}>
        <Group align="start" wrap="wrap">
          <TextInput
            label={t('stickers.uid')}
            placeholder={t('stickers.uidPlaceholder')}
            value={uidText}
            onChange={(event) => setUidText(event.currentTarget.value)}
            error={invalid ? t('stickers.uidInvalid') : (bindRefusal ?? undefined)}
            maxLength={400}
            ff="monospace"
            style={{ flex: 1, minWidth: 200 }}
          />
          <Stack gap={0} pt={25}>
            <Group gap="xs">
              <Button type="submit" loading={bind.isPending}>
                {t('stickers.bind')}
              </Button>
              <Button variant="default" onClick={() => setScanning(true)}>
                {t('stickers.scan')}
              </Button>
            </Group>
          </Stack>
        </Group>
      </form>
      {scanning ? (
        <Stack mt="sm" maw={420}>
          <QrScan
            onCode={(code) => {
              setScanning(false);
              setUidText(tagUidOf(code) ?? code);
              setInvalid(tagUidOf(code) === null);
            }}
            onClose={() => setScanning(false)}
          />
        </Stack>
      ) : null}
      <QueryState
        query={tags.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={
          <Text size="sm" c="dimmed" mt="sm">
            {t('stickers.none')}
          </Text>
        }
      >
        {() => (
          <>
            <Table.ScrollContainer minWidth={560} mt="sm">
              <Table layout="fixed" verticalSpacing={6} fz="sm" aria-label={t('stickers.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('stickers.uid')}</Table.Th>
                    <Table.Th w={90}>{t('stickers.batch')}</Table.Th>
                    <Table.Th w={190}>{t('stickers.lastRead')}</Table.Th>
                    <Table.Th w={110} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tags.items.map((tag) => (
                    <Table.Tr key={tag.uid} data-testid={`sticker-${tag.uid}`}>
                      <Table.Td ff="monospace">{tag.uid}</Table.Td>
                      <Table.Td>#{tag.batchId}</Table.Td>
                      <Table.Td>
                        {tag.lastReadAt === null
                          ? t('stickers.neverRead')
                          : `${formatDateTime(tag.lastReadAt, i18n.language)} · ${tag.lastCounter ?? ''}`}
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          loading={unbind.isPending && unbind.variables === tag.uid}
                          onClick={() => unbind.mutate(tag.uid)}
                        >
                          {t('stickers.unbind')}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={tags} total={count} />
          </>
        )}
      </QueryState>
    </Card>
  );
}
