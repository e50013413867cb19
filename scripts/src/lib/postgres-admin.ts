// The admin connection the end-to-end suites and the chaos runner use to create and drop their own
// databases on the local PostgreSQL (trust auth on loopback by default).
import pg from 'pg';

export const POSTGRES_ADMIN_URL =
  process.env.REDTAP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used at `adminUrl`, or null when it can. */
export async function postgresProblem(adminUrl = POSTGRES_ADMIN_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `PostgreSQL at ${adminUrl}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement (`create database …`, `drop database …`) on a connection of its own. */
export async function adminQuery(text: string, adminUrl = POSTGRES_ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
