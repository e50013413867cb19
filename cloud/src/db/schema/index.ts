export * from './accounts.ts';
export * from './issuer-keys.ts';
export * from './ledger.ts';
export * from './screens.ts';
export * from './wallets.ts';
