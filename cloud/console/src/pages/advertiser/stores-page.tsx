// Merchants and stores for a brand (the operator sees every brand's): register them, choose the offers
// each store accepts, and issue, rotate or revoke the stores' till keys (a new key is shown once).
// Merchants, each merchant's stores and a store's keys load a page at a time ("load more").
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdvertiserPages } from '../../api/hooks/advertisers.ts';
import { useEveryPage } from '../../api/hooks/paging.ts';
import { useCampaignPages } from '../../api/hooks/campaigns.ts';
import {
  useCreateMerchant,
  useCreateStore,
  useIssueTillKey,
  useMerchantPages,
  useRevokeTillKey,
  useSetStoreOffers,
  useStorePages,
  useTillKeyPages,
} from '../../api/hooks/merchants.ts';
import type { Merchant, Store, TillKey } from '../../api/types.ts';
import { Empty, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { useSession } from '../../components/session-context.tsx';
import { formatDateTime } from '../../lib/format.ts';

type IssuedKey = TillKey & { key: string; storeName: string };

/** Merchants per page: each merchant's card asks for its own stores, so fewer than a full API page. */
const MERCHANTS_PAGE_SIZE = 20;

function NewMerchant() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [name, setName] = useState('');
  const [advertiserId, setAdvertiserId] = useState<string | null>(null);
  const isOperator = session?.role === 'operator';
  const advertisers = useEveryPage(useAdvertiserPages({ enabled: isOperator }));
  const create = useCreateMerchant({ onSuccess: () => setName(''), onError: notifyError });
  return (
    <Card withBorder radius="md">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({
            name,
            ...(isOperator && advertiserId !== null ? { advertiserId: Number(advertiserId) } : {}),
          });
        }}
      >
        <Group align="end">
          {isOperator ? (
            <Select
              label={t('stores.advertiser')}
              w={240}
              required
              data={advertisers.items.map((a) => ({ value: String(a.id), label: a.name }))}
              value={advertiserId}
              onChange={setAdvertiserId}
            />
          ) : null}
          <TextInput
            label={t('stores.merchantName')}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            required
            w={280}
          />
          <Button type="submit" loading={create.isPending}>
            {t('stores.newMerchant')}
          </Button>
        </Group>
      </form>
    </Card>
  );
}

