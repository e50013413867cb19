// Screen groups: create, rename and delete them, and add or remove member screens a few at a time
// (found by a search on the server, so a fleet of any size works); every list pages to its last row.
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreenGroupPages } from '../../api/hooks/screen-groups.ts';
import {
  useChangeGroupMembers,
  useCreateScreenGroup,
  useDeleteScreenGroup,
  useGroupMemberPages,
  useRenameScreenGroup,
  useScreenSearch,
} from '../../api/hooks/screens.ts';
import type { ScreenGroup } from '../../api/types.ts';
import { Empty, ErrorAlert, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { Truncated } from './screen-parts.tsx';

/** Screens offered by the member search at a time. */
const SEARCH_RESULTS_MAX = 20;

function MembersModal(props: { group: ScreenGroup; onClose: () => void }) {
  const { t } = useTranslation();
  const members = useGroupMemberPages(props.group.id);
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250);
  const found = useScreenSearch(debouncedSearch, SEARCH_RESULTS_MAX);
  const change = useChangeGroupMembers(props.group.id, {
    onSuccess: () => notifySuccess(t('fleet.membersChanged')),
    onError: notifyError,
  });
  return (
    <Modal opened onClose={props.onClose} title={props.group.name} centered size="lg">
      <Stack>
        <Select
          label={t('fleet.addScreens')}
          description={t('fleet.addScreensHelp')}
          placeholder={t('fleet.searchPlaceholder')}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          data={(found.data?.items ?? []).map((screen) => ({
            value: String(screen.id),
            label: `#${screen.id} ${screen.name} · ${screen.city}`,
          }))}
          value={null}
          onChange={(value) => {
            if (value === null) return;
            change.mutate({ add: [Number(value)] });
            setSearch('');
          }}
          nothingFoundMessage={debouncedSearch === '' ? undefined : t('common.empty')}
        />
        <QueryState
          query={members.query}
          isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
          empty={
            <Text size="sm" c="dimmed">
              {t('fleet.noMembers')}
            </Text>
          }
        >
          {() => (
            <Card withBorder p={0}>
              <Table layout="fixed" verticalSpacing={6} aria-label={t('groups.members')}>
                <Table.Tbody>
                  {members.items.map((screen) => (
                    <Table.Tr key={screen.id} data-testid={`member-${screen.id}`}>
                      <Table.Td>
                        <Truncated text={`#${screen.id} ${screen.name} · ${screen.city}`} size="sm" />
                      </Table.Td>
                      <Table.Td w={100}>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => change.mutate({ remove: [screen.id] })}
                        >
                          {t('fleet.removeScreen')}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <LoadMore list={members} total={props.group.screens} />
            </Card>
          )}
        </QueryState>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('common.close')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RenameModal(props: { group: ScreenGroup; onClose: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(props.group.name);
  const rename = useRenameScreenGroup(props.group.id, {
    onSuccess: () => {
      notifySuccess(t('fleet.groupRenamed'));
      props.onClose();
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    rename.mutate(name);
  };
  return (
    <Modal opened onClose={props.onClose} title={t('fleet.groupRename')} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('common.name')}
            required
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          {rename.error === null ? null : <ErrorAlert error={rename.error} />}
          <Button type="submit" loading={rename.isPending}>
            {t('common.save')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function DeleteModal(props: { group: ScreenGroup; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useDeleteScreenGroup(props.group.id, {
    onSuccess: () => {
      notifySuccess(t('fleet.groupDeleted', { name: props.group.name }));
      props.onClose();
    },
  });
  return (
    <Modal opened onClose={props.onClose} title={t('fleet.groupDelete')} centered>
      <Stack>
        <Text style={{ overflowWrap: 'anywhere' }}>
          {t('fleet.groupDeleteConfirm', { name: props.group.name })}
        </Text>
        {remove.error === null ? null : <ErrorAlert error={remove.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
            {t('fleet.groupDelete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

type Editing = { group: ScreenGroup; action: 'members' | 'rename' | 'delete' } | null;

export function GroupsPage() {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const groups = useScreenGroupPages();
  const create = useCreateScreenGroup({
    onSuccess: () => setName(''),
    onError: notifyError,
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate(name);
  };
  const close = () => setEditing(null);
  return (
    <Stack>
      <Title order={2}>{t('groups.title')}</Title>
      <Card withBorder radius="md">
        <form onSubmit={submit}>
          <Group align="end">
            <TextInput
              label={t('common.name')}
              required
              maxLength={200}
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
        query={groups.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('groups.emptyBody')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={640}>
              <Table layout="fixed" verticalSpacing="sm" aria-label={t('groups.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={80}>{t('common.id')}</Table.Th>
                    <Table.Th>{t('common.name')}</Table.Th>
                    <Table.Th w={100}>{t('groups.screens')}</Table.Th>
                    <Table.Th w={300}>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {groups.items.map((group) => (
                    <Table.Tr key={group.id} data-testid={`group-row-${group.id}`}>
                      <Table.Td>#{group.id}</Table.Td>
                      <Table.Td>
                        <Truncated text={group.name} fw={600} size="sm" />
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" data-testid={`group-screens-${group.id}`}>
                          {group.screens}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="light"
                            onClick={() => setEditing({ group, action: 'members' })}
                          >
                            {t('groups.editMembers')}
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            onClick={() => setEditing({ group, action: 'rename' })}
                          >
                            {t('fleet.groupRename')}
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            onClick={() => setEditing({ group, action: 'delete' })}
                          >
                            {t('fleet.groupDelete')}
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={groups} />
          </Card>
        )}
      </QueryState>
      {editing?.action === 'members' ? (
        <MembersModal key={editing.group.id} group={editing.group} onClose={close} />
      ) : null}
      {editing?.action === 'rename' ? (
        <RenameModal key={editing.group.id} group={editing.group} onClose={close} />
      ) : null}
      {editing?.action === 'delete' ? (
        <DeleteModal key={editing.group.id} group={editing.group} onClose={close} />
      ) : null}
    </Stack>
  );
}
