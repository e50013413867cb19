CREATE TABLE "campaign_screens" (
	"campaign_id" bigint NOT NULL,
	"screen_id" bigint NOT NULL,
	CONSTRAINT "campaign_screens_campaign_id_screen_id_pk" PRIMARY KEY("campaign_id","screen_id")
);
--> statement-breakpoint
CREATE TABLE "deck_wants" (
	"campaign_id" bigint NOT NULL,
	"screen_id" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "deck_wants_campaign_id_screen_id_pk" PRIMARY KEY("campaign_id","screen_id")
);
--> statement-breakpoint
CREATE TABLE "screen_broker_identity_wants" (
	"screen_id" bigint PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_sealed" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "campaign_screens" ADD CONSTRAINT "campaign_screens_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_screens" ADD CONSTRAINT "campaign_screens_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deck_wants" ADD CONSTRAINT "deck_wants_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deck_wants" ADD CONSTRAINT "deck_wants_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screen_broker_identity_wants" ADD CONSTRAINT "screen_broker_identity_wants_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_screens_screen_idx" ON "campaign_screens" USING btree ("screen_id","campaign_id");--> statement-breakpoint
CREATE INDEX "deck_wants_due_idx" ON "deck_wants" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE INDEX "screen_broker_identity_wants_due_idx" ON "screen_broker_identity_wants" USING btree ("next_attempt_at");--> statement-breakpoint
INSERT INTO "campaign_screens" ("campaign_id", "screen_id")
SELECT c."id", s."id" FROM "campaigns" c JOIN "screens" s ON s."status" = 'active'
WHERE c."status" IN ('active', 'paused')
  AND (jsonb_array_length(c."targeting" -> 'cities') = 0 OR (c."targeting" -> 'cities') ? s."city")
  AND (jsonb_array_length(c."targeting" -> 'buildings') = 0 OR (c."targeting" -> 'buildings') ? s."building")
  AND (jsonb_array_length(c."targeting" -> 'screenGroupIds') = 0 OR EXISTS (
    SELECT 1 FROM "screen_group_members" m
    WHERE m."screen_id" = s."id" AND (c."targeting" -> 'screenGroupIds') @> to_jsonb(m."group_id")))
ON CONFLICT DO NOTHING;
