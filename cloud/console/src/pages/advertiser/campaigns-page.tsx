// The advertiser's campaigns, with funding and the lifecycle (submit, activate, pause, resume, end).
import { Button, Group, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiJson } from '../../api/client.ts';
import type { Campaign, Page } from '../../api/types.ts';
import { CampaignTable } from '../../components/campaign-table.tsx';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';

export function CampaignsPage() {
  const { t } = useTranslation();
  const token = useToken();
  const campaigns = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => apiJson<Page<Campaign>>('/v1/campaigns', { token, query: { limit: 100 } }),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('campaigns.title')}</Title>
        <Group>
          <Button component={Link} to="/reports" variant="default">
            {t('campaigns.report')}
          </Button>
          <Button component={Link} to="/advertiser/campaigns/new">
            {t('campaigns.new')}
          </Button>
        </Group>
      </Group>
      <QueryState
        query={campaigns}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty>{t('campaigns.emptyBody')}</Empty>}
      >
        {(page) => <CampaignTable campaigns={page.items} />}
      </QueryState>
    </Stack>
  );
}
