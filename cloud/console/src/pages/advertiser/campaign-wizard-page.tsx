// The campaign wizard: creatives (uploaded by hash, previewed), schedule and dayparts, targeting, budget
// and prize plan with its envelope chart, coupon offers and per-wallet rules; then create (and submit).
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Chip,
  FileButton,
  Group,
  Loader,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { luckyPlanProblem, planTotalFen } from '@redtap/shared/money';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { apiJson } from '../../api/client.ts';
import type {
  Advertiser,
  Campaign,
  CampaignInput,
  Daypart,
  Page,
  PrizePlan,
  StoredContent,
  TargetingOptions,
} from '../../api/types.ts';
import { CreativePreview } from '../../components/creative-preview.tsx';
import { ErrorAlert, notifySuccess } from '../../components/feedback.tsx';
import { MoneyInput } from '../../components/money-input.tsx';
import { PrizeChart } from '../../components/prize-chart.tsx';
import { useSession } from '../../components/session-context.tsx';
import {
  clockToMinute,
  formatDateTime,
  fromLocalInput,
  minuteToClock,
  timeZoneLabel,
  toLocalInput,
} from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

interface UploadedCreative extends StoredContent {
  previewUrl: string;
  durationS: number;
}

interface CouponDraft {
  key: number;
  title: string;
  valueFen: number | null;
  stock: number;
  validUntil: string;
  /** Null while the box is empty or not a number: never defaulted, a coupon must say how long it lasts. */
  validityDays: number | null;
  terms: string;
}

const VALIDITY_DAYS_MAX = 3650;

/** Unix seconds of the end of a coupon's last valid day (local time), or null for an empty date. */
function couponValidUntilS(date: string): number | null {
  return date === '' ? null : fromLocalInput(`${date}T23:59`);
}

/** The `wizard.*` key of what is wrong with a coupon's dates, or null; the cloud refuses the same. */
function couponDateProblems(coupon: CouponDraft, startsAt: number | null, nowS: number) {
  const validUntil = couponValidUntilS(coupon.validUntil);
  const days = coupon.validityDays;
  return {
    validUntil:
      validUntil === null
        ? 'couponValidUntilMissing'
        : validUntil <= Math.max(nowS, startsAt ?? 0)
          ? 'couponValidUntilPast'
          : null,
    validityDays:
      days === null || !Number.isInteger(days) || days < 1 || days > VALIDITY_DAYS_MAX
        ? 'couponValidityDaysRange'
        : null,
  } as const;
}

interface TierDraft {
  key: number;
  amountFen: number | null;
  count: number;
}

const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
const DAY_S = 86_400;

function initialTimes() {
  const now = Math.floor(Date.now() / 1000);
  const start = now - (now % 3600);
  return { startsAt: toLocalInput(start), endsAt: toLocalInput(start + 30 * DAY_S) };
}

let nextKey = 1;

/** A (city, building) pair as one MultiSelect value; JSON, so neither part needs escaping. */
function buildingKey(city: string, building: string): string {
  return JSON.stringify([city, building]);
}

function partOfKey(key: string, index: 0 | 1): string | null {
  try {
    const parsed: unknown = JSON.parse(key);
    if (!Array.isArray(parsed)) return null;
    const part: unknown = parsed[index];
    return typeof part === 'string' ? part : null;
  } catch {
    return null;
  }
}

function cityOfKey(key: string): string | null {
  return partOfKey(key, 0);
}

function buildingOfKey(key: string): string | null {
  return partOfKey(key, 1);
}

