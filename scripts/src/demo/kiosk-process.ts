// One demo kiosk in its own process: `redtap-screen run` as a function (the agent, the tap source and the
// browser host with /sim/tap), reached through the launcher's link proxy, answering status requests and
// reporting taps over IPC. It stops on SIGINT/SIGTERM, an IPC `stop`, or when the launcher goes away.
import {
  backlogCount,
  deckLevels,
  describeRefusal,
  lastCommittedCounter,
  loadConfig,
  runKiosk,
} from '@redtap/screen-app';
import { pino } from 'pino';
import { ChildMessage, KIOSK_CONFIG_ENV, KioskChildConfig, ParentMessage } from './kiosk-messages.ts';

/** The demo reconnects quickly after a link comes back; a fleet would keep the default 60 s cap. */
const RECONNECT_MAX_MS = 3_000;

function send(message: ChildMessage): void {
  if (process.send !== undefined && process.connected) process.send(message);
}

const config = KioskChildConfig.parse(JSON.parse(process.env[KIOSK_CONFIG_ENV] ?? '{}'));
const logger = pino({ level: config.logLevel, base: { service: `kiosk-${config.index}` } });

const started = await runKiosk({
  dataDir: config.dataDir,
  cloudUrl: config.cloudUrl,
  mqttUrl: config.mqttUrl,
  reader: config.reader,
  locale: config.locale,
  logger,
  ui: { host: config.uiHost, port: config.uiPort },
  syncLimits: { reconnectInitialMs: 500, reconnectMaxMs: RECONNECT_MAX_MS },
}).catch((error: unknown) => ({
  ok: false as const,
  code: 'START_FAILED',
  message: error instanceof Error ? error.message : String(error),
}));
if (!started.ok) {
  send({ type: 'failed', message: describeRefusal(started) });
  process.exit(1);
}
const { kiosk } = started;
const { agent } = kiosk;

agent.tapSource?.on((event) => {
  if (event.type !== 'tap') return;
  send({
    type: 'tap',
    readerName: event.result.readerName,
    outcome: event.result.outcome,
    code: event.result.code,
    walletId: event.result.walletId,
    committed: event.result.committed,
  });
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  kiosk.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.on('message', (raw) => {
  const parsed = ParentMessage.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === 'stop') {
    stop();
    return;
  }
  const nowS = Math.floor(Date.now() / 1000);
  const envelopesLeft = deckLevels(agent.store, nowS).reduce((sum, level) => sum + level.remaining, 0);
  send({
    type: 'status',
    requestId: message.requestId,
    status: {
      screenId: agent.identity.screenId,
      connected: agent.sync.isConnected,
      counter: lastCommittedCounter(agent.store),
      backlog: backlogCount(agent.store),
      envelopesLeft,
      revocationVersion: loadConfig(agent.store)?.revocation.version ?? null,
    },
  });
});
send({ type: 'ready', url: kiosk.host?.url ?? null, screenId: agent.identity.screenId });
