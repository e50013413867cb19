// The shapes the console reads from the cloud API (cloud/src/http/routes/*), only the fields it uses.
import type { PrizePlan } from '@redtap/shared/money';

export type Role = 'operator' | 'advertiser' | 'wallet';

export interface Page<T> {
  items: T[];
  nextAfter: number | null;
}

export interface DeckLevel {
  deckId: number;
  campaignId: number;
  remaining: number;
  count: number;
  validUntil: number;
}

export type ScreenStatus = 'pending' | 'active' | 'revoked';

export interface Screen {
  id: number;
  name: string;
  city: string;
  building: string;
  elevator: string;
  timezone: string;
  status: ScreenStatus;
  enrolledAt: string | null;
  revokedAt: string | null;
  /** The screen that replaced this revoked one. */
  replacedById: number | null;
  createdAt: string;
  health: {
    lastSeenAt: string;
    /** The broker's last word on the MQTT connection (its presence); null when it said nothing yet. */
    connected: boolean | null;
    /** When `connected` was recorded; with connected=false, offline since. */
    connectionChangedAt: string | null;
    appVersion: string;
    tapCounter: number;
    backlog: number;
    clockSkewS: number;
    decks: DeckLevel[];
  } | null;
}

export interface ScreenGroup {
  id: number;
  name: string;
  screens: number;
}

export interface ScreenLocation {
  city: string;
  building: string;
  elevator: string;
  screens: number;
  active: number;
}

/** GET /v1/targeting-options: what a campaign may target, as aggregates over non-revoked screens. */
export interface TargetingOptions {
  cities: string[];
  buildings: { city: string; building: string }[];
  screenGroups: { id: number; name: string }[];
}

export interface EnrolmentCode {
  code: string;
  expiresAt: string;
}

export interface Advertiser {
  id: number;
  name: string;
  ledgerAccountId: number;
  createdAt: string;
}

export interface Daypart {
  days: number[];
  startMinute: number;
  endMinute: number;
}

/** Sent and read as the cloud validates it: the shared money module's plan. */
export type { PrizePlan };

export interface CouponOfferInput {
  title: string;
  valueFen: number;
  stock: number;
  validUntil: number;
  validityDays: number;
  terms: string;
}

export interface CampaignInput {
  advertiserId?: number;
  name: string;
  sponsor: string;
  startsAt: number;
  endsAt: number;
  dayparts: Daypart[];
  targeting: { cities: string[]; buildings: string[]; screenGroupIds: number[] };
  budgetFen: number;
  prizePlan: PrizePlan;
  couponOffers: CouponOfferInput[];
  rules: {
    cashPerWalletPerDay: number;
    couponsPerWalletPerDay: number;
    fallbackCouponOfferIndex: number | null;
    fallThrough: boolean;
  };
  creatives: { sha256: string; durationMs: number }[];
}

export type CampaignStatus = 'draft' | 'submitted' | 'approved' | 'active' | 'paused' | 'ended';

export interface Campaign {
  id: number;
  advertiserId: number;
  name: string;
  sponsor: string;
  status: CampaignStatus;
  startsAt: number;
  endsAt: number;
  budgetFen: number;
  budgetBalanceFen: number;
  /** From the ledger: funded = remaining + spent + returned. */
  money: { fundedFen: number; remainingFen: number; spentFen: number; returnedFen: number };
  dayparts?: Daypart[];
  targeting?: { cities: string[]; buildings: string[]; screenGroupIds: number[] };
  prizePlan?: PrizePlan;
  creatives?: { sha256: string; durationMs: number }[];
  couponOffers: (CouponOfferInput & { id: number })[];
  rules?: {
    cashPerWalletPerDay: number;
    couponsPerWalletPerDay: number;
    fallbackCouponOfferId: number;
    /** Absent on campaigns from before the choice existed: off. */
    fallThrough?: boolean;
  };
  createdAt?: string;
}

