CREATE TABLE "tag_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tag_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"master_key_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"uid" text PRIMARY KEY NOT NULL,
	"batch_id" bigint NOT NULL,
	"screen_id" bigint,
	"last_counter" integer,
	"last_read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tags_uid_check" CHECK ("tags"."uid" ~ '^[0-9a-f]{14}$'),
	CONSTRAINT "tags_last_counter_check" CHECK ("tags"."last_counter" between 0 and 16777215)
);
--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_batch_id_tag_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."tag_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tags_screen_uid_idx" ON "tags" USING btree ("screen_id","uid");--> statement-breakpoint
CREATE INDEX "tags_batch_idx" ON "tags" USING btree ("batch_id");