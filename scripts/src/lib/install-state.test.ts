// `npm start|test|run bench` install npm dependencies only when node_modules does not already hold the
// lock file's packages: after a hand-run `npm ci`, nothing is installed a second time.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installMatchesLock, type LockFile } from '../../install-state.mjs';

const scriptsDir = join(import.meta.dirname, '..', '..');

const lock: LockFile = {
  packages: {
    '': {},
    'node_modules/zod': { version: '4.6.7', resolved: 'https://registry.example/zod-4.6.7.tgz' },
    'node_modules/@redtap/shared': { resolved: 'shared', link: true },
    'node_modules/@esbuild/darwin-arm64': { version: '0.25.0', optional: true },
  },
};
const installed: LockFile = {
  packages: {
    'node_modules/zod': { version: '4.6.7', resolved: 'https://registry.example/zod-4.6.7.tgz' },
    'node_modules/@redtap/shared': { resolved: 'shared', link: true },
  },
};

describe('installMatchesLock', () => {
  it('accepts an install of every package, other platforms’ optional ones aside', () => {
    expect(installMatchesLock(lock, installed)).toBe(true);
  });

  it('refuses a missing hidden lock, another version, a missing package or one the lock dropped', () => {
    expect(installMatchesLock(lock, null)).toBe(false);
    const older = structuredClone(installed);
    older.packages!['node_modules/zod'] = {
      version: '4.5.0',
      resolved: 'https://registry.example/zod-4.5.0.tgz',
    };
    expect(installMatchesLock(lock, older)).toBe(false);
    const missing = structuredClone(installed);
    delete missing.packages!['node_modules/zod'];
    expect(installMatchesLock(lock, missing)).toBe(false);
    const extra = structuredClone(installed);
    extra.packages!['node_modules/left-pad'] = { version: '1.3.0' };
    expect(installMatchesLock(lock, extra)).toBe(false);
  });
});

describe('bootstrap.mjs', () => {
  let root = '';
  afterEach(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  /** A project laid out like this one, with an `npm` on PATH that only records how it was called. */
  function fakeProject(
    hiddenLock: LockFile | null,
    options: { pcscBuilt?: boolean } = {},
  ): { run: () => void; npmCalls: string } {
    root = mkdtempSync(join(tmpdir(), 'redtap-bootstrap-'));
    mkdirSync(join(root, 'scripts', 'src'), { recursive: true });
    for (const file of ['bootstrap.mjs', 'install-state.mjs'])
      copyFileSync(join(scriptsDir, file), join(root, 'scripts', file));
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    // As on a machine with libpcsclite's headers, where npm ci built the PC/SC addon.
    mkdirSync(join(root, 'node_modules', options.pcscBuilt === false ? '' : 'nfc-pcsc'), { recursive: true });
    if (hiddenLock !== null)
      writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify(hiddenLock));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const npmCalls = join(root, 'npm-calls');
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "$@" >> "${npmCalls}"\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    // `bench` then fails to find its script in the fake project: only the install step matters here.
    const run = () =>
      spawnSync(process.execPath, [join(root, 'scripts', 'bootstrap.mjs'), 'bench'], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
        encoding: 'utf8',
      });
    return { run, npmCalls };
  }

  it('installs nothing after a hand-run npm ci left node_modules matching the lock', () => {
    const project = fakeProject(installed);
    project.run();
    project.run();
    expect(existsSync(project.npmCalls)).toBe(false);
  });

  it('adds only the PC/SC packages when their headers arrived after npm ci, instead of reinstalling', () => {
    // npm ci ran before libpcsclite-dev was installed (as `npm test` installs it), so it skipped the
    // optional addon; everything else matches the lock.
    const project = fakeProject(installed, { pcscBuilt: false });
    project.run();
    const calls = existsSync(project.npmCalls) ? readFileSync(project.npmCalls, 'utf8').trim() : '';
    // Where the headers are missing the addon cannot be built, so nothing is installed at all.
    expect(calls).toBe(existsSync('/usr/include/PCSC/winscard.h') ? 'install --no-audit --no-fund' : '');
  });

  it('runs npm ci when node_modules does not match the lock', () => {
    const project = fakeProject(null);
    project.run();
    expect(existsSync(project.npmCalls)).toBe(true);
  });
});
