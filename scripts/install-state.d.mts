export interface LockFile {
  packages?: Record<string, { version?: string; resolved?: string; link?: boolean; optional?: boolean }>;
}
export function readJson(file: string): unknown;
export function installMatchesLock(lock: LockFile | null, installed: LockFile | null): boolean;
