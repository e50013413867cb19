// `redtap-cloud`: serve the API and broker, apply migrations, create an operator, check the ledger.
import { Command, InvalidArgumentError } from 'commander';
import { PortInUseError, createLogger, openCloudDatabase, startCloud } from './cloud.ts';
import { loadEnv } from './env.ts';
import { checkLedger } from './ledger/check-ledger.ts';
import { createOperator } from './services/accounts.ts';
import { DomainError } from './errors.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError('not a port number');
  return port;
}

const program = new Command()
  .name('redtap-cloud')
  .description('RedTap cloud: HTTP API, MQTT ingest and ledger')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the HTTP API (and the embedded MQTT broker unless MQTT_URL is set)')
  .option('--host <host>', 'HTTP bind address (HOST)')
  .option('--port <port>', 'HTTP port (PORT)', parsePort)
  .option('--mqtt-port <port>', 'embedded broker port (MQTT_PORT)', parsePort)
  .action(async (options: { host?: string; port?: number; mqttPort?: number }) => {
    const env = loadEnv(undefined, {
      HOST: options.host,
      PORT: options.port?.toString(),
      MQTT_PORT: options.mqttPort?.toString(),
    });
    const logger = createLogger(env);
    let cloud;
    try {
      cloud = await startCloud(env, logger);
    } catch (error) {
      if (error instanceof PortInUseError) {
        logger.fatal(error.message);
        console.error(error.message);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
    const running = cloud;
    let signals = 0;
    const shutdown = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      logger.info({ signal }, 'stopping');
      running.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean stop');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const env = loadEnv();
    const database = await openCloudDatabase(env);
    await database.close();
    console.log(`migrations applied (${database.engine})`);
  });

program
  .command('create-operator')
  .description('create an operator account')
  .requiredOption('--email <email>', 'login email')
  .requiredOption('--password <password>', 'password (at least 10 characters)')
  .action(async (options: { email: string; password: string }) => {
    if (options.password.length < 10)
      throw new InvalidArgumentError('password must be at least 10 characters');
    const database = await openCloudDatabase(loadEnv());
    try {
      const id = await createOperator(database.db, options);
      console.log(`operator ${options.email} created (user ${id})`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      console.error(error.message);
      process.exitCode = 1;
    } finally {
      await database.close();
    }
  });

program
  .command('check-ledger')
  .description(
    'check the ledger invariant (balances against the transfers since the last checkpoint); exits 1 when it does not hold',
  )
  .option('--full', 'sum every transfer again, for an audit (and rebuild the checkpoint when it holds)')
  .action(async (options: { full?: boolean }) => {
    const database = await openCloudDatabase(loadEnv());
    try {
      const result = await checkLedger(database.db, { full: options.full === true });
      console.log(JSON.stringify(result, null, 2));
      if (!result.ok) process.exitCode = 1;
    } finally {
      await database.close();
    }
  });

await program.parseAsync(process.argv);
