// The foot of a keyset-paged list: how many rows are shown (of how many, when the total is known) and a
// button that loads the next page until the last row is shown.
import { Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../lib/format.ts';

/** What a paged list (pagesOf in api/hooks/paging.ts) tells its foot. */
export interface PagedList {
  items: readonly unknown[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

export function LoadMore({ list, total }: { list: PagedList; total?: number | undefined }) {
  const { t, i18n } = useTranslation();
  const shown = formatCount(list.items.length, i18n.language);
  const props = { total, hasMore: list.hasMore, loading: list.loadingMore, onLoadMore: list.loadMore };
  return (
    <Group justify="space-between" px="md" py="sm" data-testid="list-foot">
      <Text size="sm" c="dimmed" data-testid="list-shown">
        {props.total === undefined
          ? t('fleet.shown', { shown })
          : t('fleet.shownOf', { shown, total: formatCount(props.total, i18n.language) })}
      </Text>
      {props.hasMore ? (
        <Button variant="light" size="xs" loading={props.loading} onClick={props.onLoadMore}>
          {t('fleet.loadMore')}
        </Button>
      ) : (
        <Text size="sm" c="dimmed" data-testid="list-end">
          {t('fleet.allShown')}
        </Text>
      )}
    </Group>
  );
}
