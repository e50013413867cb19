// Lifecycle buttons for one campaign (what the caller's role may do in its status) and budget funding.
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { newTransferId } from '../api/client.ts';
import { useCampaignTransition, useFundCampaign } from '../api/hooks/campaigns.ts';
import type { Campaign, CampaignTransition } from '../api/types.ts';
import { formatFen } from '../lib/money.ts';
import { ErrorAlert, notifyError, notifySuccess } from './feedback.tsx';
import { MoneyInput } from './money-input.tsx';
import { useSession } from './session-context.tsx';

const BUTTONS: {
  transition: CampaignTransition;
  from: Campaign['status'][];
  operatorOnly?: boolean;
  color?: string;
  variant?: string;
}[] = [
  { transition: 'submit', from: ['draft'] },
  { transition: 'approve', from: ['submitted'], operatorOnly: true, color: 'teal' },
  { transition: 'reject', from: ['submitted'], operatorOnly: true, variant: 'default' },
  { transition: 'activate', from: ['approved'], color: 'teal' },
  { transition: 'pause', from: ['active'], variant: 'default' },
  { transition: 'resume', from: ['paused'], color: 'teal' },
  {
    transition: 'end',
    from: ['draft', 'submitted', 'approved', 'active', 'paused'],
    variant: 'subtle',
    color: 'red',
  },
];

const LABEL_KEY: Record<CampaignTransition, string> = {
  submit: 'campaigns.submit',
  approve: 'approvals.approve',
  reject: 'approvals.reject',
  activate: 'campaigns.activate',
  pause: 'campaigns.pause',
  resume: 'campaigns.resume',
  end: 'campaigns.end',
};

function FundCampaignModal({ campaign, onClose }: { campaign: Campaign; onClose: () => void }) {
  const { t } = useTranslation();
  const missing = campaign.budgetFen - campaign.budgetBalanceFen;
  const [fen, setFen] = useState<number | null>(missing);
  const [transferId] = useState(newTransferId);
  const fund = useFundCampaign(campaign, { onSuccess: onClose });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (fen !== null) fund.mutate({ amountFen: fen, transferId });
  };
  return (
    <Modal opened onClose={onClose} title={t('campaigns.fundTitle', { name: campaign.name })} centered>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm" c="dimmed">
            {t('campaigns.fundHelp', { missing: formatFen(missing) })}
          </Text>
          <MoneyInput label={t('common.amount')} initialFen={missing} onFen={setFen} required />
          {fund.error === null ? null : <ErrorAlert error={fund.error} />}
          <Button type="submit" disabled={fen === null || fen < 1} loading={fund.isPending}>
            {t('campaigns.fund')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function CampaignActions({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [funding, setFunding] = useState(false);
  const [ending, setEnding] = useState(false);
  const move = useCampaignTransition(campaign, {
    onSuccess: (updated) => {
      setEnding(false);
      notifySuccess(
        t('campaigns.done', { name: updated.name, status: t(`campaigns.status.${updated.status}`) }),
      );
    },
    onError: notifyError,
  });
  const operator = session?.role === 'operator';
  const unfunded =
    campaign.budgetBalanceFen < campaign.budgetFen &&
    campaign.status !== 'ended' &&
    campaign.status !== 'active' &&
    campaign.status !== 'paused';
  return (
    <Group gap={6} wrap="wrap">
      {unfunded ? (
        <Button size="compact-sm" variant="light" onClick={() => setFunding(true)}>
          {t('campaigns.fund')}
        </Button>
      ) : null}
      {BUTTONS.filter(
        (button) => button.from.includes(campaign.status) && (operator || button.operatorOnly !== true),
      ).map((button) => (
        <Button
          key={button.transition}
          size="compact-sm"
          {...(button.color === undefined ? {} : { color: button.color })}
          variant={button.variant ?? 'filled'}
          loading={move.isPending && move.variables === button.transition}
          onClick={() => (button.transition === 'end' ? setEnding(true) : move.mutate(button.transition))}
        >
          {t(LABEL_KEY[button.transition])}
        </Button>
      ))}
      {funding ? <FundCampaignModal campaign={campaign} onClose={() => setFunding(false)} /> : null}
      <Modal opened={ending} onClose={() => setEnding(false)} title={t('campaigns.end')} centered>
        <Stack>
          <Text>{t('campaigns.endConfirm', { name: campaign.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setEnding(false)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={move.isPending} onClick={() => move.mutate('end')}>
              {t('campaigns.end')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}

export const STATUS_COLOR: Record<Campaign['status'], string> = {
  draft: 'gray',
  submitted: 'yellow',
  approved: 'blue',
  active: 'teal',
  paused: 'orange',
  ended: 'dark',
};
