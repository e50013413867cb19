CREATE TABLE "wallet_day_screens" (
	"wallet_id" bigint NOT NULL,
	"tap_day" date NOT NULL,
	"screen_id" bigint NOT NULL,
	"cash_count" integer NOT NULL,
	CONSTRAINT "wallet_day_screens_wallet_id_tap_day_screen_id_pk" PRIMARY KEY("wallet_id","tap_day","screen_id")
);
--> statement-breakpoint
CREATE TABLE "wallet_day_totals" (
	"wallet_id" bigint NOT NULL,
	"tap_day" date NOT NULL,
	"campaign_id" bigint NOT NULL,
	"advertiser_id" bigint,
	"cash_count" integer NOT NULL,
	"cash_fen" bigint NOT NULL,
	"coupon_count" integer NOT NULL,
	CONSTRAINT "wallet_day_totals_wallet_id_tap_day_campaign_id_pk" PRIMARY KEY("wallet_id","tap_day","campaign_id")
);
--> statement-breakpoint
ALTER TABLE "decks" ADD COLUMN "fallback_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill from the settled history: the taps that count against the day caps (credited, held or
-- released); a tap with cash counts as cash, one with a coupon and no cash as a coupon.
INSERT INTO "wallet_day_totals" ("wallet_id", "tap_day", "campaign_id", "advertiser_id", "cash_count", "cash_fen", "coupon_count")
SELECT "wallet_id", "tap_day", "campaign_id", max("advertiser_id"),
       count(*) FILTER (WHERE "amount_fen" > 0),
       coalesce(sum("amount_fen"), 0),
       count(*) FILTER (WHERE "amount_fen" = 0 AND "coupon_offer_id" IS NOT NULL)
FROM "redemptions"
WHERE "status" IN ('credited', 'held', 'released')
GROUP BY "wallet_id", "tap_day", "campaign_id";
--> statement-breakpoint
INSERT INTO "wallet_day_screens" ("wallet_id", "tap_day", "screen_id", "cash_count")
SELECT "wallet_id", "tap_day", "screen_id", count(*)
FROM "redemptions"
WHERE "status" IN ('credited', 'held', 'released') AND "amount_fen" > 0
GROUP BY "wallet_id", "tap_day", "screen_id";
