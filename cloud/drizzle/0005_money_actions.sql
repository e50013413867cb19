CREATE TABLE "advertiser_fundings" (
	"transfer_id" bigint PRIMARY KEY NOT NULL,
	"advertiser_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"funded_by" bigint,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hold_decisions" (
	"redemption_id" bigint PRIMARY KEY NOT NULL,
	"decision" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"decided_by" bigint,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_exports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "settlement_exports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone NOT NULL,
	"created_by" bigint,
	"withdrawal_count" integer NOT NULL,
	"total_fen" bigint NOT NULL,
	"csv" text NOT NULL
);
