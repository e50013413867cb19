CREATE TABLE "claim_notices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "claim_notices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"screen_id" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" bigint PRIMARY KEY DEFAULT nextval('redemptions_id_seq') NOT NULL,
	"claim_key" text NOT NULL,
	"screen_id" bigint NOT NULL,
	"ticket_seq" bigint,
	"tag_uid" text,
	"sun_counter" integer,
	"wallet_id" bigint NOT NULL,
	"campaign_id" bigint,
	"advertiser_id" bigint,
	"path" text NOT NULL,
	"status" text NOT NULL,
	"code" text,
	"amount_fen" bigint NOT NULL,
	"coupon_offer_id" integer,
	"tap_ts" bigint NOT NULL,
	"tap_day" date NOT NULL,
	"city" text NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "claims_amount_check" CHECK ("claims"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX "claim_notices_created_idx" ON "claim_notices" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_claim_key" ON "claims" USING btree ("claim_key");--> statement-breakpoint
CREATE INDEX "claims_wallet_idx" ON "claims" USING btree ("wallet_id","id");--> statement-breakpoint
CREATE INDEX "claims_screen_time_idx" ON "claims" USING btree ("screen_id","claimed_at");--> statement-breakpoint
CREATE INDEX "claims_campaign_day_idx" ON "claims" USING btree ("campaign_id","tap_day");