export function CampaignWizardPage() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const token = session?.token ?? null;
  const operator = session?.role === 'operator';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);

  const [name, setName] = useState('');
  const [sponsor, setSponsor] = useState('');
  const [advertiserId, setAdvertiserId] = useState<string | null>(null);
  const [creatives, setCreatives] = useState<UploadedCreative[]>([]);
  const [times, setTimes] = useState(initialTimes);
  const [dayparts, setDayparts] = useState<(Daypart & { key: number })[]>([]);
  const [cities, setCities] = useState<string[]>([]);
  // Keys of (city, building) pairs: one building name may stand in several cities.
  const [buildingKeys, setBuildingKeys] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [planKind, setPlanKind] = useState<'lucky' | 'tiers'>('lucky');
  const [lucky, setLucky] = useState<{
    count: number;
    totalFen: number | null;
    minFen: number | null;
    maxFen: number | null;
  }>({
    count: 100,
    totalFen: 10_000,
    minFen: 1,
    maxFen: 1_000,
  });
  const [tiers, setTiers] = useState<TierDraft[]>([
    { key: nextKey++, amountFen: 888, count: 10 },
    { key: nextKey++, amountFen: 88, count: 100 },
  ]);
  const [seed, setSeed] = useState(20_240_101);
  const [coupons, setCoupons] = useState<CouponDraft[]>([]);
  const [rules, setRules] = useState({
    cashPerWalletPerDay: 1,
    couponsPerWalletPerDay: 1,
    fallback: null as string | null,
    // The advertiser's explicit choice; off unless they turn it on.
    fallThrough: false,
  });

  const advertisers = useQuery({
    queryKey: ['advertisers'],
    enabled: operator,
    queryFn: () => apiJson<Page<Advertiser>>('/v1/advertisers', { token, query: { limit: 100 } }),
  });
  // Aggregates only (no screen ids or health), so advertisers pick their targets too.
  const targetingOptions = useQuery({
    queryKey: ['targeting-options'],
    queryFn: () => apiJson<TargetingOptions>('/v1/targeting-options', { token }),
  });

  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      const stored: UploadedCreative[] = [];
      for (const file of files) {
        const reply = await apiJson<StoredContent>('/v1/content', { token, body: file });
        stored.push({ ...reply, previewUrl: URL.createObjectURL(file), durationS: 10 });
      }
      return stored;
    },
    onSuccess: (stored) =>
      setCreatives((previous) => [
        ...previous,
        ...stored.filter((s) => !previous.some((p) => p.sha256 === s.sha256)),
      ]),
  });

  const plan: PrizePlan | null = useMemo(() => {
    if (planKind === 'lucky') {
      const { count, totalFen, minFen, maxFen } = lucky;
      if (totalFen === null || minFen === null || maxFen === null) return null;
      return { kind: 'lucky', count, totalFen, minFen, maxFen };
    }
    if (tiers.some((tier) => tier.amountFen === null)) return null;
    return {
      kind: 'tiers',
      tiers: tiers.map((tier) => ({ amountFen: tier.amountFen ?? 0, count: tier.count })),
    };
  }, [planKind, lucky, tiers]);
  // A null plan means an amount box holds no valid amount: that box says what is wrong, inline.
  const planProblem =
    plan === null
      ? null
      : plan.kind === 'lucky'
        ? luckyPlanProblem(plan)
        : plan.tiers.some((tier) => tier.count < 0)
          ? 'COUNT'
          : null;
  const budgetFen = plan === null ? 0 : planTotalFen(plan);

  const startsAt = fromLocalInput(times.startsAt);
  const endsAt = fromLocalInput(times.endsAt);

  const input = (): CampaignInput | null => {
    if (plan === null || planProblem !== null || startsAt === null || endsAt === null) return null;
    const couponOffers = [];
    for (const coupon of coupons) {
      const validUntil = couponValidUntilS(coupon.validUntil);
      if (validUntil === null || coupon.validityDays === null || coupon.valueFen === null) return null;
      couponOffers.push({
        title: coupon.title,
        valueFen: coupon.valueFen,
        stock: coupon.stock,
        validUntil,
        validityDays: coupon.validityDays,
        terms: coupon.terms,
      });
    }
    return {
      ...(operator && advertiserId !== null ? { advertiserId: Number(advertiserId) } : {}),
      name,
      sponsor,
      startsAt,
      endsAt,
      dayparts: dayparts.map(({ days, startMinute, endMinute }) => ({ days, startMinute, endMinute })),
      targeting: {
        cities,
        buildings: [
          ...new Set(
            buildingKeys.map(buildingOfKey).filter((building): building is string => building !== null),
          ),
        ],
        screenGroupIds: groupIds.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0),
      },
      budgetFen,
      prizePlan: plan,
      couponOffers,
      rules: {
        cashPerWalletPerDay: rules.cashPerWalletPerDay,
        couponsPerWalletPerDay: rules.couponsPerWalletPerDay,
        fallbackCouponOfferIndex: rules.fallback === null ? null : Number(rules.fallback),
        fallThrough: rules.fallThrough,
      },
      creatives: creatives.map((creative) => ({
        sha256: creative.sha256,
        durationMs: creative.durationS * 1000,
      })),
    };
  };

  const create = useMutation({
    mutationFn: async (submit: boolean) => {
      const body = input();
      if (body === null) throw new Error('the campaign is incomplete');
      const campaign = await apiJson<Campaign>('/v1/campaigns', { token, body });
      if (submit)
        return apiJson<Campaign>(`/v1/campaigns/${campaign.id}/transitions`, {
          token,
          body: { transition: 'submit' },
        });
      return campaign;
    },
    onSuccess: (campaign) => {
      notifySuccess(t('wizard.created', { name: campaign.name }));
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      void navigate(operator ? '/operator/campaigns' : '/advertiser/campaigns');
    },
  });

  // What blocks "Next" on each step, shown beside the button so a disabled button says why.
  const nowS = Math.floor(Date.now() / 1000);
  const couponProblems = coupons.map((coupon) => couponDateProblems(coupon, startsAt, nowS));
  const stepProblems: string[][] = [
    [
      ...(name.trim() === '' ? [t('wizard.blocked.name')] : []),
      ...(sponsor.trim() === '' ? [t('wizard.blocked.sponsor')] : []),
      ...(operator && advertiserId === null ? [t('wizard.blocked.advertiser')] : []),
    ],
    [
      ...(startsAt === null ? [t('wizard.blocked.startsAt')] : []),
      ...(endsAt === null ? [t('wizard.blocked.endsAt')] : []),
      ...(startsAt !== null && endsAt !== null && endsAt <= startsAt
        ? [t('wizard.blocked.endBeforeStart')]
        : []),
      ...(dayparts.some((d) => d.endMinute <= d.startMinute) ? [t('wizard.blocked.daypart')] : []),
    ],
    [],
    [
      ...(plan === null ? [t('wizard.blocked.amounts')] : []),
      ...(planProblem === null ? [] : [t(`wizard.planProblem.${planProblem}`)]),
      ...(plan !== null && planProblem === null && budgetFen <= 0 ? [t('wizard.blocked.budget')] : []),
    ],
    coupons.flatMap((coupon, index) => {
      const n = index + 1;
      const dates = couponProblems[index];
      return [
        ...(coupon.title.trim() === '' ? [t('wizard.blocked.couponTitle', { n })] : []),
        ...(coupon.valueFen === null ? [t('wizard.blocked.couponValue', { n })] : []),
        ...(dates?.validUntil == null ? [] : [t('wizard.blocked.couponValidUntil', { n })]),
        ...(dates?.validityDays == null ? [] : [t('wizard.blocked.couponValidityDays', { n })]),
      ];
    }),
    [],
  ];
  const nextProblems = stepProblems[step] ?? [];
  const zone = timeZoneLabel();

  const options = targetingOptions.data;
  const optionsLoading = targetingOptions.isPending;
  const cityOptions = options?.cities ?? [];
  const buildingOptions =
    options?.buildings
      .filter((b) => cities.length === 0 || cities.includes(b.city))
      .map((b) => ({ value: buildingKey(b.city, b.building), label: `${b.building} · ${b.city}` })) ?? [];
  const groupOptions = options?.screenGroups.map((g) => ({ value: String(g.id), label: g.name })) ?? [];
  const pickerState = (count: number) => ({
    searchable: true,
    clearable: true,
    disabled: optionsLoading,
    nothingFoundMessage: t('wizard.nothingFound'),
    placeholder: optionsLoading
      ? t('common.loading')
      : count === 0
        ? t('wizard.noTargets')
        : t('wizard.pickTargets'),
    rightSection: optionsLoading ? <Loader size="xs" /> : undefined,
  });
  const chooseCities = (chosen: string[]) => {
    setCities(chosen);
    // Buildings follow the chosen cities: a building outside them could never match.
    setBuildingKeys((keys) =>
      keys.filter((key) => {
        const city = cityOfKey(key);
        return chosen.length === 0 || (city !== null && chosen.includes(city));
      }),
    );
  };

  return (
    <Stack maw={1100}>
      <Title order={2}>{t('wizard.title')}</Title>
      <Card withBorder radius="md" p="lg">
        <Stepper active={step} onStepClick={setStep} allowNextStepsSelect={false} size="sm">
          <Stepper.Step label={t('wizard.stepBasics')}>
            <Stack mt="md">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  label={t('wizard.name')}
                  required
                  value={name}
                  maxLength={200}
                  onChange={(e) => setName(e.currentTarget.value)}
                />
                <TextInput
                  label={t('wizard.sponsor')}
                  required
                  value={sponsor}
                  maxLength={200}
                  onChange={(e) => setSponsor(e.currentTarget.value)}
                />
              </SimpleGrid>
              {operator ? (
                <Select
                  label={t('wizard.advertiser')}
                  required
                  searchable
                  data={
                    advertisers.data?.items.map((a) => ({
                      value: String(a.id),
                      label: `#${a.id} ${a.name}`,
                    })) ?? []
                  }
                  value={advertiserId}
                  onChange={setAdvertiserId}
                />
              ) : null}
              <Group>
                <FileButton
                  onChange={(files) => upload.mutate(files)}
                  accept="image/png,image/jpeg,image/webp,video/mp4,video/webm"
                  multiple
                >
                  {(props) => (
                    <Button {...props} variant="light" loading={upload.isPending}>
                      {t('wizard.upload')}
                    </Button>
                  )}
                </FileButton>
              </Group>
              {upload.error === null ? null : <ErrorAlert error={upload.error} />}
              <Group align="start">
                {creatives.map((creative) => (
                  <Stack key={creative.sha256} gap={6} data-testid="creative">
                    <CreativePreview
                      src={creative.previewUrl}
                      mime={creative.mime}
                      width={140}
                      label={creative.sha256.slice(0, 12)}
                    />
                    <Text size="xs" c="dimmed" ff="monospace">
                      {creative.sha256.slice(0, 12)}… · {Math.ceil(creative.bytes / 1024)} KB
                    </Text>
                    <NumberInput
                      size="xs"
                      label={t('wizard.duration')}
                      min={1}
                      max={600}
                      w={140}
                      value={creative.durationS}
                      onChange={(value) =>
                        setCreatives((list) =>
                          list.map((c) =>
                            c.sha256 === creative.sha256 ? { ...c, durationS: Number(value) || 10 } : c,
                          ),
                        )
                      }
                    />
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => setCreatives((list) => list.filter((c) => c.sha256 !== creative.sha256))}
                    >
                      {t('wizard.remove')}
                    </Button>
                  </Stack>
                ))}
              </Group>
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepSchedule')}>
            <Stack mt="md">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  type="datetime-local"
                  label={`${t('wizard.startsAt')} (${zone})`}
                  required
                  value={times.startsAt}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setTimes((x) => ({ ...x, startsAt: v }));
                  }}
                />
                <TextInput
                  type="datetime-local"
                  label={`${t('wizard.endsAt')} (${zone})`}
                  required
                  value={times.endsAt}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setTimes((x) => ({ ...x, endsAt: v }));
                  }}
                />
              </SimpleGrid>
              <Text size="sm" c="dimmed" data-testid="wizard-zone-help">
                {t('wizard.zoneHelp', { zone })}
              </Text>
              <div>
                <Text fw={600}>{t('wizard.dayparts')}</Text>
                <Text size="sm" c="dimmed">
                  {t('wizard.daypartsHelp')}
                </Text>
              </div>
              {dayparts.map((daypart) => (
                <Card key={daypart.key} withBorder radius="sm" p="sm">
                  <Group align="end" wrap="wrap">
                    <Chip.Group
                      multiple
                      value={daypart.days.map(String)}
                      onChange={(days) =>
                        setDayparts((list) =>
                          list.map((d) =>
                            d.key === daypart.key ? { ...d, days: days.map(Number).sort() } : d,
                          ),
                        )
                      }
                    >
                      <Group gap={4} aria-label={t('wizard.days')}>
                        {WEEKDAYS.map((day) => (
                          <Chip key={day} value={day} size="xs">
                            {t(`wizard.weekday.${day}`)}
                          </Chip>
                        ))}
                      </Group>
                    </Chip.Group>
                    <TextInput
                      type="time"
                      label={`${t('wizard.from')} (${t('wizard.screenTime')})`}
                      w={120}
                      value={minuteToClock(daypart.startMinute)}
                      onChange={(e) => {
                        const minute = clockToMinute(e.currentTarget.value);
                        if (minute !== null)
                          setDayparts((list) =>
                            list.map((d) =>
                              d.key === daypart.key ? { ...d, startMinute: Math.min(minute, 1439) } : d,
                            ),
                          );
                      }}
                    />
                    <TextInput
                      type="time"
                      label={`${t('wizard.to')} (${t('wizard.screenTime')})`}
                      w={120}
                      value={minuteToClock(daypart.endMinute % 1440)}
                      onChange={(e) => {
                        const minute = clockToMinute(e.currentTarget.value);
                        if (minute !== null)
                          setDayparts((list) =>
                            list.map((d) =>
                              d.key === daypart.key ? { ...d, endMinute: minute === 0 ? 1440 : minute } : d,
                            ),
                          );
                      }}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('wizard.remove')}
                      onClick={() => setDayparts((list) => list.filter((d) => d.key !== daypart.key))}
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                </Card>
              ))}
              <Group>
                <Button
                  variant="light"
                  disabled={dayparts.length >= 16}
                  onClick={() =>
                    setDayparts((list) => [
                      ...list,
                      { key: nextKey++, days: [1, 2, 3, 4, 5], startMinute: 7 * 60, endMinute: 10 * 60 },
                    ])
                  }
                >
                  {t('wizard.addDaypart')}
                </Button>
              </Group>
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepTargeting')}>
            <Stack mt="md">
              <Text size="sm" c="dimmed">
                {t('wizard.targetingHelp')}
              </Text>
              {targetingOptions.error === null ? null : (
                <ErrorAlert error={targetingOptions.error} onRetry={() => void targetingOptions.refetch()} />
              )}
              <MultiSelect
                label={t('wizard.cities')}
                data={cityOptions}
                value={cities}
                onChange={chooseCities}
                maxValues={100}
                {...pickerState(cityOptions.length)}
              />
              <MultiSelect
                label={t('wizard.buildings')}
                data={buildingOptions}
                value={buildingKeys}
                onChange={setBuildingKeys}
                maxValues={1000}
                {...pickerState(buildingOptions.length)}
              />
              <MultiSelect
                label={t('wizard.groups')}
                data={groupOptions}
                value={groupIds}
                onChange={setGroupIds}
                maxValues={100}
                {...pickerState(groupOptions.length)}
              />
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepBudget')}>
            <Stack mt="md">
              <SegmentedControl
                aria-label={t('wizard.planKind')}
                value={planKind}
                onChange={(value) => setPlanKind(value === 'tiers' ? 'tiers' : 'lucky')}
                data={[
                  { value: 'lucky', label: t('wizard.lucky') },
                  { value: 'tiers', label: t('wizard.tiers') },
                ]}
              />
              {planKind === 'lucky' ? (
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                  <NumberInput
                    label={t('wizard.envelopes')}
                    min={1}
                    max={65_535}
                    value={lucky.count}
                    onChange={(value) => setLucky((l) => ({ ...l, count: Math.floor(Number(value)) || 0 }))}
                  />
                  <MoneyInput
                    label={t('wizard.total')}
                    minFen={1}
                    initialFen={lucky.totalFen ?? 0}
                    onFen={(fen) => setLucky((l) => ({ ...l, totalFen: fen }))}
                  />
                  <MoneyInput
                    label={t('wizard.min')}
                    minFen={1}
                    initialFen={lucky.minFen ?? 0}
                    onFen={(fen) => setLucky((l) => ({ ...l, minFen: fen }))}
                  />
                  <MoneyInput
                    label={t('wizard.max')}
                    minFen={1}
                    initialFen={lucky.maxFen ?? 0}
                    onFen={(fen) => setLucky((l) => ({ ...l, maxFen: fen }))}
                  />
                </SimpleGrid>
              ) : (
                <Stack gap="xs">
                  {tiers.map((tier, index) => (
                    <Group key={tier.key} align="end">
                      <MoneyInput
                        label={`${t('wizard.tierAmount')} ${index + 1}`}
                        minFen={1}
                        initialFen={tier.amountFen ?? 0}
                        w={180}
                        onFen={(fen) =>
                          setTiers((list) =>
                            list.map((x) => (x.key === tier.key ? { ...x, amountFen: fen } : x)),
                          )
                        }
                      />
                      <NumberInput
                        label={`${t('wizard.tierCount')} ${index + 1}`}
                        min={0}
                        max={65_535}
                        w={160}
                        value={tier.count}
                        onChange={(value) =>
                          setTiers((list) =>
                            list.map((x) =>
                              x.key === tier.key ? { ...x, count: Math.floor(Number(value)) || 0 } : x,
                            ),
                          )
                        }
                      />
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t('wizard.remove')}
                        disabled={tiers.length === 1}
                        onClick={() => setTiers((list) => list.filter((x) => x.key !== tier.key))}
                      >
                        ✕
                      </ActionIcon>
                    </Group>
                  ))}
                  <Group>
                    <Button
                      variant="light"
                      size="xs"
                      disabled={tiers.length >= 32}
                      onClick={() =>
                        setTiers((list) => [...list, { key: nextKey++, amountFen: 100, count: 10 }])
                      }
                    >
                      {t('wizard.addTier')}
                    </Button>
                  </Group>
                </Stack>
              )}
              {planProblem === null ? null : (
                <Alert color="orange" data-testid="plan-problem">
                  {t(`wizard.planProblem.${planProblem}`)}
                </Alert>
              )}
              <Text>
                {t('wizard.budget')}: <b data-testid="wizard-budget">{formatFen(budgetFen)}</b>
              </Text>
              {plan !== null && planProblem === null ? (
                <PrizeChart plan={plan} seed={seed} onReshuffle={() => setSeed((s) => s + 1)} />
              ) : null}
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepCoupons')}>
            <Stack mt="md">
              <Text fw={600}>{t('wizard.coupons')}</Text>
              {coupons.map((coupon, index) => (
                <Card key={coupon.key} withBorder radius="sm" p="sm">
                  <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <TextInput
                      label={`${t('wizard.couponTitle')} ${index + 1}`}
                      required
                      value={coupon.title}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        setCoupons((list) =>
                          list.map((c) => (c.key === coupon.key ? { ...c, title: v } : c)),
                        );
                      }}
                    />
                    <MoneyInput
                      label={t('wizard.couponValue')}
                      initialFen={coupon.valueFen ?? 0}
                      onFen={(fen) =>
                        setCoupons((list) =>
                          list.map((c) => (c.key === coupon.key ? { ...c, valueFen: fen } : c)),
                        )
                      }
                    />
                    <NumberInput
                      label={t('wizard.couponStock')}
                      min={0}
                      max={65_535}
                      value={coupon.stock}
                      onChange={(v) =>
                        setCoupons((list) =>
                          list.map((c) =>
                            c.key === coupon.key ? { ...c, stock: Math.floor(Number(v)) || 0 } : c,
                          ),
                        )
                      }
                    />
                    <TextInput
                      type="date"
                      label={`${t('wizard.couponValidUntil')} (${zone})`}
                      required
                      error={
                        couponProblems[index]?.validUntil == null
                          ? undefined
                          : t(`wizard.${couponProblems[index].validUntil}`)
                      }
                      value={coupon.validUntil}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        setCoupons((list) =>
                          list.map((c) => (c.key === coupon.key ? { ...c, validUntil: v } : c)),
                        );
                      }}
                    />
                    <NumberInput
                      label={t('wizard.couponValidityDays')}
                      required
                      min={1}
                      max={VALIDITY_DAYS_MAX}
                      allowDecimal={false}
                      // Out-of-range days get a message; clamping would quietly turn 0 into 1.
                      clampBehavior="none"
                      error={
                        couponProblems[index]?.validityDays == null
                          ? undefined
                          : t(`wizard.${couponProblems[index].validityDays}`, { max: VALIDITY_DAYS_MAX })
                      }
                      value={coupon.validityDays ?? ''}
                      onChange={(v) =>
                        setCoupons((list) =>
                          list.map((c) =>
                            c.key === coupon.key
                              ? { ...c, validityDays: typeof v === 'number' ? v : null }
                              : c,
                          ),
                        )
                      }
                    />
                    <Textarea
                      label={t('wizard.couponTerms')}
                      autosize
                      maxLength={2000}
                      value={coupon.terms}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        setCoupons((list) =>
                          list.map((c) => (c.key === coupon.key ? { ...c, terms: v } : c)),
                        );
                      }}
                    />
                  </SimpleGrid>
                  <Group justify="flex-end" mt="xs">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => setCoupons((list) => list.filter((c) => c.key !== coupon.key))}
                    >
                      {t('wizard.remove')}
                    </Button>
                  </Group>
                </Card>
              ))}
              <Group>
                <Button
                  variant="light"
                  disabled={coupons.length >= 64}
                  onClick={() =>
                    setCoupons((list) => [
                      ...list,
                      {
                        key: nextKey++,
                        title: '',
                        valueFen: 500,
                        stock: 100,
                        validUntil: times.endsAt.slice(0, 10),
                        validityDays: 30,
                        terms: '',
                      },
                    ])
                  }
                >
                  {t('wizard.addCoupon')}
                </Button>
              </Group>
              <Text fw={600}>{t('wizard.rules')}</Text>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <NumberInput
                  label={t('wizard.cashPerDay')}
                  min={0}
                  max={100}
                  value={rules.cashPerWalletPerDay}
                  onChange={(v) =>
                    setRules((r) => ({ ...r, cashPerWalletPerDay: Math.floor(Number(v)) || 0 }))
                  }
                />
                <NumberInput
                  label={t('wizard.couponsPerDay')}
                  min={0}
                  max={100}
                  value={rules.couponsPerWalletPerDay}
                  onChange={(v) =>
                    setRules((r) => ({ ...r, couponsPerWalletPerDay: Math.floor(Number(v)) || 0 }))
                  }
                />
                <Select
                  label={t('wizard.fallback')}
                  data={[
                    { value: '', label: t('wizard.fallbackNone') },
                    ...coupons.map((c, i) => ({ value: String(i), label: c.title || `#${i + 1}` })),
                  ]}
                  value={rules.fallback ?? ''}
                  onChange={(v) => setRules((r) => ({ ...r, fallback: v === '' || v === null ? null : v }))}
                />
              </SimpleGrid>
              <Switch
                label={t('wizard.fallThrough')}
                description={t('wizard.fallThroughHelp')}
                checked={rules.fallThrough}
                onChange={(event) => {
                  const fallThrough = event.currentTarget.checked;
                  setRules((r) => ({ ...r, fallThrough }));
                }}
              />
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepReview')}>
            <Stack mt="md">
              <Text c="dimmed">{t('wizard.review')}</Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" data-testid="wizard-review">
                <Text c="dimmed">{t('wizard.name')}</Text>
                <Text fw={600}>{name}</Text>
                <Text c="dimmed">{t('wizard.sponsor')}</Text>
                <Text>{sponsor}</Text>
                <Text c="dimmed">{t('approvals.schedule')}</Text>
                <Text>
                  {startsAt === null ? '—' : formatDateTime(startsAt, i18n.language)} →{' '}
                  {endsAt === null ? '—' : formatDateTime(endsAt, i18n.language)} ({zone})
                </Text>
                <Text c="dimmed">{t('wizard.stepTargeting')}</Text>
                <Text>
                  {[
                    ...cities,
                    ...buildingKeys.map((key) => `${buildingOfKey(key) ?? ''} · ${cityOfKey(key) ?? ''}`),
                    ...groupIds.map(
                      (id) => groupOptions.find((option) => option.value === id)?.label ?? `#${id}`,
                    ),
                  ].join(', ') || t('common.all')}
                </Text>
                <Text c="dimmed">{t('wizard.budget')}</Text>
                <Text fw={600}>{formatFen(budgetFen)}</Text>
                <Text c="dimmed">{t('approvals.creatives')}</Text>
                <Text>{creatives.length}</Text>
                <Text c="dimmed">{t('wizard.coupons')}</Text>
                <Text>{coupons.map((c) => c.title).join(', ') || '—'}</Text>
                <Text c="dimmed">{t('approvals.rules')}</Text>
                <Text>
                  {t('approvals.rulesSummary', {
                    cash: rules.cashPerWalletPerDay,
                    coupons: rules.couponsPerWalletPerDay,
                  })}
                </Text>
                <Text c="dimmed">{t('wizard.fallThrough')}</Text>
                <Text data-testid="wizard-fall-through">
                  {rules.fallThrough ? t('wizard.fallThroughOn') : t('wizard.fallThroughOff')}
                </Text>
              </SimpleGrid>
              {create.error === null ? null : <ErrorAlert error={create.error} />}
              <Group>
                <Button
                  variant="default"
                  loading={create.isPending && !create.variables}
                  onClick={() => create.mutate(false)}
                >
                  {t('wizard.create')}
                </Button>
                <Button loading={create.isPending && create.variables} onClick={() => create.mutate(true)}>
                  {t('wizard.createAndSubmit')}
                </Button>
              </Group>
            </Stack>
          </Stepper.Step>
        </Stepper>
        <Group justify="space-between" mt="xl">
          <Button variant="default" disabled={step === 0} onClick={() => setStep((s) => Math.max(0, s - 1))}>
            {t('common.back')}
          </Button>
          {step < 5 ? (
            <Group gap="sm" wrap="nowrap" align="center">
              {nextProblems.length === 0 ? null : (
                <Stack gap={0} data-testid="next-blocked" id="next-blocked" aria-live="polite">
                  {nextProblems.map((problem) => (
                    <Text key={problem} size="sm" c="orange.8" ta="right">
                      {problem}
                    </Text>
                  ))}
                </Stack>
              )}
              <Button
                disabled={nextProblems.length > 0}
                aria-describedby={nextProblems.length === 0 ? undefined : 'next-blocked'}
                onClick={() => setStep((s) => Math.min(5, s + 1))}
              >
                {t('common.next')}
              </Button>
            </Group>
          ) : null}
        </Group>
      </Card>
    </Stack>
  );
}
