CREATE TABLE `ticket_sequence` (
	`id` integer PRIMARY KEY NOT NULL,
	`reserved_through` integer NOT NULL,
	CONSTRAINT "ticket_sequence_single_row" CHECK("ticket_sequence"."id" = 1),
	CONSTRAINT "ticket_sequence_u32" CHECK("ticket_sequence"."reserved_through" BETWEEN 0 AND 4294967295)
);
