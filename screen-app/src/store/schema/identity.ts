// Identity aggregate: who this screen is, from enrolment (docs/protocol.md §3.7). One row, id = 1.
import { blob, check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const identity = sqliteTable(
  'identity',
  {
    id: integer('id').primaryKey(),
    screenId: integer('screen_id').notNull(),
    /** PEM file of the screen's P-256 private key (mode 0600); the key itself never enters the DB. */
    keyPath: text('key_path').notNull(),
    /** 65-byte SEC1 public key, to detect a key file that does not belong to this identity. */
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    mqttUrl: text('mqtt_url').notNull(),
    mqttUsername: text('mqtt_username').notNull(),
    mqttPassword: text('mqtt_password').notNull(),
    topicRoot: text('topic_root').notNull(),
    enrolledAt: integer('enrolled_at').notNull(),
    /**
     * The last MQTT presence connection number used (docs/protocol.md §5.6), kept so the next one is
     * higher even when the wall clock stepped back between runs.
     */
    presenceSeq: integer('presence_seq').notNull().default(0),
  },
  (table) => [check('identity_single_row', sql`${table.id} = 1`)],
);

/** Issuer keys pinned at enrolment: the trust root for credentials and decks. */
export const pinnedIssuerKeys = sqliteTable('pinned_issuer_keys', {
  keyId: integer('key_id').primaryKey(),
  publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
});
