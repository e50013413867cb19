ALTER TABLE "screen_import_screens" DROP CONSTRAINT "screen_import_screens_import_id_screen_imports_id_fk";
--> statement-breakpoint
ALTER TABLE "screen_import_screens" DROP CONSTRAINT "screen_import_screens_screen_id_screens_id_fk";
