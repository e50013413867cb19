ALTER TABLE "screens" ADD COLUMN "config_hash" text;--> statement-breakpoint
ALTER TABLE "screens" ADD COLUMN "replaced_by_id" bigint;