export * from './cloud.ts';
export * from './env.ts';
export {
  openDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
  type PostgresTimeouts,
} from './db/client.ts';
export { checkLedger, type LedgerCheck } from './ledger/check-ledger.ts';
export {
  postTransfers,
  allocateTransferIds,
  type TransferInput,
  type TransferResult,
} from './ledger/post-transfers.ts';
export { createApp } from './http/app.ts';
export {
  cloudServiceRole,
  CLOUD_ROLE_NAME,
  connectExternalBroker,
  createEmbeddedBroker,
  type CloudBroker,
} from './broker/index.ts';
export { defaultMoneySettings, type MoneySettings } from './money-settings.ts';
export {
  createRedemptionService,
  toAckResult,
  type RedemptionProfile,
  type RedemptionService,
} from './redemption/redemption-service.ts';
export { createInlineVerifier, type SignatureVerifier } from './redemption/signature-verifier.ts';
export { createVerifierPool } from './redemption/verifier-pool.ts';
export { createAdvertiser, fundAdvertiser } from './services/accounts.ts';
export { createCampaign, fundCampaign, transitionCampaign } from './services/campaigns.ts';
export { issueDeck } from './services/decks.ts';
export { createScreen, listScreens, summarizeScreens } from './services/screens.ts';
export { campaignReport } from './services/reports.ts';
export { exportPayoutBatch } from './services/payouts.ts';
export { listSettlementExports } from './services/settlements.ts';
export { registerWallet } from './services/wallets.ts';
export { seedDemoStore } from './services/merchants.ts';
export { formatCouponCode, newCouponBody, parseCouponCode } from './coupons/coupon-code.ts';
export { CouponErrorCode } from './coupons/coupon-errors.ts';
export { ephemeralSecrets } from './auth/secrets.ts';
export { SECRET_SCRYPT } from './auth/passwords.ts';
export { batchMetaReadKey, sunReadOf, tagFileReadKey } from './tags/sun.ts';
