// The campaign wizard: creatives (uploaded by hash, previewed), schedule and dayparts, targeting, budget
// and prize plan with its envelope chart, coupon offers and per-wallet rules; then create (and submit).
// The form is checked by the cloud's own schema (lib/campaign-form.ts): each field shows what is wrong
// with it, in the person's language, and so does a refusal from the cloud. The same wizard edits a
// campaign (a draft entirely, a paused one where no money moves) and starts a new one from a copy; a new
// campaign's unsaved form survives a reload.
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Chip,
  FileButton,
  Group,
  Input,
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
import { CLAIM_RESERVE_PERCENT_MAX, claimPaths, offersOnlineClaims } from '@redtap/shared/campaign';
import type { FieldIssue } from '@redtap/shared/field-issues';
import { luckyPlanProblem } from '@redtap/shared/money';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useAdvertiserPages } from '../../api/hooks/advertisers.ts';
import { useCampaign, useCreateCampaign, useUpdateCampaign } from '../../api/hooks/campaigns.ts';
import { useUploadContent } from '../../api/hooks/content.ts';
import { useEveryPage } from '../../api/hooks/paging.ts';
import { useTargetingOptions } from '../../api/hooks/targeting-options.ts';
import type { Campaign } from '../../api/types.ts';
import { CampaignSummary } from '../../components/campaign-summary.tsx';
import { CreativePreview } from '../../components/creative-preview.tsx';
import { ErrorAlert, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { MoneyInput } from '../../components/money-input.tsx';
import { PrizeChart } from '../../components/prize-chart.tsx';
import { useSession } from '../../components/session-context.tsx';
import {
  buildingKey,
  buildingOfKey,
  checkForm,
  cityOfKey,
  claimRulesOf,
  clearDraft,
  emptyForm,
  formFromCampaign,
  loadDraft,
  nextKey,
  planTotalOf,
  saveDraft,
  stepOfPath,
  type CampaignForm,
  type NumberField,
} from '../../lib/campaign-form.ts';
import { errorFields, fieldIssueText, fieldLabel } from '../../lib/errors.ts';
import { clockToMinute, minuteToClock, timeZoneLabel } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
const LAST_STEP = 5;

/** A number box's value as typed: '' while empty or half-typed, never clamped or defaulted. */
function numberField(value: string | number): NumberField {
  return typeof value === 'number' && Number.isFinite(value) ? value : '';
}

/** Props that keep a number box from bending what is typed: no clamping, no silent sign flip. */
const AS_TYPED = { clampBehavior: 'none', allowDecimal: false, allowNegative: true } as const;

type Mode =
  { kind: 'new' } | { kind: 'edit'; campaign: Campaign } | { kind: 'duplicate'; campaign: Campaign };

export function CampaignWizardPage() {
  return <CampaignWizard mode={{ kind: 'new' }} />;
}

/** `/advertiser/campaigns/:id/edit` and `/duplicate`: the wizard filled from a stored campaign. */
export function CampaignFromStoredPage({ kind }: { kind: 'edit' | 'duplicate' }) {
  const { id } = useParams();
  const campaign = useCampaign(Number(id));
  return (
    <QueryState query={campaign}>
      {(stored) => <CampaignWizard key={`${kind}-${stored.id}`} mode={{ kind, campaign: stored }} />}
    </QueryState>
  );
}

function CampaignWizard({ mode }: { mode: Mode }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const operator = session?.role === 'operator';
  const account = `${session?.role ?? 'anonymous'}.${session?.email ?? ''}`;
  const navigate = useNavigate();

  const [restored] = useState(() => (mode.kind === 'new' ? loadDraft(account) : null));
  const [step, setStep] = useState(restored?.step ?? 0);
  const [form, setForm] = useState<CampaignForm>(() =>
    mode.kind === 'new'
      ? (restored?.form ?? emptyForm())
      : formFromCampaign(mode.campaign, mode.kind, (name) => t('wizard.copyOf', { name })),
  );
  const [showRestored, setShowRestored] = useState(restored !== null);
  // The cloud's refusal of the last save, field by field, until the form changes again.
  const [serverIssues, setServerIssues] = useState<FieldIssue[]>([]);
  const [seed, setSeed] = useState(20_240_101);
  // Money boxes keep their own text: starting over remounts them with the new form's amounts.
  const [resetCount, setResetCount] = useState(0);
  const stored = mode.kind === 'edit' ? mode.campaign : undefined;
  // A paused campaign's pool is built and its decks are out: what spends money stays as it is.
  const locked = stored?.status === 'paused';

  const update = (change: (previous: CampaignForm) => CampaignForm) => {
    setForm(change);
    setServerIssues([]);
  };

  useEffect(() => {
    if (mode.kind === 'new') saveDraft(account, { form, step });
  }, [mode.kind, account, form, step]);

  // The operator's picker offers every advertiser: the list is read page after page to its end.
  const advertisers = useEveryPage(useAdvertiserPages({ enabled: operator }));
  // Aggregates only (no screen ids or health), so advertisers pick their targets too.
  const targetingOptions = useTargetingOptions();
  const [citySearch, setCitySearch] = useState('');

  const upload = useUploadContent({
    onSuccess: (uploaded) =>
      update((previous) => ({
        ...previous,
        creatives: [
          ...previous.creatives,
          ...uploaded
            .filter((s) => !previous.creatives.some((p) => p.sha256 === s.sha256))
            .map((s) => ({ ...s, durationS: 10 })),
        ],
      })),
  });

  const nowS = Math.floor(Date.now() / 1000);
  const check = checkForm(form, { operator, nowS, ...(stored === undefined ? {} : { stored }) });
  const issues = [...serverIssues, ...check.issues];
  /** The message for one field, or undefined; an empty box says "required" only once someone tries Next. */
  const issueAt = (path: string): FieldIssue | undefined => issues.find((issue) => issue.path === path);
  const errorAt = (path: string): string | undefined => {
    const issue = issueAt(path);
    if (issue === undefined) return undefined;
    if (issue.code === 'REQUIRED' && !serverIssues.includes(issue)) return undefined;
    return fieldIssueText(issue, i18n);
  };
  const budgetFen = planTotalOf(form) ?? 0;

  const saved = {
    onSuccess: (campaign: Campaign) => {
      if (mode.kind === 'new') clearDraft(account);
      notifySuccess(t(mode.kind === 'edit' ? 'wizard.saved' : 'wizard.created', { name: campaign.name }));
      void navigate(
        mode.kind === 'edit'
          ? `/advertiser/campaigns/${campaign.id}`
          : operator
            ? '/operator/campaigns'
            : '/advertiser/campaigns',
      );
    },
    // The cloud's refusal marks the fields it names, and the wizard goes back to the first one's step.
    onError: (error: Error) => {
      const fields = errorFields(error);
      setServerIssues(fields);
      const first = fields[0];
      if (first !== undefined) setStep(Math.min(stepOfPath(first.path), LAST_STEP));
    },
  };
  const create = useCreateCampaign(saved);
  const edit = useUpdateCampaign(stored?.id ?? 0, saved);
  const save = mode.kind === 'edit' ? edit : create;
  /** Creates (and with `submit`, submits) the campaign, or saves the stored one being edited. */
  const saveForm = (submit: boolean) => {
    if (check.body === null) return;
    if (mode.kind === 'edit') edit.mutate(check.body);
    else create.mutate({ body: check.body, submit });
  };

  // What blocks "Next" on each step, shown beside the button so a disabled button says why.
  const nextProblems = [
    ...new Set(
      issues
        // The review step answers for every step: a restored draft may reach it with a gap anywhere.
        .filter((issue) => step === LAST_STEP || stepOfPath(issue.path) === step)
        .map((issue) =>
          // An amount box holding no amount says why itself; the summary only points at it.
          issue.code === 'REQUIRED' && issue.path.endsWith('Fen')
            ? t('wizard.blocked.amounts')
            : `${fieldLabel(issue.path, i18n)}: ${fieldIssueText(issue, i18n)}`,
        ),
    ),
  ];
  const zone = timeZoneLabel();

  const options = targetingOptions.data;
  const optionsLoading = targetingOptions.isPending;
  const cityOptions = options?.cities ?? [];
  // A cut list of cities offers what is typed too: a campaign targets a city by its name.
  const typedCity = options?.citiesTruncated === true ? citySearch.trim() : '';
  const buildingOptions =
    options?.buildings
      .filter((b) => form.cities.length === 0 || form.cities.includes(b.city))
      .map((b) => ({ value: buildingKey(b.city, b.building), label: `${b.building} · ${b.city}` })) ?? [];
  const groupOptions = options?.screenGroups.map((g) => ({ value: String(g.id), label: g.name })) ?? [];
  const pickerState = (count: number, truncated = false, more = 'wizard.targetsTruncated') => ({
    description: truncated ? t(more, { count }) : undefined,
    searchable: true,
    clearable: true,
    disabled: optionsLoading || locked,
    nothingFoundMessage: t('wizard.nothingFound'),
    placeholder: optionsLoading
      ? t('common.loading')
      : count === 0
        ? t('wizard.noTargets')
        : t('wizard.pickTargets'),
    rightSection: optionsLoading ? <Loader size="xs" /> : undefined,
  });
  const chooseCities = (chosen: string[]) =>
    update((f) => ({
      ...f,
      cities: chosen,
      // Buildings follow the chosen cities: a building outside them could never match.
      buildingKeys: f.buildingKeys.filter((key) => {
        const city = cityOfKey(key);
        return chosen.length === 0 || (city !== null && chosen.includes(city));
      }),
    }));
  const setLucky = (change: Partial<CampaignForm['lucky']>) =>
    update((f) => ({ ...f, lucky: { ...f.lucky, ...change } }));
  const setRules = (change: Partial<CampaignForm['rules']>) =>
    update((f) => ({ ...f, rules: { ...f.rules, ...change } }));
  const setCoupon = (key: number, change: Partial<CampaignForm['coupons'][number]>) =>
    update((f) => ({ ...f, coupons: f.coupons.map((c) => (c.key === key ? { ...c, ...change } : c)) }));
  const setDaypart = (key: number, change: Partial<CampaignForm['dayparts'][number]>) =>
    update((f) => ({ ...f, dayparts: f.dayparts.map((d) => (d.key === key ? { ...d, ...change } : d)) }));
  const setTier = (key: number, change: Partial<CampaignForm['tiers'][number]>) =>
    update((f) => ({ ...f, tiers: f.tiers.map((x) => (x.key === key ? { ...x, ...change } : x)) }));

  const plan = check.body?.prizePlan;
  const luckyProblem =
    form.planKind === 'lucky' &&
    form.lucky.count !== '' &&
    form.lucky.totalFen !== null &&
    form.lucky.minFen !== null &&
    form.lucky.maxFen !== null
      ? luckyPlanProblem({
          count: form.lucky.count,
          totalFen: form.lucky.totalFen,
          minFen: form.lucky.minFen,
          maxFen: form.lucky.maxFen,
        })
      : null;
  const chartPlan = useMemo(() => {
    if (form.planKind === 'lucky') {
      const { count, totalFen, minFen, maxFen } = form.lucky;
      if (count === '' || totalFen === null || minFen === null || maxFen === null || luckyProblem !== null)
        return null;
      return { kind: 'lucky' as const, count, totalFen, minFen, maxFen };
    }
    if (form.tiers.some((tier) => tier.amountFen === null || tier.count === '' || tier.count < 0))
      return null;
    const tiers = form.tiers.map((tier) => ({ amountFen: tier.amountFen ?? 0, count: Number(tier.count) }));
    return tiers.reduce((sum, tier) => sum + tier.count, 0) > 0 ? { kind: 'tiers' as const, tiers } : null;
  }, [form.planKind, form.lucky, form.tiers, luckyProblem]);

  const title =
    mode.kind === 'edit'
      ? `${t('wizard.titleEdit')} · ${mode.campaign.name}`
      : mode.kind === 'duplicate'
        ? t('wizard.titleDuplicate')
        : t('wizard.title');

  return (
    <Stack maw={1100}>
      <Title order={2}>{title}</Title>
      {showRestored ? (
        <Alert
          color="blue"
          variant="light"
          data-testid="draft-restored"
          withCloseButton
          onClose={() => setShowRestored(false)}
        >
          <Group justify="space-between">
            <Text size="sm">{t('wizard.draftRestored')}</Text>
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => {
                clearDraft(account);
                setForm(emptyForm());
                setStep(0);
                setServerIssues([]);
                setShowRestored(false);
                setResetCount((count) => count + 1);
              }}
            >
              {t('wizard.startOver')}
            </Button>
          </Group>
        </Alert>
      ) : null}
      {locked ? (
        <Alert color="yellow" variant="light" data-testid="paused-help">
          {t('wizard.pausedHelp')}
        </Alert>
      ) : null}
      <Card withBorder radius="md" p="lg" key={resetCount}>
        <Stepper active={step} onStepClick={setStep} allowNextStepsSelect={false} size="sm">
          <Stepper.Step label={t('wizard.stepBasics')}>
            <Stack mt="md">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  label={t('wizard.name')}
                  required
                  value={form.name}
                  error={errorAt('name')}
                  onChange={(e) => {
                    const name = e.currentTarget.value;
                    update((f) => ({ ...f, name }));
                  }}
                />
                <TextInput
                  label={t('wizard.sponsor')}
                  required
                  value={form.sponsor}
                  error={errorAt('sponsor')}
                  onChange={(e) => {
                    const sponsor = e.currentTarget.value;
                    update((f) => ({ ...f, sponsor }));
                  }}
                />
              </SimpleGrid>
              {operator && mode.kind !== 'edit' ? (
                <Select
                  label={t('wizard.advertiser')}
                  required
                  searchable
                  allowDeselect={false}
                  data={advertisers.items.map((a) => ({
                    value: String(a.id),
                    label: `#${a.id} ${a.name}`,
                  }))}
                  value={form.advertiserId}
                  onChange={(advertiserId) => update((f) => ({ ...f, advertiserId }))}
                />
              ) : null}
              <Input.Wrapper error={upload.error === null ? errorAt('creatives') : undefined}>
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
              </Input.Wrapper>
              {upload.error === null ? null : <ErrorAlert error={upload.error} />}
              <Group align="start">
                {form.creatives.map((creative, index) => (
                  <Stack key={creative.sha256} gap={6} data-testid="creative">
                    <CreativePreview
                      sha256={creative.sha256}
                      mime={creative.mime}
                      width={140}
                      label={creative.sha256.slice(0, 12)}
                    />
                    <Text size="xs" c="dimmed" ff="monospace">
                      {creative.sha256.slice(0, 12)}…
                      {creative.bytes > 0 ? ` · ${Math.ceil(creative.bytes / 1024)} KB` : ''}
                    </Text>
                    <NumberInput
                      size="xs"
                      label={t('wizard.duration')}
                      min={1}
                      max={600}
                      w={140}
                      {...AS_TYPED}
                      value={creative.durationS}
                      error={errorAt(`creatives.${index}.durationMs`)}
                      onChange={(value) =>
                        update((f) => ({
                          ...f,
                          creatives: f.creatives.map((c) =>
                            c.sha256 === creative.sha256 ? { ...c, durationS: numberField(value) } : c,
                          ),
                        }))
                      }
                    />
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() =>
                        update((f) => ({
                          ...f,
                          creatives: f.creatives.filter((c) => c.sha256 !== creative.sha256),
                        }))
                      }
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
                  disabled={locked}
                  value={form.startsAt}
                  error={errorAt('startsAt')}
                  onChange={(e) => {
                    const startsAt = e.currentTarget.value;
                    update((f) => ({ ...f, startsAt }));
                  }}
                />
                <TextInput
                  type="datetime-local"
                  label={`${t('wizard.endsAt')} (${zone})`}
                  required
                  disabled={locked}
                  value={form.endsAt}
                  error={errorAt('endsAt')}
                  onChange={(e) => {
                    const endsAt = e.currentTarget.value;
                    update((f) => ({ ...f, endsAt }));
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
              {form.dayparts.map((daypart, index) => (
                <Card key={daypart.key} withBorder radius="sm" p="sm" data-testid={`daypart-${index + 1}`}>
                  <Group align="end" wrap="wrap">
                    <Input.Wrapper label={t('wizard.days')} error={errorAt(`dayparts.${index}.days`)}>
                      <Chip.Group
                        multiple
                        value={daypart.days.map(String)}
                        onChange={(days) => setDaypart(daypart.key, { days: days.map(Number).sort() })}
                      >
                        <Group gap={4}>
                          {WEEKDAYS.map((day) => (
                            <Chip key={day} value={day} size="xs">
                              {t(`wizard.weekday.${day}`)}
                            </Chip>
                          ))}
                        </Group>
                      </Chip.Group>
                    </Input.Wrapper>
                    <TextInput
                      type="time"
                      label={`${t('wizard.from')} (${t('wizard.screenTime')})`}
                      w={120}
                      value={minuteToClock(daypart.startMinute)}
                      error={errorAt(`dayparts.${index}.startMinute`)}
                      onChange={(e) => {
                        const minute = clockToMinute(e.currentTarget.value);
                        if (minute !== null) setDaypart(daypart.key, { startMinute: Math.min(minute, 1439) });
                      }}
                    />
                    <TextInput
                      type="time"
                      label={`${t('wizard.to')} (${t('wizard.screenTime')})`}
                      w={120}
                      value={minuteToClock(daypart.endMinute % 1440)}
                      error={errorAt(`dayparts.${index}.endMinute`)}
                      onChange={(e) => {
                        const minute = clockToMinute(e.currentTarget.value);
                        if (minute !== null)
                          setDaypart(daypart.key, { endMinute: minute === 0 ? 1440 : minute });
                      }}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('wizard.remove')}
                      onClick={() =>
                        update((f) => ({ ...f, dayparts: f.dayparts.filter((d) => d.key !== daypart.key) }))
                      }
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                </Card>
              ))}
              <Group>
                <Button
                  variant="light"
                  disabled={form.dayparts.length >= 16}
                  onClick={() =>
                    update((f) => ({
                      ...f,
                      dayparts: [
                        ...f.dayparts,
                        { key: nextKey(), days: [1, 2, 3, 4, 5], startMinute: 7 * 60, endMinute: 10 * 60 },
                      ],
                    }))
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
                data={[
                  ...new Set([...cityOptions, ...form.cities, ...(typedCity === '' ? [] : [typedCity])]),
                ]}
                value={form.cities}
                onChange={chooseCities}
                searchValue={citySearch}
                onSearchChange={setCitySearch}
                maxValues={100}
                {...pickerState(cityOptions.length, options?.citiesTruncated, 'wizard.citiesTruncated')}
              />
              <MultiSelect
                label={t('wizard.buildings')}
                data={buildingOptions}
                value={form.buildingKeys}
                onChange={(buildingKeys) => update((f) => ({ ...f, buildingKeys }))}
                maxValues={1000}
                {...pickerState(buildingOptions.length, options?.buildingsTruncated)}
              />
              <MultiSelect
                label={t('wizard.groups')}
                data={groupOptions}
                value={form.groupIds}
                onChange={(groupIds) => update((f) => ({ ...f, groupIds }))}
                maxValues={100}
                {...pickerState(groupOptions.length, options?.screenGroupsTruncated)}
              />
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepBudget')}>
            <Stack mt="md">
              <SegmentedControl
                aria-label={t('wizard.planKind')}
                value={form.planKind}
                disabled={locked}
                onChange={(value) =>
                  update((f) => ({ ...f, planKind: value === 'tiers' ? 'tiers' : 'lucky' }))
                }
                data={[
                  { value: 'lucky', label: t('wizard.lucky') },
                  { value: 'tiers', label: t('wizard.tiers') },
                ]}
              />
              {form.planKind === 'lucky' ? (
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                  <NumberInput
                    label={t('wizard.envelopes')}
                    min={1}
                    max={65_535}
                    {...AS_TYPED}
                    disabled={locked}
                    value={form.lucky.count}
                    error={errorAt('prizePlan.count')}
                    onChange={(value) => setLucky({ count: numberField(value) })}
                  />
                  <MoneyInput
                    label={t('wizard.total')}
                    minFen={1}
                    disabled={locked}
                    initialFen={form.lucky.totalFen ?? undefined}
                    error={errorAt('prizePlan.totalFen')}
                    onFen={(totalFen) => setLucky({ totalFen })}
                  />
                  <MoneyInput
                    label={t('wizard.min')}
                    minFen={1}
                    disabled={locked}
                    initialFen={form.lucky.minFen ?? undefined}
                    error={errorAt('prizePlan.minFen')}
                    onFen={(minFen) => setLucky({ minFen })}
                  />
                  <MoneyInput
                    label={t('wizard.max')}
                    minFen={1}
                    disabled={locked}
                    initialFen={form.lucky.maxFen ?? undefined}
                    error={errorAt('prizePlan.maxFen')}
                    onFen={(maxFen) => setLucky({ maxFen })}
                  />
                </SimpleGrid>
              ) : (
                <Stack gap="xs">
                  {form.tiers.map((tier, index) => (
                    <Group key={tier.key} align="start">
                      <MoneyInput
                        label={`${t('wizard.tierAmount')} ${index + 1}`}
                        minFen={1}
                        disabled={locked}
                        initialFen={tier.amountFen ?? undefined}
                        w={180}
                        error={errorAt(`prizePlan.tiers.${index}.amountFen`)}
                        onFen={(amountFen) => setTier(tier.key, { amountFen })}
                      />
                      <NumberInput
                        label={`${t('wizard.tierCount')} ${index + 1}`}
                        min={0}
                        max={65_535}
                        w={160}
                        {...AS_TYPED}
                        disabled={locked}
                        value={tier.count}
                        error={errorAt(`prizePlan.tiers.${index}.count`)}
                        onChange={(value) => setTier(tier.key, { count: numberField(value) })}
                      />
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        mt={28}
                        aria-label={t('wizard.remove')}
                        disabled={form.tiers.length === 1 || locked}
                        onClick={() =>
                          update((f) => ({ ...f, tiers: f.tiers.filter((x) => x.key !== tier.key) }))
                        }
                      >
                        ✕
                      </ActionIcon>
                    </Group>
                  ))}
                  {errorAt('prizePlan.tiers') === undefined ? null : (
                    <Text size="sm" c="red" data-testid="tiers-error">
                      {errorAt('prizePlan.tiers')}
                    </Text>
                  )}
                  <Group>
                    <Button
                      variant="light"
                      size="xs"
                      disabled={form.tiers.length >= 32 || locked}
                      onClick={() =>
                        update((f) => ({
                          ...f,
                          tiers: [...f.tiers, { key: nextKey(), amountFen: 100, count: 10 }],
                        }))
                      }
                    >
                      {t('wizard.addTier')}
                    </Button>
                  </Group>
                </Stack>
              )}
              {luckyProblem === null ? null : (
                <Alert color="orange" data-testid="plan-problem">
                  {t(`wizard.planProblem.${luckyProblem}`)}
                </Alert>
              )}
              <Text>
                {t('wizard.budget')}: <b data-testid="wizard-budget">{formatFen(budgetFen)}</b>
              </Text>
              {chartPlan === null ? null : (
                <PrizeChart plan={chartPlan} seed={seed} onReshuffle={() => setSeed((s) => s + 1)} />
              )}
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepCoupons')}>
            <Stack mt="md">
              <Text fw={600}>{t('wizard.coupons')}</Text>
              {form.coupons.map((coupon, index) => {
                const at = (field: string) => errorAt(`couponOffers.${index}.${field}`);
                return (
                  <Card key={coupon.key} withBorder radius="sm" p="sm" data-testid={`coupon-${index + 1}`}>
                    <SimpleGrid cols={{ base: 1, sm: 3 }}>
                      <TextInput
                        label={`${t('wizard.couponTitle')} ${index + 1}`}
                        required
                        disabled={locked}
                        value={coupon.title}
                        error={at('title')}
                        onChange={(e) => setCoupon(coupon.key, { title: e.currentTarget.value })}
                      />
                      <MoneyInput
                        label={t('wizard.couponValue')}
                        minFen={1}
                        disabled={locked}
                        initialFen={coupon.valueFen ?? undefined}
                        error={at('valueFen')}
                        onFen={(valueFen) => setCoupon(coupon.key, { valueFen })}
                      />
                      <NumberInput
                        label={t('wizard.couponStock')}
                        min={1}
                        max={65_535}
                        {...AS_TYPED}
                        disabled={locked}
                        value={coupon.stock}
                        error={at('stock')}
                        onChange={(value) => setCoupon(coupon.key, { stock: numberField(value) })}
                      />
                      <TextInput
                        type="date"
                        label={`${t('wizard.couponValidUntil')} (${zone})`}
                        required
                        disabled={locked}
                        value={coupon.validUntil}
                        error={at('validUntil')}
                        onChange={(e) => setCoupon(coupon.key, { validUntil: e.currentTarget.value })}
                      />
                      <NumberInput
                        label={t('wizard.couponValidityDays')}
                        required
                        min={1}
                        max={3650}
                        {...AS_TYPED}
                        disabled={locked}
                        value={coupon.validityDays}
                        error={at('validityDays')}
                        onChange={(value) => setCoupon(coupon.key, { validityDays: numberField(value) })}
                      />
                      <Textarea
                        label={t('wizard.couponTerms')}
                        autosize
                        disabled={locked}
                        value={coupon.terms}
                        error={at('terms')}
                        onChange={(e) => setCoupon(coupon.key, { terms: e.currentTarget.value })}
                      />
                    </SimpleGrid>
                    <Group justify="flex-end" mt="xs">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        disabled={locked}
                        onClick={() =>
                          update((f) => {
                            const fallback = f.rules.fallback === null ? null : Number(f.rules.fallback);
                            // The fallback follows its offer: cleared with it, moved up when one before it goes.
                            const next =
                              fallback === null || fallback === index
                                ? null
                                : String(fallback > index ? fallback - 1 : fallback);
                            return {
                              ...f,
                              coupons: f.coupons.filter((c) => c.key !== coupon.key),
                              rules: { ...f.rules, fallback: next },
                            };
                          })
                        }
                      >
                        {t('wizard.remove')}
                      </Button>
                    </Group>
                  </Card>
                );
              })}
              {errorAt('couponOffers') === undefined ? null : (
                <Text size="sm" c="red" data-testid="coupons-error">
                  {errorAt('couponOffers')}
                </Text>
              )}
              <Group>
                <Button
                  variant="light"
                  disabled={form.coupons.length >= 64 || locked}
                  onClick={() =>
                    update((f) => ({
                      ...f,
                      coupons: [
                        ...f.coupons,
                        {
                          key: nextKey(),
                          title: '',
                          valueFen: 500,
                          stock: 100,
                          validUntil: f.endsAt.slice(0, 10),
                          validityDays: 30,
                          terms: '',
                        },
                      ],
                    }))
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
                  {...AS_TYPED}
                  value={form.rules.cashPerWalletPerDay}
                  error={errorAt('rules.cashPerWalletPerDay')}
                  onChange={(value) => setRules({ cashPerWalletPerDay: numberField(value) })}
                />
                <NumberInput
                  label={t('wizard.couponsPerDay')}
                  description={t('wizard.couponsPerDayHelp')}
                  min={0}
                  max={100}
                  {...AS_TYPED}
                  value={form.rules.couponsPerWalletPerDay}
                  error={errorAt('rules.couponsPerWalletPerDay')}
                  onChange={(value) => setRules({ couponsPerWalletPerDay: numberField(value) })}
                />
                <Select
                  label={t('wizard.fallback')}
                  // Picking the chosen offer again keeps it: "none" is its own option.
                  allowDeselect={false}
                  disabled={locked}
                  data={[
                    { value: '', label: t('wizard.fallbackNone') },
                    ...form.coupons.map((c, i) => ({ value: String(i), label: c.title || `#${i + 1}` })),
                  ]}
                  value={form.rules.fallback ?? ''}
                  error={errorAt('rules.fallbackCouponOfferIndex')}
                  onChange={(v) => setRules({ fallback: v === '' || v === null ? null : v })}
                />
              </SimpleGrid>
              <Switch
                label={t('wizard.fallThrough')}
                description={t('wizard.fallThroughHelp')}
                checked={form.rules.fallThrough}
                onChange={(event) => setRules({ fallThrough: event.currentTarget.checked })}
              />
              <Input.Wrapper
                label={t('wizard.claimPaths')}
                description={t('wizard.claimPathsHelp')}
                error={errorAt('rules.claimPaths')}
              >
                <Chip.Group
                  multiple
                  value={form.rules.claimPaths}
                  onChange={(value) =>
                    setRules({ claimPaths: claimPaths.filter((path) => value.includes(path)) })
                  }
                >
                  <Group gap="xs" mt={6} data-testid="wizard-claim-paths">
                    {claimPaths.map((path) => (
                      <Chip key={path} value={path} data-testid={`wizard-claim-path-${path}`}>
                        {t(`wizard.claimPath.${path}`)}
                      </Chip>
                    ))}
                  </Group>
                </Chip.Group>
              </Input.Wrapper>
              {offersOnlineClaims(form.rules) ? (
                <NumberInput
                  label={t('wizard.claimReserve')}
                  description={t('wizard.claimReserveHelp')}
                  min={0}
                  max={CLAIM_RESERVE_PERCENT_MAX}
                  suffix=" %"
                  {...AS_TYPED}
                  value={form.rules.claimReservePercent}
                  error={errorAt('rules.claimReservePercent')}
                  onChange={(value) => setRules({ claimReservePercent: numberField(value) })}
                  data-testid="wizard-claim-reserve"
                />
              ) : null}
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('wizard.stepReview')}>
            <Stack mt="md">
              <Text c="dimmed">{t('wizard.review')}</Text>
              <Stack gap="xs" data-testid="wizard-review">
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" verticalSpacing={6}>
                  <Text size="sm" c="dimmed">
                    {t('wizard.name')}
                  </Text>
                  <Text size="sm" fw={600}>
                    {form.name}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {t('wizard.sponsor')}
                  </Text>
                  <Text size="sm">{form.sponsor}</Text>
                </SimpleGrid>
                {check.body === null || plan === undefined ? null : (
                  <CampaignSummary
                    testIdPrefix="wizard"
                    campaign={{
                      startsAt: check.body.startsAt,
                      endsAt: check.body.endsAt,
                      dayparts: check.body.dayparts ?? [],
                      targeting: {
                        cities: check.body.targeting?.cities ?? [],
                        buildings: check.body.targeting?.buildings ?? [],
                        screenGroupIds: check.body.targeting?.screenGroupIds ?? [],
                      },
                      budgetFen: check.body.budgetFen,
                      prizePlan: plan,
                      couponOffers: (check.body.couponOffers ?? []).map((offer) => ({
                        ...offer,
                        terms: offer.terms ?? '',
                      })),
                      rules: {
                        cashPerWalletPerDay: check.body.rules?.cashPerWalletPerDay ?? 1,
                        couponsPerWalletPerDay: check.body.rules?.couponsPerWalletPerDay ?? 1,
                        fallbackCouponOfferIndex: check.body.rules?.fallbackCouponOfferIndex ?? null,
                        fallThrough: check.body.rules?.fallThrough === true,
                        ...claimRulesOf(form.rules),
                      },
                      creatives: check.body.creatives,
                    }}
                    targetingText={[
                      ...form.cities,
                      ...form.buildingKeys.map(
                        (key) => `${buildingOfKey(key) ?? ''} · ${cityOfKey(key) ?? ''}`,
                      ),
                      ...form.groupIds.map(
                        (id) => groupOptions.find((option) => option.value === id)?.label ?? `#${id}`,
                      ),
                    ].join(', ')}
                  />
                )}
              </Stack>
              {save.error === null ? null : <ErrorAlert error={save.error} />}
              {nextProblems.length === 0 ? null : (
                <Stack gap={0} data-testid="save-blocked">
                  {nextProblems.map((problem) => (
                    <Text key={problem} size="sm" c="orange.8">
                      {problem}
                    </Text>
                  ))}
                </Stack>
              )}
              <Group>
                {mode.kind === 'edit' ? (
                  <Button
                    loading={save.isPending}
                    disabled={check.body === null}
                    onClick={() => saveForm(false)}
                  >
                    {t('wizard.save')}
                  </Button>
                ) : (
                  <>
                    <Button
                      variant="default"
                      disabled={check.body === null}
                      loading={create.isPending && !create.variables.submit}
                      onClick={() => saveForm(false)}
                    >
                      {t('wizard.create')}
                    </Button>
                    <Button
                      disabled={check.body === null}
                      loading={create.isPending && create.variables.submit}
                      onClick={() => saveForm(true)}
                    >
                      {t('wizard.createAndSubmit')}
                    </Button>
                  </>
                )}
              </Group>
            </Stack>
          </Stepper.Step>
        </Stepper>
        <Group justify="space-between" mt="xl">
          <Button variant="default" disabled={step === 0} onClick={() => setStep((s) => Math.max(0, s - 1))}>
            {t('common.back')}
          </Button>
          {step < LAST_STEP ? (
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
                onClick={() => setStep((s) => Math.min(LAST_STEP, s + 1))}
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
