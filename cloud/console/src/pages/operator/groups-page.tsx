// Screen groups: create one, and choose its member screens.
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiJson } from '../../api/client.ts';
import type { Page, Screen, ScreenGroup } from '../../api/types.ts';
import { Empty, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';

function MembersModal(props: { group: ScreenGroup; screens: Screen[]; onClose: () => void }) {
  const { t } = useTranslation();
  const token = useToken();
  const queryClient = useQueryClient();
  const current = useQuery({
    queryKey: ['screens', 'group', props.group.id],
    queryFn: () =>
      apiJson<Page<Screen>>('/v1/screens', { token, query: { limit: 100, groupId: props.group.id } }),
  });
  const [members, setMembers] = useState<string[] | null>(null);
  const shown = members ?? current.data?.items.map((s) => String(s.id)) ?? [];
  const save = useMutation({
    mutationFn: () =>
      apiJson(`/v1/screen-groups/${props.group.id}/screens`, {
        token,
        method: 'PUT',
        body: { screenIds: shown.map(Number) },
      }),
    onSuccess: () => {
      notifySuccess(t('groups.saved'));
      void queryClient.invalidateQueries({ queryKey: ['screen-groups'] });
      void queryClient.invalidateQueries({ queryKey: ['screens'] });
      props.onClose();
    },
    onError: notifyError,
  });
  return (
    <Modal opened onClose={props.onClose} title={props.group.name} centered>
      <Stack>
        <MultiSelect
          label={t('groups.members')}
          searchable
          disabled={current.isPending}
          data={props.screens.map((s) => ({ value: String(s.id), label: `#${s.id} ${s.name} · ${s.city}` }))}
          value={shown}
          onChange={setMembers}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('common.cancel')}
          </Button>
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function GroupsPage() {
  const { t } = useTranslation();
  const token = useToken();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<ScreenGroup | null>(null);
  const groups = useQuery({
    queryKey: ['screen-groups'],
    queryFn: () => apiJson<Page<ScreenGroup>>('/v1/screen-groups', { token, query: { limit: 100 } }),
  });
  const screens = useQuery({
    queryKey: ['screens', 'all'],
    queryFn: () => apiJson<Page<Screen>>('/v1/screens', { token, query: { limit: 100 } }),
  });
  const create = useMutation({
    mutationFn: () => apiJson<ScreenGroup>('/v1/screen-groups', { token, body: { name } }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['screen-groups'] });
    },
    onError: notifyError,
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Stack>
      <Title order={2}>{t('groups.title')}</Title>
      <Card withBorder radius="md">
        <form onSubmit={submit}>
          <Group align="end">
            <TextInput
              label={t('common.name')}
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={280}
            />
            <Button type="submit" loading={create.isPending}>
              {t('groups.create')}
            </Button>
          </Group>
        </form>
      </Card>
      <QueryState
        query={groups}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty>{t('groups.emptyBody')}</Empty>}
      >
        {(page) => (
          <Card withBorder radius="md" p={0}>
            <Table verticalSpacing="sm" aria-label={t('groups.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('common.id')}</Table.Th>
                  <Table.Th>{t('common.name')}</Table.Th>
                  <Table.Th>{t('groups.screens')}</Table.Th>
                  <Table.Th>{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((group) => (
                  <Table.Tr key={group.id}>
                    <Table.Td>#{group.id}</Table.Td>
                    <Table.Td fw={600}>{group.name}</Table.Td>
                    <Table.Td>
                      <Badge variant="light">{group.screens}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" variant="light" onClick={() => setEditing(group)}>
                        {t('groups.editMembers')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        )}
      </QueryState>
      {editing === null ? null : (
        <MembersModal
          key={editing.id}
          group={editing}
          screens={screens.data?.items ?? []}
          onClose={() => setEditing(null)}
        />
      )}
    </Stack>
  );
}
