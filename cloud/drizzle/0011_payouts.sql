CREATE TABLE "payout_accounts" (
	"wallet_id" bigint PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"account" text NOT NULL,
	"holder_name" text NOT NULL,
	"bank_name" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payout_accounts_kind_check" CHECK ("payout_accounts"."kind" in ('alipay', 'bank_card'))
);
--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "exported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "provider_reference" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "failure_reason" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "payee_kind" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "payee_account" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "payee_name" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "payee_bank" text;--> statement-breakpoint
ALTER TABLE "payout_accounts" ADD CONSTRAINT "payout_accounts_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "withdrawals_settlement_idx" ON "withdrawals" USING btree ("settlement_id");--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_status_check" CHECK ("withdrawals"."status" in ('pending', 'exported', 'paid', 'failed'));