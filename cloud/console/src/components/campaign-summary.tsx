// Everything a campaign says, one row each: schedule, dayparts, targeting, budget and prize plan, coupon
// offers, per-wallet caps, the fallback coupon, fall-through and creatives. The wizard's review step, a
// campaign's page and the operator's approval card all show it, so what is approved is what was written.
import { Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { claimPaths, claimReservePercent, type ClaimPath } from '@redtap/shared/campaign';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Campaign, CouponOfferInput, Daypart, PrizePlan } from '../api/types.ts';
import { formatDate, formatDateTime, minuteToClock, timeZoneLabel } from '../lib/format.ts';
import { formatFen } from '../lib/money.ts';
import { CreativePreview } from './creative-preview.tsx';

/** What the summary shows: a stored campaign, or the wizard's body before it is sent. */
export interface CampaignSummaryData {
  startsAt: number;
  endsAt: number;
  dayparts: Daypart[];
  targeting: { cities: string[]; buildings: string[]; screenGroupIds: number[] };
  budgetFen: number;
  /** What was funded into the budget, from the ledger (not what the budget account holds now). */
  fundedFen?: number;
  prizePlan: PrizePlan | undefined;
  couponOffers: CouponOfferInput[];
  rules: {
    cashPerWalletPerDay: number;
    couponsPerWalletPerDay: number;
    fallbackCouponOfferIndex: number | null;
    fallThrough: boolean;
    /** Absent: every path. */
    claimPaths?: ClaimPath[] | undefined;
    /** Absent: the default share, when an online path is offered. */
    claimReservePercent?: number | undefined;
  };
  creatives: { sha256: string; durationMs: number }[];
}

export function summaryOfCampaign(campaign: Campaign): CampaignSummaryData {
  const fallbackIndex = campaign.couponOffers.findIndex(
    (offer) => offer.id === campaign.rules.fallbackCouponOfferId,
  );
  return {
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    dayparts: campaign.dayparts,
    targeting: campaign.targeting,
    budgetFen: campaign.budgetFen,
    fundedFen: campaign.money.fundedFen,
    prizePlan: campaign.prizePlan,
    couponOffers: campaign.couponOffers,
    rules: {
      cashPerWalletPerDay: campaign.rules.cashPerWalletPerDay,
      couponsPerWalletPerDay: campaign.rules.couponsPerWalletPerDay,
      fallbackCouponOfferIndex: fallbackIndex === -1 ? null : fallbackIndex,
      fallThrough: campaign.rules.fallThrough === true,
      claimPaths: campaign.rules.claimPaths,
      claimReservePercent: campaign.rules.claimReservePercent,
    },
    creatives: campaign.creatives,
  };
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" data-testid={testId}>
        {children}
      </Text>
    </>
  );
}

