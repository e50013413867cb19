// drizzle-kit generates the SQL migrations in ./drizzle from the pg-core schema; they are applied at start.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/*.ts',
  out: './drizzle',
});
