// `npm start`: the cloud on embedded defaults (PGlite under .redtap/cloud, embedded aedes), with a demo
// operator created on first run. `--reset` wipes .redtap first. Ctrl-C stops everything cleanly.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { bootstrapOperator, createLogger, loadEnv, PortInUseError, startCloud } from '@redtap/cloud';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stateDir = join(root, '.redtap');
const demoOperatorFile = join(stateDir, 'demo-operator.json');
const DEMO_OPERATOR_EMAIL = 'operator@redtap.local';

const options = new Command()
  .name('npm start --')
  .option('--reset', 'wipe .redtap (database, secrets, demo operator) before starting')
  .parse(process.argv)
  .opts<{ reset?: boolean }>();

if (options.reset === true) {
  rmSync(stateDir, { recursive: true, force: true });
  console.log('[redtap] .redtap wiped');
}
mkdirSync(stateDir, { recursive: true });

function demoOperator(): { email: string; password: string } {
  if (existsSync(demoOperatorFile)) {
    return JSON.parse(readFileSync(demoOperatorFile, 'utf8')) as { email: string; password: string };
  }
  const credentials = { email: DEMO_OPERATOR_EMAIL, password: randomBytes(9).toString('base64url') };
  writeFileSync(demoOperatorFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  chmodSync(demoOperatorFile, 0o600);
  return credentials;
}

const loaded = loadEnv();
// Relative data directories are relative to the repository, not to wherever npm was started from.
const env = {
  ...loaded,
  REDTAP_DATA_DIR: isAbsolute(loaded.REDTAP_DATA_DIR)
    ? loaded.REDTAP_DATA_DIR
    : join(root, loaded.REDTAP_DATA_DIR),
};
const logger = createLogger(env);

let cloud;
try {
  cloud = await startCloud(env, logger);
} catch (error) {
  if (error instanceof PortInUseError) {
    console.error(`[redtap] ${error.message}`);
    process.exit(1);
  }
  throw error;
}
const running = cloud;
const hadDemoOperator = existsSync(demoOperatorFile);
const operator = demoOperator();
const created = await bootstrapOperator(running.database, operator, logger);
if (!created && !hadDemoOperator) {
  // Operators existed before (created by the CLI or env): these demo credentials were never used.
  rmSync(demoOperatorFile, { force: true });
}
const operatorLine =
  created || hadDemoOperator
    ? `${operator.email} / ${operator.password}${created ? '  (created now)' : ''}`
    : 'an operator already exists (redtap-cloud create-operator adds more)';

console.log(`
[redtap] cloud is running (${running.database.engine}${env.DATABASE_URL === undefined ? ` in ${env.REDTAP_DATA_DIR}` : ''})
  API           ${running.httpUrl}
  API reference ${running.httpUrl}/docs
  OpenAPI       ${running.httpUrl}/openapi.json
  Metrics       ${running.httpUrl}/metrics
  MQTT broker   ${running.mqttUrl}
  Operator      ${operatorLine}
Press Ctrl-C to stop.`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(130);
  stopping = true;
  console.log(`\n[redtap] ${signal}: stopping…`);
  running.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[redtap] unclean stop', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