export type CampaignTransition = 'submit' | 'approve' | 'reject' | 'activate' | 'pause' | 'resume' | 'end';

export interface StoredContent {
  sha256: string;
  mime: string;
  bytes: number;
  url: string;
}

export interface HeldTap {
  id: number;
  screenId: number;
  counter: number;
  walletId: number;
  campaignId: number;
  amountFen: number;
  reason: string | null;
  tapTs: number;
}

export interface LedgerCheck {
  ok: boolean;
  accounts: number;
  transfers: number;
  totalFen: number;
  negativeAccountIds: number[];
  mismatchedAccountIds: number[];
}

export interface ReportRow {
  key: string;
  /** The screen's name for a by-screen row, the key otherwise. */
  label: string;
  /** null: no screen has reported plays for this row (unknown, not zero). */
  impressions: number | null;
  taps: number;
  /** Taps from periods with reported plays: what tapThroughRate divides. */
  ratedTaps: number;
  uniqueWallets: number;
  cashFen: number;
  coupons: number;
  tapThroughRate: number | null;
}

export interface Report {
  /** The time zone report days are counted in. */
  timezone: string;
  items: ReportRow[];
}

export interface WalletCredential {
  walletId: number;
  credentialSerial: number;
  expiresAt: number;
  issuerKeyId: number;
  credential: string;
}

export interface WalletSummary {
  walletId: number;
  balanceFen: number;
  credentialSerial: number;
  createdAt: string;
}

export interface HistoryItem {
  id: number;
  screenId: number;
  counter: number;
  campaignId: number;
  tapTs: number;
  amountFen: number;
  couponOfferId: number | null;
  status: string;
  reason: string | null;
  /** The brand of the tap's campaign (its sponsor, else its advertiser); null when unknown. */
  brand: string | null;
  /** The title of the tap's coupon offer; null without one. */
  couponTitle: string | null;
}

export interface WalletCoupon {
  id: number;
  code: string;
  couponOfferId: number;
  title: string;
  valueFen: number;
  terms: string;
  validUntil: number;
  status?: 'issued' | 'redeemed' | 'expired';
  redeemedAt?: string | null;
}

export interface Withdrawal {
  id: number;
  amountFen: number;
  /** pending → exported (in flight to the provider) → paid, or failed (the money is back in the wallet). */
  status: 'pending' | 'exported' | 'paid' | 'failed';
  createdAt: string;
  exportedAt: string | null;
  paidAt: string | null;
  failedAt: string | null;
  failureReason: string | null;
  /** The payout account it goes to, masked. */
  payee: string | null;
}

/** A wallet's payout account as the cloud shows it: masked. */
export interface PayoutAccount {
  kind: 'alipay' | 'bank_card';
  account: string;
  holderName: string;
  bankName: string | null;
  updatedAt: string;
}

export interface Session {
  token: string;
  expiresAt: number;
}

export interface Merchant {
  id: number;
  advertiserId: number;
  name: string;
  createdAt: string;
}

export interface Store {
  id: number;
  merchantId: number;
  advertiserId: number;
  name: string;
  city: string;
  address: string;
  acceptedOfferIds: number[];
  activeTillKeys: number;
  createdAt: string;
}

export interface TillKey {
  id: number;
  storeId: number;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface TillStore {
  storeId: number;
  name: string;
  city: string;
  address: string;
  merchant: string;
  acceptedOffers: { id: number; title: string; valueFen: number }[];
}

export interface TillCoupon {
  code: string;
  status: 'issued' | 'redeemed' | 'expired';
  offer: { id: number; title: string; valueFen: number; terms: string };
  campaignId: number;
  issuedAt: string;
  validUntil: number;
  redeemedAt: string | null;
  acceptedHere: boolean;
  refusal: string | null;
  replayed?: boolean;
}

export interface CouponReportRow {
  key: string;
  label: string;
  issued: number;
  redeemed: number;
  expired: number;
  redemptionRate: number | null;
  redeemMedianS: number | null;
  redeemP90S: number | null;
}
