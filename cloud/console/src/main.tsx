// Entry point: i18n first, then the providers (theme, notifications, queries) around the router.
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app.tsx';
import { initI18n } from './i18n.ts';
import { theme } from './theme.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    // Client errors (401, 404, validation) will not change on retry; network blips may.
    queries: {
      retry: (failures, error) => failures < 2 && !('status' in error && Number(error.status) >= 400),
      staleTime: 5_000,
    },
  },
});

await initI18n();
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
