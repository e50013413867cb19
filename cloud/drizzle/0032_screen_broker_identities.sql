CREATE SEQUENCE "public"."screen_broker_identity_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "screen_broker_identities" (
	"screen_id" bigint PRIMARY KEY NOT NULL,
	"present" boolean NOT NULL,
	"username" text,
	"password_sealed" text,
	"remove_first" boolean DEFAULT false NOT NULL,
	"version" bigint NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "screen_broker_identities_credentials" CHECK (not "screen_broker_identities"."present" or ("screen_broker_identities"."username" is not null and "screen_broker_identities"."password_sealed" is not null))
);
--> statement-breakpoint
ALTER TABLE "screen_broker_identities" ADD CONSTRAINT "screen_broker_identities_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screen_broker_identities_due_idx" ON "screen_broker_identities" USING btree ("next_attempt_at");