CREATE TABLE "screen_broker_revocations" (
	"screen_id" bigint PRIMARY KEY NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "screen_import_screens" (
	"import_id" bigint NOT NULL,
	"screen_id" bigint NOT NULL,
	CONSTRAINT "screen_import_screens_import_id_screen_id_pk" PRIMARY KEY("import_id","screen_id")
);
--> statement-breakpoint
CREATE TABLE "screen_imports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "screen_imports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"screens" integer NOT NULL,
	"user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "screen_broker_revocations" ADD CONSTRAINT "screen_broker_revocations_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screen_import_screens" ADD CONSTRAINT "screen_import_screens_import_id_screen_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."screen_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screen_import_screens" ADD CONSTRAINT "screen_import_screens_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screen_broker_revocations_due_idx" ON "screen_broker_revocations" USING btree ("next_attempt_at");