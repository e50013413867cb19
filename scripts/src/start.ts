// `npm start`: the whole system on embedded defaults (see ./demo/launcher.ts). `--reset` wipes the data
// directory first. Ctrl-C stops the phone simulator, the kiosks, the link proxies and the cloud, in order.
// `--cluster`: the cloud's database is the loopback PostgreSQL cluster of `npm run cluster` (started
// when it is not running, and left running afterwards), reached through its HAProxy.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import pg from 'pg';
import { natsMissingReason } from '@redtap/cloud/testing/nats';
import { startNats } from './cluster/nats-cluster.ts';
import { openPostgresCluster } from './cluster/postgres-cluster.ts';
import { createLogSink } from './lib/log-sink.ts';
import { describeDemo, LauncherError, startDemo } from './demo/launcher.ts';

/** The console is quiet this long before the summary prints, waiting at most the second bound. */
const SUMMARY_QUIET_MS = 1_500;
const SUMMARY_WAIT_MAX_MS = 15_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = (value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new Error(`not a port: ${value}`);
  return parsed;
};

const program = new Command()
  .name('npm start --')
  .description('run the cloud, three kiosks and the phone simulator on this machine')
  .option('--reset', 'wipe the data directory (database, kiosks, phones, demo logins) before starting')
  .option(
    '--cluster',
    'keep the cloud database on the PostgreSQL cluster of `npm run cluster` (its state in --cluster-dir)',
  )
  .option('--cluster-dir <dir>', 'the cluster state directory', join(root, '.cluster'))
  .option('--data-dir <dir>', 'where everything is kept', process.env.REDTAP_HOME ?? join(root, '.redtap'))
  .option('--host <address>', 'address every service listens on', '127.0.0.1')
  .addOption(new Option('--port <port>', 'cloud HTTP port').env('PORT').default(8787).argParser(port))
  .addOption(
    new Option('--mqtt-port <port>', 'embedded MQTT broker port')
      .env('MQTT_PORT')
      .default(1884)
      .argParser(port),
  )
  .addOption(
    new Option('--screen-port <port>', 'first screen port; the others follow; 0 = any free')
      .env('REDTAP_SCREEN_PORT')
      .default(8711)
      .argParser(port),
  )
  .addOption(
    new Option('--phone-port <port>', 'phone simulator port')
      .env('REDTAP_PHONE_PORT')
      .default(8790)
      .argParser(port),
  )
  .option('--no-pcsc', 'use the simulated reader on every screen, even when pcscd is running')
  .addOption(new Option('--locale <locale>', 'screen language').choices(['zh', 'en']).default('zh'))
  .option('--json-logs', 'JSON logs on the console instead of readable lines')
  .addOption(
    new Option('--log-level <level>', 'console log level')
      .choices(['debug', 'info', 'warn', 'error'])
      .env('LOG_LEVEL')
      .default('info'),
  )
  .parse(process.argv);
const options = program.opts<{
  reset?: boolean;
  cluster?: boolean;
  clusterDir: string;
  dataDir: string;
  host: string;
  port: number;
  mqttPort: number;
  screenPort: number;
  phonePort: number;
  pcsc: boolean;
  locale: 'zh' | 'en';
  jsonLogs?: boolean;
  logLevel: string;
}>();

// The cluster demo keeps its kiosks and phones apart from the embedded one: they belong to its database.
const dataDir = resolve(
  options.cluster === true && program.getOptionValueSource('dataDir') === 'default'
    ? join(root, '.redtap', 'cluster-demo')
    : options.dataDir,
);
if (options.reset === true) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`[redtap] ${dataDir} wiped`);
}
const sink = createLogSink({
  json: options.jsonLogs === true,
  level: options.logLevel,
  file: join(dataDir, 'logs', 'redtap.log'),
});
const logger = sink.logger.child({ service: 'launcher' });
const startedAt = performance.now();

const CLUSTER_DATABASE = 'redtap';
if (options.cluster === true) {
  const cluster = await openPostgresCluster({
    stateDir: resolve(options.clusterDir),
    log: (line) => logger.info(line),
  });
  await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    // --reset wiped the kiosks and phones of this database: it starts over too.
    if (options.reset === true) await admin.query(`drop database if exists ${CLUSTER_DATABASE} with (force)`);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [
      CLUSTER_DATABASE,
    ]);
    if (rowCount === 0 || options.reset === true) await admin.query(`create database ${CLUSTER_DATABASE}`);
  } finally {
    await admin.end();
  }
  // The cloud reads DATABASE_URL and its broker settings from the environment (see ./demo/launcher.ts).
  process.env.DATABASE_URL = cluster.url(CLUSTER_DATABASE);
  const natsMissing = natsMissingReason();
  if (natsMissing === null)
    Object.assign(
      process.env,
      (
        await startNats(resolve(options.clusterDir), {
          startTimeoutMs: 60_000,
          log: (line) => logger.info(line),
        })
      ).env,
    );
  else logger.warn(`no NATS cluster (${natsMissing}): the embedded broker carries the screens`);
  logger.info(
    { leader: await cluster.leader(), stateDir: cluster.stateDir },
    'cloud database on the PostgreSQL cluster, through HAProxy (npm run cluster -- status | down)',
  );
}

let demo;
try {
  demo = await startDemo({
    dataDir,
    host: options.host,
    httpPort: options.port,
    mqttPort: options.mqttPort,
    screenPort: options.screenPort,
    phonePort: options.phonePort,
    pcsc: options.pcsc,
    locale: options.locale,
    logLevel: options.logLevel,
    logger: sink.logger,
    writeLogLine: (line) => sink.writeLine(line),
  });
} catch (error) {
  if (error instanceof LauncherError) {
    console.error(`[redtap] cannot start: ${error.message}`);
    await sink.close();
    process.exit(1);
  }
  throw error;
}
const running = demo;
logger.info(
  { startupMs: Math.round(performance.now() - startedAt), jsonLog: join(dataDir, 'logs', 'redtap.log') },
  'ready',
);
// Last, once the kiosks' start-up lines have passed, so the addresses and logins are what the terminal
// shows when start-up is done.
await sink.whenQuiet(SUMMARY_QUIET_MS, SUMMARY_WAIT_MAX_MS);
console.log(describeDemo(running));

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(130);
  stopping = true;
  logger.info({ signal }, 'stopping…');
  running.stop().then(
    async () => {
      logger.info('stopped');
      await sink.close();
      process.exit(0);
    },
    (error: unknown) => {
      console.error('[redtap] unclean stop', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
