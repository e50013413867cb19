// One campaign: its status, everything it says (the summary the approval card shows too), its lifecycle
// actions, and the way to edit it (a draft entirely, a paused one where no money moves) or copy it.
import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useCampaign, useCampaignRollout } from '../../api/hooks/campaigns.ts';
import { useTargetingOptions } from '../../api/hooks/targeting-options.ts';
import type { Campaign } from '../../api/types.ts';
import { CampaignActions, STATUS_COLOR } from '../../components/campaign-actions.tsx';
import { CampaignSummary, summaryOfCampaign } from '../../components/campaign-summary.tsx';
import { QueryState } from '../../components/feedback.tsx';

/** The statuses in which the cloud takes an edit (services/campaigns.ts updateCampaign). */
export const EDITABLE_STATUSES: readonly Campaign['status'][] = ['draft', 'paused'];

export function CampaignDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const campaign = useCampaign(id);
  const targetingOptions = useTargetingOptions();
  const groupNames = new Map(
    targetingOptions.data?.screenGroups.map((group) => [group.id, group.name]) ?? [],
  );
  return (
    <Stack maw={1100}>
      <Group>
        <Button component={Link} to="/advertiser/campaigns" variant="subtle" size="compact-sm">
          ← {t('campaigns.backToList')}
        </Button>
      </Group>
      <QueryState query={campaign}>
        {(stored) => (
          <Stack>
            <Group justify="space-between" align="start">
              <div>
                <Title order={2}>{stored.name}</Title>
                <Text c="dimmed" size="sm">
                  #{stored.id} · {stored.sponsor}
                </Text>
              </div>
              <Badge size="lg" color={STATUS_COLOR[stored.status]} data-testid="campaign-status">
                {t(`campaigns.status.${stored.status}`)}
              </Badge>
            </Group>
            <Card withBorder radius="md">
              <CampaignSummary
                campaign={summaryOfCampaign(stored)}
                testIdPrefix="detail"
                groupNames={groupNames}
                showCreatives
              />
            </Card>
            {stored.status === 'active' || stored.status === 'paused' ? (
              <CampaignRolloutLine id={stored.id} />
            ) : null}
            <Group justify="space-between">
              <CampaignActions campaign={stored} />
              <Group>
                {EDITABLE_STATUSES.includes(stored.status) ? (
                  <Button component={Link} to={`/advertiser/campaigns/${stored.id}/edit`} variant="light">
                    {t('campaigns.edit')}
                  </Button>
                ) : null}
                <Button
                  component={Link}
                  to={`/advertiser/campaigns/${stored.id}/duplicate`}
                  variant="default"
                >
                  {t('campaigns.duplicate')}
                </Button>
              </Group>
            </Group>
            <Text size="xs" c="dimmed">
              {t('campaigns.editRule')}
            </Text>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

/** Its targeted screens, those holding a deck, and the decks and configs still on their way. */
function CampaignRolloutLine({ id }: { id: number }) {
  const { t } = useTranslation();
  const rollout = useCampaignRollout(id, true);
  if (rollout.data === undefined) return null;
  return (
    <Text size="sm" c="dimmed" data-testid="campaign-rollout">
      {t('campaigns.rollout', rollout.data)}
    </Text>
  );
}
