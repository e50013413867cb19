// `npm ci` on the oldest Node the project supports (the root package.json's engines, as the README says)
// prints no EBADENGINE warning: every package the lock installs accepts that version. Packages the lock
// marks optional are left out, as npm leaves them out (electron's own download, other platforms' binaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

interface LockEntry {
  engines?: { node?: string } | string[];
  optional?: boolean;
}

describe('Node engines', () => {
  const manifest = readJson('package.json') as { engines: { node: string } };
  const oldest = semver.minVersion(manifest.engines.node);

  it('the README names the oldest Node the project supports', () => {
    expect(oldest).not.toBeNull();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`Node.js ≥ ${manifest.engines.node.replace(/^>=\s*/, '')}`);
  });

  it('every package npm ci installs accepts that Node', () => {
    const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> };
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.optional !== true)
      .flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range === undefined || semver.satisfies(oldest?.version ?? '', range)
          ? []
          : [`${path} ${range}`];
      });
    expect(refusing).toEqual([]);
  });
});
