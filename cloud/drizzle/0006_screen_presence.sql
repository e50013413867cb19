ALTER TABLE "screens" ADD COLUMN "connected" boolean;--> statement-breakpoint
ALTER TABLE "screens" ADD COLUMN "presence_seq" bigint;--> statement-breakpoint
ALTER TABLE "screens" ADD COLUMN "presence_changed_at" timestamp with time zone;