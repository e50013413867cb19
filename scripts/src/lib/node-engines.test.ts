// `npm ci` on the oldest Node the project supports (the root package.json's engines, as the README says)
// prints no EBADENGINE warning: every package the lock installs accepts that version. Packages the lock
// marks optional are left out, as npm leaves them out (electron's own download, other platforms' binaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

/**
 * Packages whose declared range is stricter than what they use, each checked by hand, with the reason.
 * npm ci prints EBADENGINE for them on the oldest Node; the whole suite runs on it.
 */
const DECLARED_STRICTER_THAN_NEEDED: Record<string, string> = {
  // Pinned exactly by @nats-io/nats-core 3.x and @nats-io/transport-node; it only needs
  // crypto.getRandomValues (Node 15+). The NATS engine's suites pass on Node 20.
  'node_modules/@nats-io/nuid': '>= 22.x',
};

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
        return range === undefined ||
          semver.satisfies(oldest?.version ?? '', range) ||
          DECLARED_STRICTER_THAN_NEEDED[path] === range
          ? []
          : [`${path} ${range}`];
      });
    expect(refusing).toEqual([]);
  });
});
