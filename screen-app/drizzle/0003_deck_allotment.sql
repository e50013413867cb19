ALTER TABLE `decks` ADD `envelopes_offset` integer DEFAULT 31 NOT NULL;--> statement-breakpoint
ALTER TABLE `decks` ADD `fallback_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `decks` ADD `fallback_cursor` integer DEFAULT 0 NOT NULL;