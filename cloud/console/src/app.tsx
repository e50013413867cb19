// Routes of the console: the login page, the operator and advertiser areas (each behind a role guard)
// and the mobile-first wallet and store till.
import { lazy, Suspense, useCallback, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, Route, Routes } from 'react-router';
import { ConsoleLayout } from './components/console-layout.tsx';
import { Loading } from './components/feedback.tsx';
import { SessionContext } from './components/session-context.tsx';
import { sessionKeys, useConsoleSession, type ConsoleSession } from './api/hooks/auth.ts';

// Each page is its own chunk: the phone wallet never downloads the charts of the operator screens.
const LoginPage = lazy(() =>
  import('./pages/login-page.tsx').then((module) => ({ default: module.LoginPage })),
);
const AdvertisersPage = lazy(() =>
  import('./pages/operator/advertisers-page.tsx').then((module) => ({ default: module.AdvertisersPage })),
);
const ApprovalsPage = lazy(() =>
  import('./pages/operator/approvals-page.tsx').then((module) => ({ default: module.ApprovalsPage })),
);
const GroupsPage = lazy(() =>
  import('./pages/operator/groups-page.tsx').then((module) => ({ default: module.GroupsPage })),
);
const HoldsPage = lazy(() =>
  import('./pages/operator/holds-page.tsx').then((module) => ({ default: module.HoldsPage })),
);
const ScreenPage = lazy(() =>
  import('./pages/operator/screen-page.tsx').then((module) => ({ default: module.ScreenPage })),
);
const EnrolmentSheetPage = lazy(() =>
  import('./pages/operator/enrolment-sheet-page.tsx').then((module) => ({
    default: module.EnrolmentSheetPage,
  })),
);
const ScreensPage = lazy(() =>
  import('./pages/operator/screens-page.tsx').then((module) => ({ default: module.ScreensPage })),
);
const SettlementsPage = lazy(() =>
  import('./pages/operator/settlements-page.tsx').then((module) => ({ default: module.SettlementsPage })),
);
const CampaignsPage = lazy(() =>
  import('./pages/advertiser/campaigns-page.tsx').then((module) => ({ default: module.CampaignsPage })),
);
const CampaignWizardPage = lazy(() =>
  import('./pages/advertiser/campaign-wizard-page.tsx').then((module) => ({
    default: module.CampaignWizardPage,
  })),
);
const CampaignDetailPage = lazy(() =>
  import('./pages/advertiser/campaign-detail-page.tsx').then((module) => ({
    default: module.CampaignDetailPage,
  })),
);
const CampaignFromStoredPage = lazy(() =>
  import('./pages/advertiser/campaign-wizard-page.tsx').then((module) => ({
    default: module.CampaignFromStoredPage,
  })),
);
const ReportsPage = lazy(() =>
  import('./pages/advertiser/reports-page.tsx').then((module) => ({ default: module.ReportsPage })),
);
const StoresPage = lazy(() =>
  import('./pages/advertiser/stores-page.tsx').then((module) => ({ default: module.StoresPage })),
);
const TillPage = lazy(() =>
  import('./pages/till/till-page.tsx').then((module) => ({ default: module.TillPage })),
);
const UsersPage = lazy(() =>
  import('./pages/operator/users-page.tsx').then((module) => ({ default: module.UsersPage })),
);
const AuditPage = lazy(() =>
  import('./pages/operator/audit-page.tsx').then((module) => ({ default: module.AuditPage })),
);
const TagBatchesPage = lazy(() =>
  import('./pages/operator/tag-batches-page.tsx').then((module) => ({ default: module.TagBatchesPage })),
);
const PhonesPage = lazy(() =>
  import('./pages/operator/phones-page.tsx').then((module) => ({ default: module.PhonesPage })),
);
const ClaimPage = lazy(() =>
  import('./pages/wallet/claim-page.tsx').then((module) => ({ default: module.ClaimPage })),
);
const WalletPage = lazy(() =>
  import('./pages/wallet/wallet-page.tsx').then((module) => ({ default: module.WalletPage })),
);

function homeOf(session: ConsoleSession | null): string {
  if (session === null) return '/login';
  return session.role === 'operator' ? '/operator/screens' : '/advertiser/campaigns';
}

function Guard(props: {
  session: ConsoleSession | null;
  roles: ConsoleSession['role'][];
  children: ReactNode;
}) {
  if (props.session === null) return <Navigate to="/login" replace />;
  if (!props.roles.includes(props.session.role)) return <Navigate to={homeOf(props.session)} replace />;
  return <ConsoleLayout>{props.children}</ConsoleLayout>;
}

export function App() {
  const queryClient = useQueryClient();
  const current = useConsoleSession();
  const session = current.data ?? null;
  const setSession = useCallback(
    (next: ConsoleSession | null) => {
      // Nothing of the previous user stays in the cache; the session query itself keeps its observer.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKeys.all[0] });
      queryClient.setQueryData(sessionKeys.all, next);
    },
    [queryClient],
  );
  const operator = (page: ReactNode) => (
    <Guard session={session} roles={['operator']}>
      {page}
    </Guard>
  );
  const business = (page: ReactNode) => (
    <Guard session={session} roles={['operator', 'advertiser']}>
      {page}
    </Guard>
  );
  if (current.isPending) return <Loading />;
  return (
    <SessionContext.Provider value={{ session, setSession }}>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to={homeOf(session)} replace />} />
          <Route
            path="/login"
            element={session === null ? <LoginPage /> : <Navigate to={homeOf(session)} replace />}
          />
          <Route path="/wallet" element={<WalletPage />} />
          <Route path="/claim" element={<ClaimPage />} />
          <Route path="/till" element={<TillPage />} />
          <Route path="/operator/screens" element={operator(<ScreensPage />)} />
          <Route path="/operator/screens/enrolment-sheet" element={operator(<EnrolmentSheetPage />)} />
          <Route path="/operator/screens/:id" element={operator(<ScreenPage />)} />
          <Route path="/operator/groups" element={operator(<GroupsPage />)} />
          <Route path="/operator/campaigns" element={operator(<ApprovalsPage />)} />
          <Route path="/operator/advertisers" element={operator(<AdvertisersPage />)} />
          <Route path="/operator/holds" element={operator(<HoldsPage />)} />
          <Route path="/operator/phones" element={operator(<PhonesPage />)} />
          <Route path="/operator/settlements" element={operator(<SettlementsPage />)} />
          <Route path="/operator/users" element={operator(<UsersPage />)} />
          <Route path="/operator/audit" element={operator(<AuditPage />)} />
          <Route path="/operator/tag-batches" element={operator(<TagBatchesPage />)} />
          <Route path="/advertiser/campaigns" element={business(<CampaignsPage />)} />
          <Route path="/advertiser/campaigns/new" element={business(<CampaignWizardPage />)} />
          <Route path="/advertiser/campaigns/:id" element={business(<CampaignDetailPage />)} />
          <Route
            path="/advertiser/campaigns/:id/edit"
            element={business(<CampaignFromStoredPage kind="edit" />)}
          />
          <Route
            path="/advertiser/campaigns/:id/duplicate"
            element={business(<CampaignFromStoredPage kind="duplicate" />)}
          />
          <Route path="/advertiser/stores" element={business(<StoresPage />)} />
          <Route path="/reports" element={business(<ReportsPage />)} />
          <Route path="*" element={<Navigate to={homeOf(session)} replace />} />
        </Routes>
      </Suspense>
    </SessionContext.Provider>
  );
}
