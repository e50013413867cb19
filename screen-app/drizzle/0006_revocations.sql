CREATE TABLE `revocation_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`target` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "revocation_state_single_row" CHECK("revocation_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `revoked_credentials` (
	`credential` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_credentials_expires_idx` ON `revoked_credentials` (`expires_at`);