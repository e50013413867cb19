CREATE TABLE `identity` (
	`id` integer PRIMARY KEY NOT NULL,
	`screen_id` integer NOT NULL,
	`key_path` text NOT NULL,
	`public_key` blob NOT NULL,
	`mqtt_url` text NOT NULL,
	`mqtt_username` text NOT NULL,
	`mqtt_password` text NOT NULL,
	`topic_root` text NOT NULL,
	`enrolled_at` integer NOT NULL,
	CONSTRAINT "identity_single_row" CHECK("identity"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `pinned_issuer_keys` (
	`key_id` integer PRIMARY KEY NOT NULL,
	`public_key` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `content_manifest` (
	`sha256` text PRIMARY KEY NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`url` text NOT NULL,
	`stored_at` integer
);
--> statement-breakpoint
CREATE TABLE `screen_config` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`json` text NOT NULL,
	`received_at` integer NOT NULL,
	CONSTRAINT "screen_config_single_row" CHECK("screen_config"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `tap_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_committed` integer NOT NULL,
	CONSTRAINT "tap_counter_single_row" CHECK("tap_counter"."id" = 1),
	CONSTRAINT "tap_counter_u32" CHECK("tap_counter"."last_committed" BETWEEN 0 AND 4294967295)
);
--> statement-breakpoint
CREATE TABLE `taps` (
	`counter` integer PRIMARY KEY NOT NULL,
	`token` blob NOT NULL,
	`wallet_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`coupon_offer_id` integer NOT NULL,
	`deck_id` integer NOT NULL,
	`envelope_index` integer,
	`flags` integer NOT NULL,
	`created_at` integer NOT NULL,
	`state` text NOT NULL,
	`ack_status` text,
	`ack_code` text,
	`settled_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "taps_state" CHECK("taps"."state" IN ('pending', 'settled')),
	CONSTRAINT "taps_amount" CHECK("taps"."amount_fen" BETWEEN 0 AND 4294967295)
);
--> statement-breakpoint
CREATE INDEX `taps_pending` ON `taps` (`counter`) WHERE "taps"."state" = 'pending';--> statement-breakpoint
CREATE INDEX `taps_settled_at` ON `taps` (`settled_at`) WHERE "taps"."state" = 'settled';--> statement-breakpoint
CREATE UNIQUE INDEX `taps_envelope` ON `taps` (`deck_id`,`envelope_index`) WHERE "taps"."envelope_index" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `decks` (
	`deck_id` integer PRIMARY KEY NOT NULL,
	`campaign_id` integer NOT NULL,
	`bytes` blob NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`count` integer NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`stored_at` integer NOT NULL,
	`closed_at` integer,
	`close_report` blob,
	CONSTRAINT "decks_cursor" CHECK("decks"."cursor" BETWEEN 0 AND "decks"."count")
);
--> statement-breakpoint
CREATE INDEX `decks_campaign` ON `decks` (`campaign_id`,`valid_until`);--> statement-breakpoint
CREATE TABLE `local_caps` (
	`wallet_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`local_day` text NOT NULL,
	`cash_count` integer NOT NULL,
	PRIMARY KEY(`wallet_id`, `campaign_id`, `local_day`)
);
--> statement-breakpoint
CREATE TABLE `proof_of_play` (
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`creative_sha256` text NOT NULL,
	`campaign_id` integer NOT NULL,
	`plays` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`reported_at` integer,
	PRIMARY KEY(`period_start`, `creative_sha256`)
);
