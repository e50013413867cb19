// Email + password sign-in for operators and advertiser users; the cloud keeps the session in an
// HttpOnly cookie, so every tab of this browser is signed in.
import {
  Anchor,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLogin } from '../api/hooks/auth.ts';
import { Logo } from '../components/console-layout.tsx';
import { ErrorAlert } from '../components/feedback.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useSession } from '../components/session-context.tsx';

export function LoginPage() {
  const { t } = useTranslation();
  const { setSession } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin({
    onSuccess: (reply, credentials) => {
      if (reply.role === 'wallet') return;
      setSession({ token: null, role: reply.role, email: credentials.email.trim().toLowerCase() });
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    login.mutate({ email, password });
  };
  return (
    <Center
      mih="100vh"
      bg="linear-gradient(160deg, var(--mantine-color-packet-8), var(--mantine-color-packet-9))"
      p="md"
    >
      <Paper radius="lg" p="xl" shadow="xl" w={420} maw="100%">
        <form onSubmit={submit} aria-label={t('login.title')}>
          <Stack>
            <Group justify="space-between">
              <Logo />
              <LanguageSwitch />
            </Group>
            <div>
              <Title order={2} size="h3">
                {t('login.title')}
              </Title>
              <Text c="dimmed" size="sm">
                {t('login.subtitle')}
              </Text>
            </div>
            <TextInput
              label={t('login.email')}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
            />
            <PasswordInput
              label={t('login.password')}
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            {login.error === null ? null : <ErrorAlert error={login.error} />}
            <Button type="submit" loading={login.isPending} fullWidth size="md">
              {t('login.submit')}
            </Button>
            <Anchor component={Link} to="/wallet" size="sm" ta="center">
              {t('login.walletLink')}
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
