CREATE TABLE "ledger_checkpoint_accounts" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"debits_fen" bigint NOT NULL,
	"credits_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_checkpoints" (
	"id" integer PRIMARY KEY NOT NULL,
	"snapshot" text NOT NULL,
	"transfers" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_checkpoints_single" CHECK ("ledger_checkpoints"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "tap_rollups" (
	"campaign_id" bigint NOT NULL,
	"tap_day" date NOT NULL,
	"screen_id" bigint NOT NULL,
	"city" text NOT NULL,
	"path" text NOT NULL,
	"taps" bigint DEFAULT 0 NOT NULL,
	"rated_taps" bigint DEFAULT 0 NOT NULL,
	"cash_fen" bigint DEFAULT 0 NOT NULL,
	"coupons" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "tap_rollups_campaign_id_tap_day_screen_id_city_path_pk" PRIMARY KEY("campaign_id","tap_day","screen_id","city","path")
);
--> statement-breakpoint
-- Added without its default first, so existing transfers keep null (read as older than any checkpoint) and
-- the table is not rewritten.
ALTER TABLE "ledger_transfers" ADD COLUMN "tx_id" "xid8";--> statement-breakpoint
ALTER TABLE "ledger_transfers" ALTER COLUMN "tx_id" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE INDEX "tap_rollups_day_idx" ON "tap_rollups" USING btree ("tap_day");--> statement-breakpoint
CREATE INDEX "claims_screen_ts_idx" ON "claims" USING btree ("screen_id","tap_ts");--> statement-breakpoint
CREATE INDEX "ledger_transfers_tx_idx" ON "ledger_transfers" USING btree ("tx_id");--> statement-breakpoint
CREATE INDEX "redemptions_screen_ts_idx" ON "redemptions" USING btree ("screen_id","tap_ts");