export function CampaignSummary(props: {
  campaign: CampaignSummaryData;
  /** Prefix of the rows' test ids, e.g. `wizard` → `wizard-fall-through`. */
  testIdPrefix: string;
  /** The targeting as the wizard shows it (building · city); else from the campaign's lists. */
  targetingText?: string;
  groupNames?: ReadonlyMap<number, string>;
  showCreatives?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { campaign, testIdPrefix: prefix } = props;
  const language = i18n.language;
  const plan = campaign.prizePlan;
  const weekdays = (days: number[]) => days.map((day) => t(`wizard.weekday.${day}`)).join(' ');
  const targeting =
    props.targetingText ??
    [
      ...campaign.targeting.cities,
      ...campaign.targeting.buildings,
      ...campaign.targeting.screenGroupIds.map((id) => props.groupNames?.get(id) ?? `#${id}`),
    ].join(', ');
  const fallback = campaign.rules.fallbackCouponOfferIndex;
  const loopMs = campaign.creatives.reduce((sum, creative) => sum + creative.durationMs, 0);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" verticalSpacing={6} data-testid={`${prefix}-summary`}>
      <Row label={t('summary.schedule')} testId={`${prefix}-schedule`}>
        {formatDateTime(campaign.startsAt, language)} → {formatDateTime(campaign.endsAt, language)} (
        {timeZoneLabel()})
      </Row>
      <Row label={t('summary.dayparts')} testId={`${prefix}-dayparts`}>
        {campaign.dayparts.length === 0 ? (
          t('summary.everyDay')
        ) : (
          <Stack gap={0}>
            {campaign.dayparts.map((daypart, index) => (
              <span key={index}>
                {weekdays(daypart.days)} {minuteToClock(daypart.startMinute)}–
                {minuteToClock(daypart.endMinute)}
              </span>
            ))}
          </Stack>
        )}
      </Row>
      <Row label={t('summary.targeting')} testId={`${prefix}-targeting`}>
        {targeting === '' ? t('summary.allScreens') : targeting}
      </Row>
      <Row label={t('summary.budget')} testId={`${prefix}-budget`}>
        {formatFen(campaign.budgetFen)}
        {campaign.fundedFen === undefined
          ? null
          : ` (${t('summary.funded')} ${formatFen(campaign.fundedFen)})`}
      </Row>
      <Row label={t('summary.prizePlan')} testId={`${prefix}-plan`}>
        {plan === undefined
          ? '—'
          : plan.kind === 'lucky'
            ? t('summary.luckyPlan', {
                count: plan.count,
                min: formatFen(plan.minFen),
                max: formatFen(plan.maxFen),
                total: formatFen(plan.totalFen),
              })
            : t('summary.tiersPlan', {
                tiers: plan.tiers.map((tier) => `${tier.count} × ${formatFen(tier.amountFen)}`).join(' + '),
              })}
      </Row>
      <Row label={t('summary.coupons')} testId={`${prefix}-coupons`}>
        {campaign.couponOffers.length === 0 ? (
          t('summary.noCoupons')
        ) : (
          <Stack gap={0}>
            {campaign.couponOffers.map((offer, index) => (
              <span key={index}>
                {t('summary.couponLine', {
                  title: offer.title,
                  value: formatFen(offer.valueFen),
                  stock: offer.stock,
                  days: offer.validityDays,
                  until: formatDate(offer.validUntil, language),
                })}
              </span>
            ))}
          </Stack>
        )}
      </Row>
      <Row label={t('summary.caps')} testId={`${prefix}-caps`}>
        {t('approvals.rulesSummary', {
          cash: campaign.rules.cashPerWalletPerDay,
          coupons: campaign.rules.couponsPerWalletPerDay,
        })}
      </Row>
      <Row label={t('summary.fallback')} testId={`${prefix}-fallback`}>
        {fallback === null
          ? t('summary.fallbackNone')
          : (campaign.couponOffers[fallback]?.title ?? `#${fallback + 1}`)}
      </Row>
      <Row label={t('summary.fallThrough')} testId={`${prefix}-fall-through`}>
        {campaign.rules.fallThrough ? t('wizard.fallThroughOn') : t('wizard.fallThroughOff')}
      </Row>
      <Row label={t('summary.claimPaths')} testId={`${prefix}-claim-paths`}>
        {(campaign.rules.claimPaths ?? claimPaths).map((path) => t(`wizard.claimPath.${path}`)).join(' · ')}
        {claimReservePercent(campaign.rules) === 0
          ? null
          : ` (${t('summary.claimReserveLine', { percent: claimReservePercent(campaign.rules) })})`}
      </Row>
      <Row label={t('summary.creatives')} testId={`${prefix}-creatives`}>
        {campaign.creatives.length === 0 ? (
          t('summary.noCreatives')
        ) : (
          <Stack gap={4}>
            <span>
              {t('summary.creativeLine', { count: campaign.creatives.length, seconds: loopMs / 1000 })}
            </span>
            {props.showCreatives === true ? (
              <Group gap="xs">
                {campaign.creatives.map((creative) => (
                  <CreativePreview
                    key={creative.sha256}
                    sha256={creative.sha256}
                    width={72}
                    label={`${t('summary.creatives')} ${creative.sha256.slice(0, 8)}`}
                  />
                ))}
              </Group>
            ) : null}
          </Stack>
        )}
      </Row>
    </SimpleGrid>
  );
}
