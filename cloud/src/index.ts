export * from './cloud.ts';
export * from './env.ts';
export { openDatabase, type Database, type DatabaseHandle, type DatabaseOptions } from './db/client.ts';
export { checkLedger, type LedgerCheck } from './ledger/check-ledger.ts';
export {
  postTransfers,
  allocateTransferIds,
  type TransferInput,
  type TransferResult,
} from './ledger/post-transfers.ts';
export { createApp } from './http/app.ts';
