// The approval queue: submitted campaigns with their creatives and everything they say (schedule,
// dayparts, targeting, budget, prize plan, coupons, caps, fallback, fall-through); then every campaign
// with its lifecycle actions.
import { Badge, Card, Group, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useCampaignPages } from '../../api/hooks/campaigns.ts';
import { useTargetingOptions } from '../../api/hooks/targeting-options.ts';
import type { Campaign } from '../../api/types.ts';
import { CampaignActions } from '../../components/campaign-actions.tsx';
import { CampaignSummary, summaryOfCampaign } from '../../components/campaign-summary.tsx';
import { CampaignTable } from '../../components/campaign-table.tsx';
import { CreativePreview } from '../../components/creative-preview.tsx';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { formatFen } from '../../lib/money.ts';

export function planSummary(campaign: Campaign): string {
  const plan = campaign.prizePlan;
  if (plan.kind === 'lucky')
    return `${plan.count} × ${formatFen(plan.minFen)}–${formatFen(plan.maxFen)} = ${formatFen(plan.totalFen)}`;
  return plan.tiers.map((tier) => `${tier.count} × ${formatFen(tier.amountFen)}`).join(' + ');
}

function ReviewCard({
  campaign,
  groupNames,
}: {
  campaign: Campaign;
  groupNames?: ReadonlyMap<number, string>;
}) {
  const { t } = useTranslation();
  const creatives = campaign.creatives;
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
        <CampaignSummary
          campaign={summaryOfCampaign(campaign)}
          testIdPrefix="review"
          {...(groupNames === undefined ? {} : { groupNames })}
        />
        <CampaignActions campaign={campaign} />
      </Stack>
    </Card>
  );
}

export function ApprovalsPage() {
  const { t } = useTranslation();
  // The queue is asked of the server by status, a page at a time: never picked out of a first page.
  const queue = useCampaignPages('submitted');
  const all = useCampaignPages();
  const targetingOptions = useTargetingOptions();
  const groupNames = targetingOptions.data
    ? new Map(targetingOptions.data.screenGroups.map((group) => [group.id, group.name]))
    : undefined;
  return (
    <Stack>
      <Title order={2}>{t('approvals.title')}</Title>
      <Title order={4}>
        {t('approvals.queue')}{' '}
        <Badge variant="light" data-testid="approvals-count">
          {queue.items.length}
          {queue.hasMore ? '+' : ''}
        </Badge>
      </Title>
      <QueryState
        query={queue.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('approvals.emptyQueue')}</Empty>}
      >
        {() => (
          <Stack>
            <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
              {queue.items.map((campaign) => (
                <ReviewCard
                  key={campaign.id}
                  campaign={campaign}
                  {...(groupNames === undefined ? {} : { groupNames })}
                />
              ))}
            </SimpleGrid>
            <LoadMore list={queue} />
          </Stack>
        )}
      </QueryState>
      <Title order={4}>{t('approvals.all')}</Title>
      <QueryState
        query={all.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty />}
      >
        {() => (
          <Stack>
            <CampaignTable campaigns={all.items} showAdvertiser />
            <LoadMore list={all} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
