CREATE TABLE "screen_presence_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "screen_presence_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"screen_id" bigint NOT NULL,
	"connected" boolean NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "screen_presence_events" ADD CONSTRAINT "screen_presence_events_screen_id_screens_id_fk" FOREIGN KEY ("screen_id") REFERENCES "public"."screens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screen_presence_events_screen_at_idx" ON "screen_presence_events" USING btree ("screen_id","at");--> statement-breakpoint
CREATE INDEX "screen_health_last_seen_idx" ON "screen_health" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "screens_status_id_idx" ON "screens" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "screens_city_id_idx" ON "screens" USING btree ("city","id");