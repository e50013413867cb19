// Passkeys (WebAuthn credentials, ES256 only) that sign a wallet in, the short-lived challenges of their
// ceremonies, and how each wallet was signed up (the address it came from), for multi-account signals.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { wallets } from './wallets.ts';

/** Raw bytes; node-postgres reads a Buffer and PGlite a Uint8Array, both handed on as a Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value),
  fromDriver: (value) => new Uint8Array(value),
});

export const walletPasskeys = pgTable(
  'wallet_passkeys',
  {
    /** The credential id the authenticator chose, base64url. */
    credentialId: text('credential_id').primaryKey(),
    walletId: bigint('wallet_id', { mode: 'number' })
      .notNull()
      .references(() => wallets.id),
    /** The COSE_Key of the credential (an EC2 P-256 key, alg -7), as the authenticator gave it. */
    publicKey: bytea('public_key').notNull(),
    /** The authenticator's signature counter last seen; 0 for authenticators that keep none. */
    signCount: bigint('sign_count', { mode: 'number' }).notNull().default(0),
    /** The transports the browser reported (`internal`, `hybrid`, …), a hint for later sign-ins. */
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    /** The authenticator model's AAGUID; all zero under `none` attestation, which is what we ask for. */
    aaguid: text('aaguid').notNull(),
    /** A name the wallet's owner may recognise (the browser's platform), shown in the wallet. */
    deviceLabel: text('device_label').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (table) => [index('wallet_passkeys_wallet_idx').on(table.walletId)],
);

export const webauthnChallengePurposes = ['register', 'authenticate', 'add'] as const;
export type WebauthnChallengePurpose = (typeof webauthnChallengePurposes)[number];

/**
 * Challenges handed out and not yet spent. A verification deletes its row (single use); a row past its
 * expiry is worthless and swept. An `add` challenge names the signed-in wallet it was issued to.
 */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    /** base64url, as it appears in the client data. */
    challenge: text('challenge').primaryKey(),
    purpose: text('purpose', { enum: webauthnChallengePurposes }).notNull(),
    walletId: bigint('wallet_id', { mode: 'number' }).references(() => wallets.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('webauthn_challenges_expires_idx').on(table.expiresAt),
    check(
      'webauthn_challenges_purpose_check',
      sql`${table.purpose} in ('register', 'authenticate', 'add') and (${table.purpose} = 'add') = (${table.walletId} is not null)`,
    ),
  ],
);

/**
 * How a wallet was signed up: the client address the request came from (client-ip.ts), so the number of
 * wallets one address creates in a day can be read as a multi-account signal. WebAuthn gives no device id.
 */
export const walletSignups = pgTable(
  'wallet_signups',
  {
    walletId: bigint('wallet_id', { mode: 'number' })
      .primaryKey()
      .references(() => wallets.id),
    method: text('method', { enum: ['passkey'] }).notNull(),
    clientIp: text('client_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('wallet_signups_ip_idx').on(table.clientIp, table.createdAt)],
);

/**
 * The web wallet's devices: a random id the cloud sets in a long-lived HttpOnly cookie on passkey sign-up
 * and sign-in (account-signals.ts), and the wallets signed in or claiming with it. WebAuthn names no
 * device, so this counts browsers (profiles), not phones: clearing the cookie or a private window is a
 * new "device". A multi-account signal only; see docs/threat-model.md.
 */
export const walletDevices = pgTable(
  'wallet_devices',
  {
    deviceId: text('device_id').notNull(),
    walletId: bigint('wallet_id', { mode: 'number' })
      .notNull()
      .references(() => wallets.id),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.deviceId, table.walletId] }),
    index('wallet_devices_wallet_idx').on(table.walletId),
  ],
);
