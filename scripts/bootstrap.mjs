#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench|chaos|simulate`. Dependency-free on purpose:
// it runs before node_modules exists, installs npm dependencies when they are missing or stale, and
// for tests the system parts too (scripts/install-system-deps.sh), then hands over to the real job.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['.', 'shared', 'tap-reader', 'screen-app', 'cloud', 'scripts'];
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

function dependencyStamp() {
  const hash = createHash('sha256');
  hash.update(process.version);
  for (const dir of workspaces) {
    const file = join(root, dir, 'package.json');
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

function ensureNpmDependencies() {
  const wanted = dependencyStamp();
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === wanted) return;
  const fresh = !existsSync(join(root, 'node_modules'));
  log(fresh ? 'installing npm dependencies…' : 'npm dependencies changed; updating…');
  // `npm install`, not `npm ci`: it installs the locked versions all the same, while `npm ci` refuses a
  // lock that lacks optional packages for other platforms (turbo's macOS and Windows binaries) when the
  // registry in use does not carry them.
  const status = run('npm', ['install', '--no-audit', '--no-fund']);
  if (status !== 0) process.exit(status);
  writeFileSync(stampPath, dependencyStamp());
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
ensureNpmDependencies();
switch (job) {
  case 'start':
    process.exit(tsx('start.ts', args));
    break;
  case 'test': {
    ensureSystemDependencies();
    const checks = run('npx', ['turbo', 'run', 'typecheck', 'lint', '--output-logs=errors-only']);
    if (checks !== 0) process.exit(checks);
    // One package at a time: the PC/SC, broker and database tests share machine-wide resources.
    process.exit(run('npx', ['turbo', 'run', 'test', '--concurrency=1', ...args]));
    break;
  }
  case 'bench':
  case 'chaos':
  case 'simulate':
    process.exit(tsx(`${job}.ts`, args));
    break;
  default:
    console.error(`unknown job: ${job} (start | test | bench | chaos | simulate)`);
    process.exit(2);
}
