// `redtap-reader`: field tool for technicians. `list` shows PC/SC readers and whether a card is on
// them; `watch` runs diagnostic exchanges (never commits, never sends a receipt) with per-APDU timing.
import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  PublicKeyCache,
  SignatureLabel,
  encodeChallenge,
  generateKeyPair,
  statusWordHex,
  verify,
} from '@redtap/shared';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { PcscTapSource } from './pcsc-reader.ts';
import { mintDemoWallet } from './demo-kiosk.ts';
import { SimulatedTapSource } from './simulated-reader.ts';
import { waitForTapEvent } from './tap-events.ts';
import type { TapEvent, TapHandler, TapSource } from './types.ts';
import { VirtualPhone } from './virtual-phone.ts';

const LIST_SETTLE_MS = 400;
const LIST_TIMEOUT_MS = 3000;

/** Runs SELECT and SIGN, checks the phone's signature against its credential key, then stops. */
function diagnosticHandler(): TapHandler {
  const keys = new PublicKeyCache(100);
  return {
    onHello: () =>
      Promise.resolve({
        kind: 'challenge',
        challenge: encodeChallenge({
          screenId: 0,
          counter: 1,
          ts: Math.floor(Date.now() / 1000),
          nonce: new Uint8Array(randomBytes(16)),
          campaignId: 0,
        }),
      }),
    onSignature: (signature, context) => {
      const key = keys.get(context.hello.credential.phonePublicKey);
      const valid = key.ok && verify(SignatureLabel.challenge, context.challenge, signature, key.value);
      return Promise.resolve({
        kind: 'refuse',
        code: valid ? 'DIAGNOSTIC_ONLY' : ErrorCode.PHONE_SIGNATURE_INVALID,
        message: valid
          ? 'signature verified; diagnostic mode never commits'
          : 'phone signature does not verify',
      });
    },
  };
}

function formatEvent(event: TapEvent): string {
  const time = new Date().toISOString().slice(11, 23);
  switch (event.type) {
    case 'apdu': {
      const { timing } = event;
      const sw = timing.sw === null ? 'no reply' : `SW ${statusWordHex(timing.sw)}`;
      const size = timing.responseLength === null ? '' : ` (${timing.responseLength} B)`;
      return `${time} ${event.readerName}  apdu ${timing.step.padEnd(7)} ${timing.durationMs.toFixed(1).padStart(6)} ms  ${sw}${size}`;
    }
    case 'tap': {
      const { result } = event;
      const wallet = result.walletId === null ? '' : ` wallet ${result.walletId}`;
      return `${time} ${result.readerName}  tap ${result.outcome}${result.code === null ? '' : ` ${result.code}`}${wallet}  total ${result.totalMs.toFixed(1)} ms (transport ${result.transportMs.toFixed(1)} ms) — ${result.message}`;
    }
    case 'card.present':
      return `${time} ${event.readerName}  card present, ATR ${event.atr}, ${event.cardType}`;
    case 'source.unavailable':
      return `${time} PC/SC unavailable (attempt ${event.attempt}, retry in ${event.retryInMs} ms): ${event.message}`;
    case 'source.gave-up':
      return `${time} PC/SC: giving up after ${event.attempts} attempts: ${event.message}`;
    default:
      return `${time} ${event.type}${'readerName' in event ? ` ${event.readerName}` : ''}${'message' in event ? `: ${event.message}` : ''}`;
  }
}

const SIMULATED_TAP_INTERVAL_MS = 2000;

/** In --simulate mode a demo phone taps every two seconds, so the tool has something to show. */
function simulateTaps(source: SimulatedTapSource): void {
  const phone = new VirtualPhone({ ...mintDemoWallet(generateKeyPair().privateKey, 1), online: true });
  setInterval(() => {
    source.remove();
    void source.present(phone).then(() => {
      source.remove();
    });
  }, SIMULATED_TAP_INTERVAL_MS);
}

function positiveInteger(value: string): number {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

const logger = pino({ name: 'redtap-reader', level: 'error' }, pino.destination(2));
const program = new Command('redtap-reader').description('RedTap NFC reader diagnostics (PC/SC)');

program
  .command('list')
  .description('list PC/SC readers and whether a card is on them')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const source = new PcscTapSource({
      handler: diagnosticHandler(),
      mode: 'observe',
      logger,
      retryAttemptsMax: 1,
    });
    const outcome = Promise.race([
      waitForTapEvent(source, 'source.ready', () => true, LIST_TIMEOUT_MS),
      waitForTapEvent(source, 'source.unavailable', () => true, LIST_TIMEOUT_MS),
    ]);
    await source.start();
    const first = await outcome;
    if (first.type === 'source.unavailable') {
      console.error(`error: ${first.message}`);
      process.exit(1);
    }
    // pcsclite announces readers and card states asynchronously, right after it connects.
    await new Promise((resolve) => setTimeout(resolve, LIST_SETTLE_MS));
    const readers = source.readers();
    if (options.json === true) console.log(JSON.stringify(readers));
    else if (readers.length === 0) console.log('no readers');
    else for (const reader of readers) console.log(`${reader.name}\t${reader.state}`);
    await source.stop();
    process.exit(0);
  });

program
  .command('watch')
  .description('print reader, card and APDU events live; runs diagnostic exchanges that never commit')
  .option('--json', 'one JSON event per line')
  .option('--simulate', 'use the in-process simulated reader (no PC/SC); a demo phone taps every 2 s')
  .option('--budget-ms <ms>', 'exchange budget', positiveInteger, 500)
  .action(async (options: { json?: boolean; simulate?: boolean; budgetMs: number }) => {
    const handler = diagnosticHandler();
    const source: TapSource =
      options.simulate === true
        ? new SimulatedTapSource({ handler, logger, budgetMs: options.budgetMs })
        : new PcscTapSource({ handler, logger, budgetMs: options.budgetMs });
    source.on((event) => console.log(options.json === true ? JSON.stringify(event) : formatEvent(event)));
    const stop = (): void => {
      void source.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await source.start();
    if (source instanceof SimulatedTapSource) simulateTaps(source);
  });

await program.parseAsync(process.argv);
