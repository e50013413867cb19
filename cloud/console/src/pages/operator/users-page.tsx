// Console users for operators: a paged list, creating a user with a role (an advertiser user names its
// advertiser), disabling and enabling, and resetting a password. Disabling or a reset ends the user's
// sessions at once; a disabled user's till keys stop too.
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdvertiserPages } from '../../api/hooks/advertisers.ts';
import { useEveryPage } from '../../api/hooks/paging.ts';
import { useCreateUser, useResetPassword, useToggleUser, useUserPage } from '../../api/hooks/users.ts';
import type { ConsoleUser } from '../../api/types.ts';
import { CursorPager, useCursorStack } from '../../components/cursor-pager.tsx';
import { Empty, ErrorAlert, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { useSession } from '../../components/session-context.tsx';
import { formatDateTime } from '../../lib/format.ts';

const PAGE_SIZE = 20;

const emptyForm = { email: '', password: '', role: 'advertiser' as ConsoleUser['role'], advertiserId: '' };

function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState(emptyForm);
  const advertisers = useEveryPage(useAdvertiserPages({ enabled: opened }));
  const create = useCreateUser({
    onSuccess: (user) => {
      notifySuccess(t('users.created', { email: user.email }));
      setForm(emptyForm);
      onClose();
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate({
      email: form.email,
      password: form.password,
      role: form.role,
      ...(form.role === 'advertiser' && form.advertiserId !== ''
        ? { advertiserId: Number(form.advertiserId) }
        : {}),
    });
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('users.createTitle')} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('users.email')}
            type="email"
            required
            value={form.email}
            onChange={(event) => setForm({ ...form, email: event.currentTarget.value })}
          />
          <PasswordInput
            label={t('users.password')}
            description={t('users.passwordHelp')}
            required
            autoComplete="new-password"
            value={form.password}
            onChange={(event) => setForm({ ...form, password: event.currentTarget.value })}
          />
          <Select
            label={t('users.role')}
            data={[
              { value: 'advertiser', label: t('users.roles.advertiser') },
              { value: 'operator', label: t('users.roles.operator') },
            ]}
            value={form.role}
            allowDeselect={false}
            onChange={(value) => setForm({ ...form, role: value === 'operator' ? 'operator' : 'advertiser' })}
          />
          {form.role === 'advertiser' ? (
            <Select
              label={t('users.advertiser')}
              required
              searchable
              data={advertisers.items.map((advertiser) => ({
                value: String(advertiser.id),
                label: advertiser.name,
              }))}
              value={form.advertiserId === '' ? null : form.advertiserId}
              onChange={(value) => setForm({ ...form, advertiserId: value ?? '' })}
            />
          ) : null}
          {create.error === null ? null : <ErrorAlert error={create.error} />}
          <Button type="submit" loading={create.isPending}>
            {t('users.createSubmit')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: ConsoleUser | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const reset = useResetPassword({
    onSuccess: (target) => {
      notifySuccess(t('users.passwordReset', { email: target.email }));
      setPassword('');
      onClose();
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (user !== null) reset.mutate({ id: user.id, password });
  };
  return (
    <Modal
      opened={user !== null}
      onClose={onClose}
      title={t('users.resetTitle', { email: user?.email ?? '' })}
      centered
    >
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm" c="dimmed">
            {t('users.resetHelp')}
          </Text>
          <PasswordInput
            label={t('users.newPassword')}
            required
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
          />
          {reset.error === null ? null : <ErrorAlert error={reset.error} />}
          <Button type="submit" loading={reset.isPending}>
            {t('users.resetSubmit')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<ConsoleUser | null>(null);
  // Keyset pages, so Previous goes back exactly.
  const pages = useCursorStack();
  const after = pages.cursor;
  const users = useUserPage({ limit: PAGE_SIZE, after });
  const toggle = useToggleUser({
    onSuccess: (user) => {
      notifySuccess(
        t(user.disabledAt === null ? 'users.enabledNotice' : 'users.disabledNotice', { email: user.email }),
      );
    },
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('users.title')}</Title>
        <Button onClick={() => setCreating(true)}>{t('users.create')}</Button>
      </Group>
      {toggle.error === null ? null : <ErrorAlert error={toggle.error} />}
      <QueryState
        query={users}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty>{t('users.empty')}</Empty>}
      >
        {(page) => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={820}>
              <Table verticalSpacing="sm" aria-label={t('users.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={70}>{t('common.id')}</Table.Th>
                    <Table.Th>{t('users.email')}</Table.Th>
                    <Table.Th>{t('users.role')}</Table.Th>
                    <Table.Th>{t('users.advertiser')}</Table.Th>
                    <Table.Th>{t('users.createdAt')}</Table.Th>
                    <Table.Th>{t('users.status')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((user) => (
                    <Table.Tr key={user.id} data-testid="user-row" data-email={user.email}>
                      <Table.Td>{user.id}</Table.Td>
                      <Table.Td>{user.email}</Table.Td>
                      <Table.Td>{t(`users.roles.${user.role}`)}</Table.Td>
                      <Table.Td>{user.advertiserName ?? '—'}</Table.Td>
                      <Table.Td>{formatDateTime(user.createdAt, i18n.language)}</Table.Td>
                      <Table.Td>
                        <Badge color={user.disabledAt === null ? 'teal' : 'gray'} variant="light">
                          {t(user.disabledAt === null ? 'users.active' : 'users.disabled')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button size="xs" variant="default" onClick={() => setResetting(user)}>
                            {t('users.resetPassword')}
                          </Button>
                          {session?.email === user.email ? null : (
                            <Button
                              size="xs"
                              variant="light"
                              color={user.disabledAt === null ? 'red' : 'teal'}
                              loading={toggle.isPending && toggle.variables.id === user.id}
                              onClick={() => toggle.mutate(user)}
                            >
                              {t(user.disabledAt === null ? 'users.disable' : 'users.enable')}
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager
              pages={pages}
              next={page.nextAfter}
              backLabel={t('users.previous')}
              forwardLabel={t('users.next')}
            />
          </Card>
        )}
      </QueryState>
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Stack>
  );
}
