// Bulk actions over every screen the list's filter selects, not only the rows loaded: move (city,
// building, time zone), add to or remove from a group, revoke. The server counts the screens first; the
// operator confirms that count, the server refuses if it changed meanwhile, and the dispatchers' progress
// (configs republished, broker identities removed) is shown until they are done.
import { Alert, Button, Group, Modal, Progress, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useBulkAction,
  useBulkPreview,
  useBulkProgress,
  type BulkAction,
  type BulkFilterInput,
  type BulkOutcome,
} from '../../api/hooks/bulk-screens.ts';
import { useEveryPage } from '../../api/hooks/paging.ts';
import { useScreenGroupPages } from '../../api/hooks/screen-groups.ts';
import { ErrorAlert } from '../../components/feedback.tsx';
import { formatCount } from '../../lib/format.ts';

type Kind = BulkAction['kind'];
const KINDS: Kind[] = ['move', 'add-to-group', 'remove-from-group', 'revoke'];
/** How often the dispatchers' progress is asked for while they work. */
const PROGRESS_REFETCH_MS = 2_000;

function actionOf(
  kind: Kind | null,
  form: { city: string; building: string; timezone: string; groupId: string | null },
): BulkAction | null {
  switch (kind) {
    case 'move': {
      const move = {
        kind: 'move' as const,
        ...(form.city.trim() === '' ? {} : { city: form.city.trim() }),
        ...(form.building.trim() === '' ? {} : { building: form.building.trim() }),
        ...(form.timezone.trim() === '' ? {} : { timezone: form.timezone.trim() }),
      };
      return Object.keys(move).length > 1 ? move : null;
    }
    case 'add-to-group':
    case 'remove-from-group':
      return form.groupId === null ? null : { kind, groupId: Number(form.groupId) };
    case 'revoke':
      return { kind: 'revoke' };
    default:
      return null;
  }
}

function ProgressView({ outcome }: { outcome: BulkOutcome }) {
  const { t, i18n } = useTranslation();
  const [done, setDone] = useState(false);
  const progress = useBulkProgress(outcome.generation, !done, PROGRESS_REFETCH_MS);
  // Screens of later changes may wait for a config of this generation too, and other revocations may
  // be queued: what is left of this change is at most its own count.
  const configsLeft =
    outcome.configs === 0 ? 0 : Math.min(outcome.configs, progress.data?.configsPending ?? outcome.configs);
  const revocationsLeft =
    outcome.revocations === 0
      ? 0
      : Math.min(outcome.revocations, progress.data?.revocationsPending ?? outcome.revocations);
  const finished = progress.data !== undefined && configsLeft === 0 && revocationsLeft === 0;
  useEffect(() => {
    if (finished) setDone(true);
  }, [finished]);
  const percent = (total: number, left: number) =>
    total === 0 ? 100 : Math.round(((total - left) / total) * 100);
  return (
    <Stack gap="xs" data-testid="bulk-progress">
      <Alert color="teal">{t('bulk.queued', { count: formatCount(outcome.screens, i18n.language) })}</Alert>
      {outcome.configs === 0 ? null : (
        <>
          <Text size="sm">
            {t('bulk.configsProgress', {
              done: formatCount(outcome.configs - configsLeft, i18n.language),
              total: formatCount(outcome.configs, i18n.language),
            })}
          </Text>
          <Progress value={percent(outcome.configs, configsLeft)} />
        </>
      )}
      {outcome.revocations === 0 ? null : (
        <>
          <Text size="sm">
            {t('bulk.revocationsProgress', {
              done: formatCount(outcome.revocations - revocationsLeft, i18n.language),
              total: formatCount(outcome.revocations, i18n.language),
            })}
          </Text>
          <Progress color="red" value={percent(outcome.revocations, revocationsLeft)} />
          {(progress.data?.revocationsFailing ?? 0) > 0 ? (
            <Text size="xs" c="red.8">
              {t('bulk.revocationsRetrying', { count: progress.data?.revocationsFailing ?? 0 })}
            </Text>
          ) : null}
        </>
      )}
      {done ? (
        <Text size="sm" data-testid="bulk-done">
          {t('bulk.done')}
        </Text>
      ) : null}
    </Stack>
  );
}

export function BulkActionsModal(props: { opened: boolean; onClose: () => void; filter: BulkFilterInput }) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<Kind | null>(null);
  const [form, setForm] = useState({ city: '', building: '', timezone: '', groupId: null as string | null });
  const [debounced] = useDebouncedValue(form, 400);
  const action = actionOf(kind, debounced);
  // The count confirmed is the one counted for the form as it stands, never for what it was 400 ms ago.
  const typing = JSON.stringify(form) !== JSON.stringify(debounced);
  const preview = useBulkPreview(props.filter, props.opened ? action : null);
  // Every group is offered, not only the first page of them.
  const groups = useEveryPage(useScreenGroupPages());
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const apply = useBulkAction({ onSuccess: setOutcome });
  const close = () => {
    setKind(null);
    setForm({ city: '', building: '', timezone: '', groupId: null });
    setOutcome(null);
    apply.reset();
    props.onClose();
  };
  const count = (value: number) => formatCount(value, i18n.language);
  const affected = preview.data?.affected ?? 0;
  const text = (key: 'city' | 'building' | 'timezone', label: string, placeholder?: string) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={form[key]}
      maxLength={100}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setForm((previous) => ({ ...previous, [key]: value }));
      }}
    />
  );
  return (
    <Modal opened={props.opened} onClose={close} title={t('bulk.actionsTitle')} size="lg" centered>
      {outcome !== null ? (
        <Stack>
          <ProgressView outcome={outcome} />
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.close')}</Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Select
            label={t('bulk.action')}
            data={KINDS.map((value) => ({ value, label: t(`bulk.kinds.${value}`) }))}
            value={kind}
            onChange={(value) => setKind(value as Kind | null)}
            data-testid="bulk-kind"
          />
          {kind === 'move' ? (
            <>
              {text('city', t('screens.city'))}
              {text('building', t('screens.building'))}
              {text('timezone', t('bulk.timezone'), 'Asia/Shanghai')}
              <Text size="xs" c="dimmed">
                {t('bulk.moveHelp')}
              </Text>
            </>
          ) : null}
          {kind === 'add-to-group' || kind === 'remove-from-group' ? (
            <Select
              label={t('bulk.group')}
              searchable
              data={groups.items.map((group) => ({ value: String(group.id), label: group.name }))}
              value={form.groupId}
              onChange={(value) => setForm((previous) => ({ ...previous, groupId: value }))}
            />
          ) : null}
          {preview.error === null ? null : <ErrorAlert error={preview.error} />}
          {action === null || preview.data === undefined ? null : (
            <Alert color={kind === 'revoke' ? 'red' : 'blue'} data-testid="bulk-preview">
              {t('bulk.previewText', {
                matching: count(preview.data.matching),
                affected: count(preview.data.affected),
              })}
            </Alert>
          )}
          {apply.error === null ? null : <ErrorAlert error={apply.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button
              {...(kind === 'revoke' ? { color: 'red' } : {})}
              disabled={
                typing ||
                action === null ||
                preview.data === undefined ||
                affected === 0 ||
                preview.isFetching
              }
              loading={apply.isPending}
              onClick={() =>
                action !== null && apply.mutate({ filter: props.filter, action, expectedScreens: affected })
              }
              data-testid="bulk-confirm"
            >
              {kind === null ? t('common.confirm') : t(`bulk.confirm.${kind}`, { count: count(affected) })}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
