// Names for the shapes the console reads from and sends to the cloud API: aliases of the types generated
// from its OpenAPI document (schema.d.ts, `npm run generate:api -w @redtap/cloud`), so a route's reply
// and the console's idea of it cannot drift apart.
import type { PrizePlan } from '@redtap/shared/money';
import type { components, paths } from './schema.d.ts';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON reply of a route for a status (200 unless said). */
export type Reply<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put' | 'patch' | 'delete',
  S extends number = 200,
> = paths[P][M] extends { responses: Record<S, infer R> } ? Json<R> : never;
/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? Json<NonNullable<B>>
  : never;

export type Role = Schemas['Principal']['role'];

export type Screen = Schemas['Screen'];
export type ScreenStatus = Screen['status'];
export type DeckLevel = NonNullable<Screen['health']>['decks'][number];
/** A row of GET /v1/screen-groups: the group and how many screens it holds. */
export type ScreenGroup = Reply<'/v1/screen-groups', 'get'>['items'][number];
export type ScreenLocation = Reply<'/v1/screens/locations', 'get'>['items'][number];
/** GET /v1/targeting-options: what a campaign may target, as aggregates over non-revoked screens. */
export type TargetingOptions = Schemas['TargetingOptions'];
export type EnrolmentCode = Reply<'/v1/screens/{id}/enrolment-codes', 'post', 201>;
export type Advertiser = Schemas['Advertiser'];

export type Campaign = Schemas['Campaign'];
export type CampaignStatus = Campaign['status'];
export type Daypart = Campaign['dayparts'][number];
/** Sent and read as the cloud validates it: the shared money module's plan. */
export type { PrizePlan };
export type CampaignInput = RequestBody<'/v1/campaigns', 'post'>;
export type CouponOfferInput = NonNullable<CampaignInput['couponOffers']>[number];
export type CampaignTransition = RequestBody<'/v1/campaigns/{id}/transitions', 'post'>['transition'];

export type StoredContent = Reply<'/v1/content', 'post', 201>;
export type HeldTap = Schemas['HeldTap'];
export type HeldWithdrawal = Schemas['HeldWithdrawal'];
export type LedgerCheck = Schemas['LedgerCheck'];
export type AuditEntry = Schemas['AuditEntry'];
export type ConsoleUser = Schemas['User'];
export type StatementLine = Schemas['StatementLine'];
export type SettlementExport = Schemas['SettlementExport'];
export type ReportRow = Schemas['ReportRow'];
export type Report = Schemas['Report'];

export type WalletCredential = Schemas['WalletCredential'];
export type WalletSummary = Reply<'/v1/wallets/me', 'get'>;
export type HistoryItem = Reply<'/v1/wallets/me/history', 'get'>['items'][number];
export type WalletCoupon = Schemas['WalletCoupon'];
export type Withdrawal = Schemas['Withdrawal'];
/** A wallet's payout account as the cloud shows it: masked. */
export type PayoutAccount = Schemas['PayoutAccount'];
export type Session = Reply<'/v1/wallets/{id}/login', 'post'>;

export type Merchant = Schemas['Merchant'];
export type Store = Schemas['Store'];
export type TillKey = Schemas['TillKey'];
export type TillStore = Schemas['TillStore'];
export type TillCoupon = Schemas['TillCoupon'] & { replayed?: boolean };
export type CouponReportRow = Schemas['CouponReportRow'];
