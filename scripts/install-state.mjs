// Whether node_modules already holds what package-lock.json asks for, whoever installed it: `npm ci` by
// hand, or bootstrap.mjs. Dependency-free, like bootstrap.mjs, which runs before node_modules exists.
import { readFileSync } from 'node:fs';

/** The parsed JSON file, or null when it is missing or unreadable. */
export function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * True when the hidden lock file npm writes after every install (node_modules/.package-lock.json) lists
 * the packages of package-lock.json at the same versions and sources. Packages the lock marks optional
 * (other platforms' binaries, an addon that could not be built here) may be absent.
 */
export function installMatchesLock(lock, installed) {
  if (lock === null || installed === null) return false;
  const wanted = lock.packages ?? {};
  const present = installed.packages ?? {};
  for (const [path, entry] of Object.entries(wanted)) {
    if (path === '') continue;
    const got = present[path];
    if (got === undefined) {
      if (entry.optional === true) continue;
      return false;
    }
    if (got.version !== entry.version || got.resolved !== entry.resolved || got.link !== entry.link)
      return false;
  }
  return Object.keys(present).every((path) => Object.hasOwn(wanted, path));
}
