// Campaigns as a table: status, schedule, budget and how much of it is funded, and the lifecycle actions.
import { Badge, Card, Progress, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Campaign } from '../api/types.ts';
import { formatDateTime, timeZoneLabel } from '../lib/format.ts';
import { formatFen } from '../lib/money.ts';
import { CampaignActions, STATUS_COLOR } from './campaign-actions.tsx';

export function CampaignTable({
  campaigns,
  showAdvertiser,
}: {
  campaigns: Campaign[];
  showAdvertiser?: boolean;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Card withBorder radius="md" p={0}>
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing="sm" aria-label={t('campaigns.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              {showAdvertiser === true ? <Table.Th>{t('approvals.advertiser')}</Table.Th> : null}
              <Table.Th>{t('common.status')}</Table.Th>
              <Table.Th data-testid="schedule-zone">
                {t('approvals.schedule')} ({timeZoneLabel()})
              </Table.Th>
              <Table.Th>{t('campaigns.budget')}</Table.Th>
              <Table.Th>{t('common.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {campaigns.map((campaign) => (
              <Table.Tr key={campaign.id} data-testid={`campaign-row-${campaign.id}`}>
                <Table.Td>
                  <Text fw={600} size="sm">
                    {campaign.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    #{campaign.id} · {campaign.sponsor}
                  </Text>
                </Table.Td>
                {showAdvertiser === true ? <Table.Td>#{campaign.advertiserId}</Table.Td> : null}
                <Table.Td>
                  <Badge color={STATUS_COLOR[campaign.status]} data-testid="campaign-status">
                    {t(`campaigns.status.${campaign.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{formatDateTime(campaign.startsAt, i18n.language)}</Text>
                  <Text size="xs" c="dimmed">
                    → {formatDateTime(campaign.endsAt, i18n.language)}
                  </Text>
                </Table.Td>
                <Table.Td miw={160}>
                  <Stack gap={4}>
                    <Text size="sm" fw={600}>
                      {formatFen(campaign.budgetFen)}
                    </Text>
                    <Progress
                      size="sm"
                      value={
                        campaign.budgetFen === 0
                          ? 0
                          : Math.min(100, (campaign.budgetBalanceFen / campaign.budgetFen) * 100)
                      }
                      aria-label={t('approvals.funded')}
                    />
                    <Text size="xs" c="dimmed">
                      {t('approvals.funded')} {formatFen(campaign.budgetBalanceFen)}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <CampaignActions campaign={campaign} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
