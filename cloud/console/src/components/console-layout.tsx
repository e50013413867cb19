// The operator / advertiser shell: header with language switch and sign-out, a role-specific navbar.
import { AppShell, Badge, Burger, Group, NavLink, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useLocation } from 'react-router';
import { LanguageSwitch } from './language-switch.tsx';
import { useSignOut } from '../api/hooks/auth.ts';
import { useSession } from './session-context.tsx';

const OPERATOR_LINKS = [
  ['/operator/screens', 'nav.screens'],
  ['/operator/groups', 'nav.groups'],
  ['/operator/tag-batches', 'nav.tagBatches'],
  ['/operator/campaigns', 'nav.approvals'],
  ['/advertiser/campaigns/new', 'nav.newCampaign'],
  ['/operator/advertisers', 'nav.advertisers'],
  ['/operator/holds', 'nav.holds'],
  ['/operator/phones', 'nav.phones'],
  ['/operator/settlements', 'nav.settlements'],
  ['/advertiser/stores', 'nav.stores'],
  ['/reports', 'nav.reports'],
  ['/operator/users', 'nav.users'],
  ['/operator/audit', 'nav.audit'],
] as const;

const ADVERTISER_LINKS = [
  ['/advertiser/campaigns', 'nav.campaigns'],
  ['/advertiser/campaigns/new', 'nav.newCampaign'],
  ['/advertiser/stores', 'nav.stores'],
  ['/reports', 'nav.reports'],
] as const;

export function Logo() {
  const { t } = useTranslation();
  return (
    <Group gap={8} wrap="nowrap">
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <Title order={4} c="packet.8">
        {t('app.name')}
      </Title>
    </Group>
  );
}

export function ConsoleLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { session, setSession } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const links = session?.role === 'operator' ? OPERATOR_LINKS : ADVERTISER_LINKS;
  // The session ends on the server whatever the answer: a failed call still leaves this tab signed out.
  const signOut = useSignOut({ onSettled: () => setSession(null) });
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="menu" />
            <Logo />
            <Text c="dimmed" size="sm" visibleFrom="sm">
              {t('app.console')}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <Badge variant="light" visibleFrom="sm">
              {session?.role}
            </Badge>
            <Text size="sm" visibleFrom="md">
              {session?.email}
            </Text>
            <UnstyledButton
              onClick={() => signOut.mutate()}
              disabled={signOut.isPending}
              fz="sm"
              c="packet.8"
              fw={600}
            >
              {t('app.signOut')}
            </UnstyledButton>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('app.console')}>
        <Stack gap={2}>
          {links.map(([to, label]) => (
            <NavLink
              key={to}
              component={RouterLink}
              to={to}
              label={t(label)}
              active={location.pathname === to}
              aria-current={location.pathname === to ? 'page' : 'false'}
              onClick={close}
              style={{ borderRadius: 8 }}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main bg="var(--mantine-color-gray-0)">{children}</AppShell.Main>
    </AppShell>
  );
}
