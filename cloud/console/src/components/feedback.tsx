// Loading, empty and error states, shared by every page. Errors show a translated message chosen by the
// API's stable code (lib/errors.ts) and, for each field the error names, that field and what is wrong with
// it; the codes stay in `data-error-code` / `data-field-code` for support and tests.
import { Alert, Button, Center, Group, List, Loader, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorCode, errorFields, errorText, fieldIssueText, fieldLabel } from '../lib/errors.ts';

export { errorCode };

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Alert
      color="red"
      variant="light"
      title={t('common.errorTitle')}
      role="alert"
      data-error-code={errorCode(error)}
    >
      <Stack gap="xs">
        {/* The fields' own messages say more than the code's general one, so they stand in for it. */}
        {errorFields(error).length === 0 ? (
          <Text size="sm" data-testid="error-message">
            {errorText(error, i18n)}
          </Text>
        ) : (
          <FieldIssueList error={error} />
        )}
        {onRetry === undefined ? null : (
          <Group>
            <Button size="xs" variant="light" color="red" onClick={onRetry}>
              {t('common.retry')}
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

/** The fields a failed request names, each as "field: what is wrong", translated. */
export function FieldIssueList({ error }: { error: unknown }) {
  const { i18n } = useTranslation();
  const fields = errorFields(error);
  if (fields.length === 0) return null;
  return (
    <List size="sm" spacing={2} data-testid="error-fields">
      {fields.map((field, index) => {
        const label = fieldLabel(field.path, i18n);
        const text = fieldIssueText(field, i18n);
        return (
          <List.Item key={`${field.path}-${index}`} data-field-code={field.code} data-field-path={field.path}>
            {label === '' ? text : `${label}: ${text}`}
          </List.Item>
        );
      })}
    </List>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">{t('common.loading')}</Text>
      </Group>
    </Center>
  );
}

export function Empty({ title, children, icon }: { title?: string; children?: ReactNode; icon?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="xl" radius="md" bg="var(--mantine-color-gray-0)">
      <Stack align="center" gap="xs">
        <ThemeIcon size={44} radius="xl" variant="light" color="gray" aria-hidden>
          {icon ?? '∅'}
        </ThemeIcon>
        <Text fw={600}>{title ?? t('common.empty')}</Text>
        {children === undefined ? null : (
          <Text c="dimmed" size="sm" ta="center" maw={460}>
            {children}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** Renders the right state for a query: loading, error (with retry), empty, or the content. */
export function QueryState<T>(props: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { query } = props;
  if (query.isPending) return <Loading />;
  if (query.error !== null && query.error !== undefined)
    return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data === undefined) return <Loading />;
  if (props.isEmpty?.(query.data) === true) return <>{props.empty ?? <Empty />}</>;
  return <>{props.children(query.data)}</>;
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 4000 });
}

export function notifyError(error: unknown): void {
  notifications.show({
    color: 'red',
    title: i18next.t('common.errorTitle'),
    message: (
      <span data-error-code={errorCode(error)}>
        {errorFields(error).length === 0 ? errorText(error, i18next) : null}
        {errorFields(error).map((field, index) => {
          const label = fieldLabel(field.path, i18next);
          const text = fieldIssueText(field, i18next);
          return (
            <span key={`${field.path}-${index}`} data-field-code={field.code} style={{ display: 'block' }}>
              {label === '' ? text : `${label}: ${text}`}
            </span>
          );
        })}
      </span>
    ),
    autoClose: 8000,
  });
}
