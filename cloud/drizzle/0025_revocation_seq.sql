CREATE TABLE "revocation_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "revocation_head_single" CHECK ("revocation_head"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "wallet_credentials" ADD COLUMN "revocation_seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_credentials_revocation_seq_key" ON "wallet_credentials" USING btree ("revocation_seq") WHERE "wallet_credentials"."revocation_seq" is not null;--> statement-breakpoint
CREATE INDEX "wallet_credentials_revoked_expiry_idx" ON "wallet_credentials" USING btree ("expires_at") WHERE "wallet_credentials"."revocation_seq" is not null;--> statement-breakpoint
UPDATE "wallet_credentials" AS wc SET "revocation_seq" = r.rn
FROM (SELECT "wallet_id", "serial", row_number() OVER (ORDER BY "revoked_at", "wallet_id", "serial") AS rn
      FROM "wallet_credentials" WHERE "revoked_at" IS NOT NULL) AS r
WHERE wc."wallet_id" = r."wallet_id" AND wc."serial" = r."serial";
--> statement-breakpoint
INSERT INTO "revocation_head" ("id", "seq")
SELECT 1, count(*) FROM "wallet_credentials" WHERE "revoked_at" IS NOT NULL;
