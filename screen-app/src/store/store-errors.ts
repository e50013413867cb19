// Classifies SQLite failures: a full disk, read-only file or I/O error makes the store unavailable,
// which the engine reports as STORE_UNAVAILABLE instead of showing a prize it could not record.
import Database from 'better-sqlite3';

const UNAVAILABLE_PREFIXES = [
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PERM',
];

/** The SQLite error code behind an error, following drizzle's `cause` wrapping; null if none. */
export function sqliteErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof Database.SqliteError) return current.code;
    // A closed connection is not an SqliteError but is just as unavailable.
    if (current instanceof TypeError && current.message.includes('database connection is not open'))
      return 'SQLITE_MISUSE_CLOSED';
    current = current.cause;
  }
  return null;
}

export function isStoreUnavailable(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  if (code === null) return false;
  return code === 'SQLITE_MISUSE_CLOSED' || UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix));
}
