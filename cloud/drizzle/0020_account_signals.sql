CREATE TABLE "wallet_devices" (
	"device_id" text NOT NULL,
	"wallet_id" bigint NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wallet_devices_device_id_wallet_id_pk" PRIMARY KEY("device_id","wallet_id")
);
--> statement-breakpoint
ALTER TABLE "withdrawals" DROP CONSTRAINT "withdrawals_status_check";--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "client_ip" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "device_id" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "hold_code" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wallet_devices" ADD CONSTRAINT "wallet_devices_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "wallet_devices_wallet_idx" ON "wallet_devices" USING btree ("wallet_id");--> statement-breakpoint
CREATE INDEX "claims_client_ip_time_idx" ON "claims" USING btree ("client_ip","claimed_at");--> statement-breakpoint
CREATE INDEX "claims_held_idx" ON "claims" USING btree ("id") WHERE "claims"."status" = 'held';--> statement-breakpoint
CREATE INDEX "withdrawals_held_idx" ON "withdrawals" USING btree ("id") WHERE "withdrawals"."status" = 'held';--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_status_check" CHECK ("withdrawals"."status" in ('pending', 'exported', 'paid', 'failed', 'held', 'refused'));