CREATE TABLE `deck_bytes` (
	`deck_id` integer PRIMARY KEY NOT NULL,
	`bytes` blob NOT NULL,
	FOREIGN KEY (`deck_id`) REFERENCES `decks`(`deck_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `deck_bytes` (`deck_id`, `bytes`) SELECT `deck_id`, `bytes` FROM `decks`;--> statement-breakpoint
ALTER TABLE `decks` DROP COLUMN `bytes`;