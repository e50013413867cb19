-- One wanted state per screen: what both queues still owed moves into screen_broker_identities. A screen
-- that is active wants its queued identity (after the removal still owed, if any); any other screen with a
-- removal queued wants its identity absent; the identity wanted of a screen no longer active is dropped, as
-- the old dispatcher dropped it.
INSERT INTO "screen_broker_identities" ("screen_id", "present", "username", "password_sealed", "remove_first", "version", "attempts", "next_attempt_at", "last_error")
SELECT w."screen_id", true, w."username", w."password_sealed", r."screen_id" IS NOT NULL, nextval('screen_broker_identity_version_seq'), w."attempts", w."next_attempt_at", w."last_error"
FROM "screen_broker_identity_wants" w
JOIN "screens" s ON s."id" = w."screen_id" AND s."status" = 'active'
LEFT JOIN "screen_broker_revocations" r ON r."screen_id" = w."screen_id";--> statement-breakpoint
INSERT INTO "screen_broker_identities" ("screen_id", "present", "version", "queued_at", "attempts", "next_attempt_at", "last_error")
SELECT r."screen_id", false, nextval('screen_broker_identity_version_seq'), r."queued_at", r."attempts", r."next_attempt_at", r."last_error"
FROM "screen_broker_revocations" r
WHERE NOT EXISTS (SELECT 1 FROM "screen_broker_identities" b WHERE b."screen_id" = r."screen_id");--> statement-breakpoint
DROP TABLE "screen_broker_identity_wants" CASCADE;--> statement-breakpoint
DROP TABLE "screen_broker_revocations" CASCADE;
