// Campaigns as a table: status, schedule, budget with what the ledger says of it (funded, then spent,
// remaining and returned), and the lifecycle actions.
import { Anchor, Badge, Card, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
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
                  <Anchor
                    component={Link}
                    to={`/advertiser/campaigns/${campaign.id}`}
                    fw={600}
                    size="sm"
                    data-testid="campaign-link"
                  >
                    {campaign.name}
                  </Anchor>
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
                    <CampaignMoneyBar campaign={campaign} />
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

function percentOf(fen: number, budgetFen: number): number {
  return budgetFen === 0 ? 0 : Math.min(100, (fen / budgetFen) * 100);
}

/** Spent, remaining and returned as parts of the budget; together they are what was funded. */
function CampaignMoneyBar({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const { fundedFen, spentFen, remainingFen, returnedFen } = campaign.money;
  return (
    <>
      <Progress.Root size="sm" aria-label={t('approvals.funded')} data-testid="campaign-funded-bar">
        <Tooltip label={`${t('campaigns.money.spent')} ${formatFen(spentFen)}`}>
          <Progress.Section value={percentOf(spentFen, campaign.budgetFen)} color="red" />
        </Tooltip>
        <Tooltip label={`${t('campaigns.money.remaining')} ${formatFen(remainingFen)}`}>
          <Progress.Section value={percentOf(remainingFen, campaign.budgetFen)} color="teal" />
        </Tooltip>
        <Tooltip label={`${t('campaigns.money.returned')} ${formatFen(returnedFen)}`}>
          <Progress.Section value={percentOf(returnedFen, campaign.budgetFen)} color="gray" />
        </Tooltip>
      </Progress.Root>
      <Text size="xs" c="dimmed" data-testid="campaign-funded">
        {t('approvals.funded')} {formatFen(fundedFen)}
      </Text>
      {fundedFen === 0 ? null : (
        <Text size="xs" c="dimmed" data-testid="campaign-money">
          {t('campaigns.money.spent')} {formatFen(spentFen)} · {t('campaigns.money.remaining')}{' '}
          {formatFen(remainingFen)}
          {returnedFen === 0 ? '' : ` · ${t('campaigns.money.returned')} ${formatFen(returnedFen)}`}
        </Text>
      )}
    </>
  );
}
