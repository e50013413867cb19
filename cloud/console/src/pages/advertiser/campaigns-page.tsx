// The advertiser's campaigns, with funding and the lifecycle (submit, activate, pause, resume, end).
import { Button, Group, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCampaignPages } from '../../api/hooks/campaigns.ts';
import { CampaignTable } from '../../components/campaign-table.tsx';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';

export function CampaignsPage() {
  const { t } = useTranslation();
  const campaigns = useCampaignPages();
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
        query={campaigns.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('campaigns.emptyBody')}</Empty>}
      >
        {() => (
          <Stack>
            <CampaignTable campaigns={campaigns.items} />
            <LoadMore list={campaigns} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
