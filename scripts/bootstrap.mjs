#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench|chaos|cluster|simulate`. Dependency-free on purpose:
// it runs before node_modules exists, installs npm dependencies when they are missing or stale, and
// for tests the system parts too (scripts/install-system-deps.sh), then hands over to the real job.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installMatchesLock, readJson } from './install-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampPath = join(root, 'node_modules', '.redtap-install-stamp');
const ci = process.env.CI === 'true' || process.env.CI === '1';

function log(message) {
  console.log(`[redtap] ${message}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? (result.signal ? 128 : 1);
}

/**
 * Runs a command with its output passed through, tallying the test runners' summary lines (vitest's
 * `Tests  12 passed | 1 failed (13)`, Playwright's `12 passed` / `1 failed` / `1 skipped`) so `npm test`
 * can close on one plain total.
 */
function runCountingTests(command, args) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const ansi = /\u001b\[[0-9;]*m/g;
  const scan = (line) => {
    const text = line.replace(ansi, '');
    const vitest = /^(?:\S+:\S+: )?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(text);
    if (vitest) {
      for (const [, count, kind] of vitest[1].matchAll(/(\d+) (passed|failed|skipped)/g))
        totals[kind] += Number(count);
      return;
    }
    const playwright = /^(?:\S+:\S+: )?\s+(\d+) (passed|failed|skipped|flaky)(?: \(|$)/.exec(text);
    if (playwright) totals[playwright[2] === 'flaky' ? 'passed' : playwright[2]] += Number(playwright[1]);
  };
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(scan);
    });
    child.on('close', (code, signal) => {
      scan(pending);
      resolve({ status: code ?? (signal ? 128 : 1), totals });
    });
  });
}

// nfc-pcsc is optional: its native addon builds only where libpcsclite's headers are installed. Whether
// they were there is part of the stamp, so installing them later (as `npm test` does) rebuilds the addon
// on the next run; so is the Node version the native addons were built for.
const pcscHeaders = '/usr/include/PCSC/winscard.h';

function environmentStamp() {
  return `${process.version} ${existsSync(pcscHeaders) ? 'pcsc' : 'no-pcsc'}`;
}

/**
 * What the installed tree needs: nothing, only the PC/SC addon (its headers arrived after the install,
 * as when `npm ci` ran before `npm test` installed libpcsclite-dev), or a full install.
 */
function npmDependenciesNeed() {
  const modules = join(root, 'node_modules');
  const current = installMatchesLock(
    readJson(join(root, 'package-lock.json')),
    readJson(join(modules, '.package-lock.json')),
  );
  if (!current) return 'install';
  const stamp = existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : null;
  // A stamp from before (a hash of the manifests) says nothing the lock comparison does not.
  if (stamp !== null && stamp.startsWith('v')) {
    if (stamp === environmentStamp()) return 'nothing';
    // Built for this Node, before the headers were there: only the optional addon is missing.
    return stamp === `${process.version} no-pcsc` && existsSync(pcscHeaders) ? 'pcsc' : 'install';
  }
  // Installed by hand: take it as built for this machine unless the PC/SC addon could be built but is not.
  return !existsSync(pcscHeaders) || existsSync(join(modules, 'nfc-pcsc')) ? 'nothing' : 'pcsc';
}

function ensureNpmDependencies() {
  const need = npmDependenciesNeed();
  if (need === 'nothing') {
    writeFileSync(stampPath, environmentStamp());
    return;
  }
  let status;
  if (need === 'pcsc') {
    // Everything else matches the lock: `npm install` adds just the optional PC/SC packages it skipped
    // (seconds), where `npm ci` would reinstall the whole tree (minutes).
    log('building PC/SC support (libpcsclite-dev is now installed)…');
    status = run('npm', ['install', '--no-audit', '--no-fund']);
  } else {
    const fresh = !existsSync(join(root, 'node_modules'));
    log(fresh ? 'installing npm dependencies…' : 'npm dependencies changed; updating…');
    // `npm ci` installs exactly the lock file, so a fresh clone gets what CI tested; the lock carries
    // every platform's optional packages (turbo's binaries), which `npm ci` insists on.
    status = run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (status !== 0) process.exit(status);
  if (!existsSync(join(root, 'node_modules', 'nfc-pcsc'))) {
    log('PC/SC support is not built (libpcsclite-dev is missing): kiosks use the simulated reader');
  }
  writeFileSync(stampPath, environmentStamp());
}

function ensureSystemDependencies() {
  const status = run('bash', [join(root, 'scripts', 'install-system-deps.sh')]);
  if (status === 0) return;
  if (ci) {
    log('system dependencies are missing; under CI=true the tests that need them would fail');
    process.exit(status);
  }
  log('continuing without every system part: tests that need one will say so and skip');
}

function tsx(script, args) {
  return run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'src', script), ...args]);
}

const [job = 'start', ...args] = process.argv.slice(2);
// Tests install the system parts first: libpcsclite-dev must be present when npm builds the PC/SC addon.
if (job === 'test') ensureSystemDependencies();
ensureNpmDependencies();
switch (job) {
  case 'start': {
    // The web console and the screen renderer are static builds; turbo's cache skips them when their
    // sources have not changed since the last build.
    const built = run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
    if (built !== 0) process.exit(built);
    process.exit(tsx('start.ts', args));
    break;
  }
  case 'test': {
    const checks = run('npx', ['turbo', 'run', 'typecheck', 'lint', '--output-logs=errors-only']);
    if (checks !== 0) process.exit(checks);
    // One package at a time: the PC/SC, broker and database tests share machine-wide resources.
    const { status, totals } = await runCountingTests('npx', [
      'turbo',
      'run',
      'test',
      '--concurrency=1',
      ...args,
    ]);
    console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.exit(status !== 0 ? status : totals.failed > 0 ? 1 : 0);
    break;
  }
  case 'bench':
  case 'chaos':
  case 'cluster':
  case 'simulate':
    process.exit(tsx(`${job}.ts`, args));
    break;
  default:
    console.error(`unknown job: ${job} (start | test | bench | chaos | cluster | simulate)`);
    process.exit(2);
}
