// One chaos kiosk in its own process: the real kiosk agent with the simulated reader, its broker link
// through the runner's fault proxy, and a clock the runner can jump. It taps when told to (the runner
// owns the seeded tap pattern) and reports each committed tap with its counter only after the engine's
// commit returned, so every tap the runner saw committed must be on disk whenever the process dies.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import { backlogCount, describeRefusal, lastCommittedCounter, startKioskAgent } from '@redtap/screen-app';
import { decodeCredential, fromHex, importPrivateKeyPem, toHex } from '@redtap/shared';
import { certaintyOf, type Certainty } from '../simulator/fidelity.ts';
import { VirtualPhone } from '@redtap/tap-reader';
import { CHAOS_KIOSK_ENV, ChaosKioskConfig, RunnerMessage, type KioskMessage } from './kiosk-messages.ts';

/** Settled taps stay on disk for the whole run (the runner reads them all at the end). */
const RETENTION_S = 365 * 86_400;

const PhoneFile = z.array(
  z.object({ walletId: z.number().int(), privateKeyPem: z.string(), credential: z.string() }),
);

function send(message: KioskMessage): void {
  if (process.send !== undefined && process.connected) process.send(message);
}

const config = ChaosKioskConfig.parse(JSON.parse(process.env[CHAOS_KIOSK_ENV] ?? '{}'));
const logger = pino(
  { level: config.logLevel, base: { service: `kiosk-${config.index}` } },
  pino.destination({ dest: config.logFile, sync: false, mkdir: true }),
);
const phones = PhoneFile.parse(JSON.parse(readFileSync(config.phonesFile, 'utf8'))).map((phone) => {
  const credential = decodeCredential(fromHex(phone.credential) ?? new Uint8Array());
  if (!credential.ok) throw new Error(`phone ${phone.walletId}: the credential does not decode`);
  return { keyPair: importPrivateKeyPem(phone.privateKeyPem), credential: credential.value };
});

let clockOffsetS = config.clockOffsetS;
const started = await startKioskAgent({
  dataDir: config.dataDir,
  reader: 'simulated',
  mqttUrl: config.mqttUrl,
  logger,
  now: () => Math.floor(Date.now() / 1000) + clockOffsetS,
  settledRetentionS: RETENTION_S,
  syncLimits: { reconnectInitialMs: 250, reconnectMaxMs: 2_000 },
});
if (!started.ok) {
  send({ type: 'failed', message: describeRefusal(started) });
  process.exit(1);
}
const { agent } = started;
// The certainty of each committed prize, by counter, as the screen showed it.
let lastCertainty: { counter: number; certainty: Certainty } | null = null;
const completeTap = agent.engine.completeTap.bind(agent.engine);
agent.engine.completeTap = (...args) => {
  const done = completeTap(...args);
  if (done.ok) lastCertainty = { counter: done.prize.counter, certainty: certaintyOf(done.prize) };
  return done;
};

async function tap(phoneIndex: number): Promise<Extract<KioskMessage, { type: 'tapped' }>['result']> {
  const phone = phones[phoneIndex];
  const simulator = agent.simulator;
  if (phone === undefined || simulator === null)
    throw new Error(`no phone ${phoneIndex} or no simulated reader`);
  // A phone from before the day state: this process sees only its own kiosk's receipts, so a day state
  // signed from them would understate the phone's day on the other kiosks (docs/protocol.md §4.4).
  const card = new VirtualPhone({ keyPair: phone.keyPair, credential: phone.credential, dayState: false });
  const readerName = simulator.readers()[0]?.name;
  try {
    const result = await simulator.present(card, readerName);
    const receipt = card.receipts.at(-1)?.token;
    const counter = result.committed ? lastCommittedCounter(agent.store) : null;
    return {
      outcome: result.outcome,
      code: result.code,
      committed: result.committed,
      counter,
      receipt: receipt === undefined ? null : toHex(receipt),
      ...(counter !== null && lastCertainty?.counter === counter
        ? { certainty: lastCertainty.certainty }
        : {}),
    };
  } finally {
    simulator.remove(readerName);
  }
}

process.on('message', (raw) => {
  const parsed = RunnerMessage.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.type) {
    case 'tap':
      tap(message.phone).then(
        (result) => send({ type: 'tapped', requestId: message.requestId, result }),
        (error: unknown) =>
          send({
            type: 'tapped',
            requestId: message.requestId,
            result: {
              outcome: 'error',
              code: error instanceof Error ? error.message : String(error),
              committed: false,
              counter: null,
              receipt: null,
            },
          }),
      );
      return;
    case 'clock':
      clockOffsetS = message.offsetS;
      logger.warn({ offsetS: clockOffsetS }, 'clock jumped');
      return;
    case 'status':
      send({
        type: 'status',
        requestId: message.requestId,
        status: {
          connected: agent.sync.isConnected,
          counter: lastCommittedCounter(agent.store),
          backlog: backlogCount(agent.store),
        },
      });
      return;
    case 'stop':
      agent.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
      return;
  }
});
process.on('disconnect', () => {
  void agent.stop().finally(() => process.exit(0));
});
send({ type: 'ready', screenId: agent.identity.screenId });