function NewStoreModal({ merchant, onClose }: { merchant: Merchant; onClose: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ name: '', city: '', address: '' });
  const create = useCreateStore(merchant.id, { onSuccess: onClose, onError: notifyError });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    required: true,
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setForm((current) => ({ ...current, [key]: value }));
    },
  });
  return (
    <Modal opened onClose={onClose} title={`${t('stores.addStore')} · ${merchant.name}`} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(form);
        }}
      >
        <Stack>
          <TextInput label={t('stores.storeName')} {...field('name')} />
          <TextInput label={t('stores.city')} {...field('city')} />
          <Textarea label={t('stores.address')} autosize minRows={1} {...field('address')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function KeysModal({ store, onClose }: { store: Store; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const keys = useTillKeyPages(store.id);
  const revoke = useRevokeTillKey(store.id, { onError: notifyError });
  return (
    <Modal opened onClose={onClose} title={`${t('stores.keys')} · ${store.name}`} centered size="lg">
      <QueryState
        query={keys.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty />}
      >
        {() => (
          <Stack gap={0}>
            <Table>
              <Table.Tbody>
                {keys.items.map((key) => (
                  <Table.Tr key={key.id}>
                    <Table.Td style={{ fontFamily: 'monospace' }}>{key.hint}…</Table.Td>
                    <Table.Td>{formatDateTime(key.createdAt, i18n.language)}</Table.Td>
                    <Table.Td>
                      {t('stores.lastUsed')}: {formatDateTime(key.lastUsedAt, i18n.language)}
                    </Table.Td>
                    <Table.Td>
                      {key.revokedAt === null ? (
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          loading={revoke.isPending && revoke.variables === key.id}
                          onClick={() => revoke.mutate(key.id)}
                        >
                          {t('stores.revoke')}
                        </Button>
                      ) : (
                        <Badge color="gray">{t('stores.revoked')}</Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <LoadMore list={keys} />
          </Stack>
        )}
      </QueryState>
    </Modal>
  );
}

function StoreRow(props: {
  store: Store;
  offers: { value: string; label: string }[];
  onKey: (key: IssuedKey) => void;
}) {
  const { t } = useTranslation();
  const [accepted, setAccepted] = useState<string[] | null>(null);
  const [showKeys, setShowKeys] = useState(false);
  const shown = accepted ?? props.store.acceptedOfferIds.map(String);
  const save = useSetStoreOffers(props.store.id, {
    onSuccess: () => {
      notifySuccess(t('stores.offersSaved'));
      setAccepted(null);
    },
    onError: notifyError,
  });
  const issue = useIssueTillKey(props.store.id, {
    onSuccess: (key) => props.onKey({ ...key, storeName: props.store.name }),
    onError: notifyError,
  });
  return (
    <Table.Tr data-testid={`store-row-${props.store.id}`}>
      <Table.Td>
        <Text fw={600}>{props.store.name}</Text>
        <Text size="xs" c="dimmed">
          {props.store.city} · {props.store.address}
        </Text>
      </Table.Td>
      <Table.Td miw={280}>
        <Group gap="xs" align="end" wrap="nowrap">
          <MultiSelect
            aria-label={t('stores.offers')}
            placeholder={shown.length === 0 ? t('stores.noOffers') : undefined}
            data={props.offers}
            value={shown}
            onChange={setAccepted}
            searchable
            style={{ flex: 1 }}
          />
          {accepted === null ? null : (
            <Button size="xs" loading={save.isPending} onClick={() => save.mutate(shown.map(Number))}>
              {t('stores.saveOffers')}
            </Button>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Anchor component="button" type="button" onClick={() => setShowKeys(true)} size="sm">
          {t('stores.activeKeys', { count: props.store.activeTillKeys })}
        </Anchor>
        {showKeys ? <KeysModal store={props.store} onClose={() => setShowKeys(false)} /> : null}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" loading={issue.isPending} onClick={() => issue.mutate(false)}>
            {t('stores.issueKey')}
          </Button>
          {props.store.activeTillKeys === 0 ? null : (
            <Button size="xs" variant="default" loading={issue.isPending} onClick={() => issue.mutate(true)}>
              {t('stores.rotateKey')}
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function MerchantCard(props: {
  merchant: Merchant;
  offersOf: (advertiserId: number) => { value: string; label: string }[];
  onAddStore: (merchant: Merchant) => void;
  onKey: (key: IssuedKey) => void;
}) {
  const { t } = useTranslation();
  const { merchant } = props;
  const stores = useStorePages(merchant.id);
  const paged = stores.hasMore || (stores.query.data?.pages.length ?? 0) > 1;
  return (
    <Card withBorder radius="md" data-testid={`merchant-${merchant.id}`}>
      <Group justify="space-between" mb="sm">
        <Text fw={700}>{merchant.name}</Text>
        <Button size="xs" variant="light" onClick={() => props.onAddStore(merchant)}>
          {t('stores.addStore')}
        </Button>
      </Group>
      <QueryState
        query={stores.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={
          <Text size="sm" c="dimmed">
            {t('stores.empty')}
          </Text>
        }
      >
        {() => (
          <Stack gap={0}>
            <Table.ScrollContainer minWidth={760}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('stores.storeName')}</Table.Th>
                    <Table.Th>{t('stores.offers')}</Table.Th>
                    <Table.Th>{t('stores.keys')}</Table.Th>
                    <Table.Th>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {stores.items.map((store) => (
                    <StoreRow
                      key={store.id}
                      store={store}
                      offers={props.offersOf(store.advertiserId)}
                      onKey={props.onKey}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {paged ? <LoadMore list={stores} /> : null}
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}

export function StoresPage() {
  const { t } = useTranslation();
  const [addingTo, setAddingTo] = useState<Merchant | null>(null);
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  const merchants = useMerchantPages(MERCHANTS_PAGE_SIZE);
  const campaigns = useEveryPage(useCampaignPages());
  const offersOf = (advertiserId: number) =>
    campaigns.items
      .filter((campaign) => campaign.advertiserId === advertiserId)
      .flatMap((campaign) =>
        campaign.couponOffers.map((offer) => ({
          value: String(offer.id),
          label: `${offer.title} · ${campaign.name}`,
        })),
      );
  return (
    <Stack>
      <Title order={2}>{t('stores.title')}</Title>
      <Text c="dimmed">{t('stores.intro')}</Text>
      <NewMerchant />
      <QueryState
        query={merchants.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('stores.noMerchants')}</Empty>}
      >
        {() => (
          <Stack>
            {merchants.items.map((merchant) => (
              <MerchantCard
                key={merchant.id}
                merchant={merchant}
                offersOf={offersOf}
                onAddStore={setAddingTo}
                onKey={setIssued}
              />
            ))}
            <LoadMore list={merchants} />
          </Stack>
        )}
      </QueryState>
      {addingTo === null ? null : <NewStoreModal merchant={addingTo} onClose={() => setAddingTo(null)} />}
      {issued === null ? null : (
        <Modal
          opened
          onClose={() => setIssued(null)}
          title={t('stores.keyTitle', { store: issued.storeName })}
          centered
        >
          <Stack>
            <Alert color="yellow">{t('stores.keyOnce')}</Alert>
            <Text data-testid="till-key" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }} fw={700}>
              {issued.key}
            </Text>
            <Group justify="space-between">
              <Anchor href="/till" target="_blank" size="sm">
                {t('stores.openTill')}
              </Anchor>
              <CopyButton value={issued.key}>
                {({ copied, copy }) => (
                  <Button variant="light" onClick={copy}>
                    {copied ? t('common.copied') : t('common.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Modal>
      )}
    </Stack>
  );
}
