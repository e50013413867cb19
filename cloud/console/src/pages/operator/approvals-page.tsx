// The approval queue: submitted campaigns with their creatives, schedule, budget and prize plan; then
// every campaign with its lifecycle actions.
import { Badge, Card, Group, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiJson } from '../../api/client.ts';
import type { Campaign, Page } from '../../api/types.ts';
import { CampaignActions } from '../../components/campaign-actions.tsx';
import { CampaignTable } from '../../components/campaign-table.tsx';
import { CreativePreview } from '../../components/creative-preview.tsx';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';
import { formatDateTime, timeZoneLabel } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

export function planSummary(campaign: Campaign): string {
  const plan = campaign.prizePlan;
  if (plan === undefined) return '—';
  if (plan.kind === 'lucky')
    return `${plan.count} × ${formatFen(plan.minFen)}–${formatFen(plan.maxFen)} = ${formatFen(plan.totalFen)}`;
  return plan.tiers.map((tier) => `${tier.count} × ${formatFen(tier.amountFen)}`).join(' + ');
}

function ReviewCard({ campaign }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation();
  const creatives = campaign.creatives ?? [];
  return (
    <Card withBorder radius="md" data-testid={`review-${campaign.id}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="start">
          <div>
            <Text fw={700}>{campaign.name}</Text>
            <Text size="sm" c="dimmed">
              {campaign.sponsor} · {t('approvals.advertiser')} #{campaign.advertiserId}
            </Text>
          </div>
          <Badge color="yellow">{t('campaigns.status.submitted')}</Badge>
        </Group>
        <ScrollArea type="auto" offsetScrollbars>
          <Group gap="xs" wrap="nowrap">
            {creatives.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('approvals.noCreatives')}
              </Text>
            ) : (
              creatives.map((creative) => (
                <CreativePreview
                  key={creative.sha256}
                  sha256={creative.sha256}
                  width={96}
                  label={`${t('approvals.creatives')} ${creative.sha256.slice(0, 8)}`}
                />
              ))
            )}
          </Group>
        </ScrollArea>
        <SimpleGrid cols={2} spacing="xs">
          <Text size="xs" c="dimmed">
            {t('approvals.schedule')}
          </Text>
          <Text size="xs">
            {formatDateTime(campaign.startsAt, i18n.language)} →{' '}
            {formatDateTime(campaign.endsAt, i18n.language)} ({timeZoneLabel()})
          </Text>
          <Text size="xs" c="dimmed">
            {t('approvals.budget')}
          </Text>
          <Text size="xs">
            {formatFen(campaign.budgetFen)} ({t('approvals.funded')} {formatFen(campaign.budgetBalanceFen)})
          </Text>
          <Text size="xs" c="dimmed">
            {t('approvals.prizePlan')}
          </Text>
          <Text size="xs">{planSummary(campaign)}</Text>
          {campaign.rules === undefined ? null : (
            <>
              <Text size="xs" c="dimmed">
                {t('approvals.rules')}
              </Text>
              <Text size="xs">
                {t('approvals.rulesSummary', {
                  cash: campaign.rules.cashPerWalletPerDay,
                  coupons: campaign.rules.couponsPerWalletPerDay,
                })}
              </Text>
              <Text size="xs" c="dimmed">
                {t('approvals.fallThrough')}
              </Text>
              <Text size="xs" data-testid="review-fall-through">
                {campaign.rules.fallThrough === true ? t('common.yes') : t('common.no')}
              </Text>
            </>
          )}
        </SimpleGrid>
        <CampaignActions campaign={campaign} />
      </Stack>
    </Card>
  );
}

export function ApprovalsPage() {
  const { t } = useTranslation();
  const token = useToken();
  const campaigns = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => apiJson<Page<Campaign>>('/v1/campaigns', { token, query: { limit: 100 } }),
  });
  return (
    <Stack>
      <Title order={2}>{t('approvals.title')}</Title>
      <QueryState query={campaigns}>
        {(page) => {
          const queue = page.items.filter((campaign) => campaign.status === 'submitted');
          return (
            <Stack>
              <Title order={4}>
                {t('approvals.queue')} <Badge variant="light">{queue.length}</Badge>
              </Title>
              {queue.length === 0 ? (
                <Empty>{t('approvals.emptyQueue')}</Empty>
              ) : (
                <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
                  {queue.map((campaign) => (
                    <ReviewCard key={campaign.id} campaign={campaign} />
                  ))}
                </SimpleGrid>
              )}
              <Title order={4}>{t('approvals.all')}</Title>
              {page.items.length === 0 ? <Empty /> : <CampaignTable campaigns={page.items} showAdvertiser />}
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
