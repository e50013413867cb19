CREATE TABLE "screen_config_versions" (
	"screen_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"published_at" bigint NOT NULL,
	"playlist" jsonb NOT NULL,
	CONSTRAINT "screen_config_versions_screen_id_version_pk" PRIMARY KEY("screen_id","version")
);
