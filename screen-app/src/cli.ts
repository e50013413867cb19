// `redtap-screen`: enrol a kiosk, run it (agent, tap reader and the screen in a browser), print its status.
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { loadKioskEnv } from './agent/env.ts';
import { describeRefusal, enrollKiosk } from './agent/enroll-kiosk.ts';
import { READER_CHOICES } from './agent/reader-source.ts';
import { READER_TAG_SETTINGS } from './agent/reader-tag.ts';
import { runKiosk } from './agent/run-kiosk.ts';
import { readKioskStatus } from './agent/kiosk-status.ts';

const program = new Command()
  .name('redtap-screen')
  .description('RedTap kiosk: enrolment, the tap engine and sync with the cloud')
  .showHelpAfterError();

program
  .command('enroll')
  .description('enrol this kiosk with a one-time code from the operator')
  .requiredOption('--cloud <url>', 'the cloud HTTP URL, e.g. http://127.0.0.1:8787')
  .requiredOption('--code <code>', 'the 8-character enrolment code')
  .option('--data-dir <dir>', 'kiosk data directory (REDTAP_KIOSK_DATA_DIR)')
  .option('--force', 're-enrol an enrolled kiosk with a new key')
  .action(async (options: { cloud: string; code: string; dataDir?: string; force?: boolean }) => {
    const env = loadKioskEnv(undefined, { REDTAP_KIOSK_DATA_DIR: options.dataDir });
    const result = await enrollKiosk({
      dataDir: env.REDTAP_KIOSK_DATA_DIR,
      cloudUrl: options.cloud,
      code: options.code,
      force: options.force === true,
    });
    if (!result.ok) {
      console.error(`enrolment failed: ${describeRefusal(result)}`);
      process.exitCode = 1;
      return;
    }
    const { identity } = result;
    console.log(`enrolled as screen ${identity.screenId}; broker ${identity.mqtt.url}`);
  });

program
  .command('run')
  .description('run the enrolled kiosk: tap reader, sync with the cloud, and the screen in a browser')
  .option('--data-dir <dir>', 'kiosk data directory (REDTAP_KIOSK_DATA_DIR)')
  .option('--cloud <url>', 'cloud HTTP URL for content downloads (default: the one used at enrolment)')
  .option('--host <address>', 'browser host address (REDTAP_UI_HOST, default 127.0.0.1)')
  .option('--port <port>', 'browser host port, 0 = any free one (REDTAP_UI_PORT, default 8710)')
  .addOption(
    new Option('--reader <reader>', 'tap source (REDTAP_READER, default pcsc)').choices(READER_CHOICES),
  )
  .addOption(
    new Option(
      '--reader-tag <setting>',
      'the PC/SC reader also acts as an NFC tag with a claim URL (REDTAP_READER_TAG, default auto: PN532/ACR122U readers)',
    ).choices(READER_TAG_SETTINGS),
  )
  .option('--no-ui', 'run headless: no browser host')
  .action(
    async (options: {
      dataDir?: string;
      cloud?: string;
      host?: string;
      port?: string;
      reader?: string;
      readerTag?: string;
      ui: boolean;
    }) => {
      const env = loadKioskEnv(undefined, {
        REDTAP_KIOSK_DATA_DIR: options.dataDir,
        REDTAP_CLOUD_URL: options.cloud,
        REDTAP_UI_HOST: options.host,
        REDTAP_UI_PORT: options.port,
        REDTAP_READER: options.reader,
        REDTAP_READER_TAG: options.readerTag,
      });
      const logger = pino({ level: env.LOG_LEVEL, base: { service: 'redtap-screen' } });
      let started: Awaited<ReturnType<typeof runKiosk>>;
      try {
        started = await runKiosk({
          dataDir: env.REDTAP_KIOSK_DATA_DIR,
          cloudUrl: env.REDTAP_CLOUD_URL,
          reader: env.REDTAP_READER,
          readerTag: env.REDTAP_READER_TAG,
          locale: env.REDTAP_LOCALE,
          logger,
          ui: options.ui ? { host: env.REDTAP_UI_HOST, port: env.REDTAP_UI_PORT } : false,
        });
      } catch (error) {
        // A missing key file, an unreadable store or a port in use: say what, without a stack trace.
        logger.fatal({ err: error }, 'cannot start');
        console.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
        return;
      }
      if (!started.ok) {
        console.error(`cannot start: ${describeRefusal(started)}`);
        process.exitCode = 1;
        return;
      }
      const { kiosk } = started;
      const { agent, host } = kiosk;
      if (host !== null) {
        logger.info({ url: host.url }, 'screen served');
        console.log(`screen: ${host.url}`);
        if (agent.simulator !== null) console.log(`simulated taps: POST ${host.url}sim/tap`);
      }
      let signals = 0;
      const shutdown = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) process.exit(130);
        logger.info({ signal }, 'stopping');
        kiosk.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'unclean stop');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
  );

program
  .command('status')
  .description('print identity, tap counter, backlog and deck levels')
  .option('--data-dir <dir>', 'kiosk data directory (REDTAP_KIOSK_DATA_DIR)')
  .option('--json', 'print JSON')
  .action((options: { dataDir?: string; json?: boolean }) => {
    const env = loadKioskEnv(undefined, { REDTAP_KIOSK_DATA_DIR: options.dataDir });
    const status = readKioskStatus(env.REDTAP_KIOSK_DATA_DIR, Math.floor(Date.now() / 1000));
    if (options.json === true) {
      console.log(JSON.stringify(status, null, 2));
      return;
    }
    if (!status.enrolled) {
      console.log(`not enrolled (${status.dataDir}); run \`redtap-screen enroll --cloud URL --code CODE\``);
      return;
    }
    console.log(`screen      ${String(status.screenId)}`);
    console.log(`broker      ${String(status.broker)} (topic root ${String(status.topicRoot)})`);
    console.log(
      `config      version ${status.configVersion === null ? 'none yet' : String(status.configVersion)}`,
    );
    console.log(`counter     ${status.counter}`);
    console.log(`backlog     ${status.backlog} unsettled`);
    if (status.decks.length === 0) console.log('decks       none');
    for (const deck of status.decks)
      console.log(
        `deck        ${deck.deckId} campaign ${deck.campaignId}: ${deck.remaining}/${deck.count} left, until ${new Date(deck.validUntil * 1000).toISOString()}`,
      );
  });

await program.parseAsync();
