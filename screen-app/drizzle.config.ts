// drizzle-kit generates the kiosk's SQLite migrations into ./drizzle; the store applies them at open.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema/index.ts',
  out: './drizzle',
});
