CREATE SEQUENCE "public"."screen_config_generation_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "screen_config_generation" (
	"id" smallint PRIMARY KEY NOT NULL,
	"generation" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "screen_config_generation_single" CHECK ("screen_config_generation"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "screen_config_state" (
	"screen_id" bigint PRIMARY KEY NOT NULL,
	"wanted_generation" bigint DEFAULT 0 NOT NULL,
	"published_generation" bigint DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "screen_config_state" ADD CONSTRAINT "screen_config_state_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screen_config_state_published_idx" ON "screen_config_state" USING btree ("published_generation");--> statement-breakpoint
CREATE INDEX "screen_config_state_wanted_idx" ON "screen_config_state" USING btree ("screen_id") WHERE "screen_config_state"."wanted_generation" > "screen_config_state"."published_generation";--> statement-breakpoint
INSERT INTO "screen_config_generation" ("id", "generation") VALUES (1, 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "screen_config_state" ("screen_id") SELECT "id" FROM "screens" ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE FUNCTION "screen_config_state_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "screen_config_state" ("screen_id") VALUES (NEW."id") ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "screens_config_state_add" AFTER INSERT ON "screens" FOR EACH ROW EXECUTE FUNCTION "screen_config_state_add"();
