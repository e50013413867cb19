// One worker process of the fleet simulation: enrols the lightweight screens it is handed, keeps each one
// connected to the broker as a kiosk would (./light-screen.ts), and reports counts to the parent twice a
// second. Heartbeats and refill checks run from one ticker per process, spread over the seconds, so a
// worker holds a few timers rather than thousands.
import type { KeyObject } from 'node:crypto';
import { pino } from 'pino';
import { LightScreen } from './light-screen.ts';
import {
  FLEET_WORKER_ENV,
  FleetWorkerConfig,
  ParentMessage,
  type FleetWorkerStats,
  type WorkerMessage,
} from './fleet-messages.ts';

const STATS_EVERY_MS = 500;
const TICK_MS = 1_000;
/** Refill checks per screen, as the kiosk's maintenance tick (5 s). */
const MAINTAIN_EVERY_TICKS = 5;
/** An enrolment the cloud did not answer is tried again this many times in all, as a person would. */
const ENROL_ATTEMPTS = 3;
const RETRY_AFTER_MS = 2_000;

function send(message: WorkerMessage): void {
  if (process.send !== undefined && process.connected) process.send(message);
}

const config = FleetWorkerConfig.parse(JSON.parse(process.env[FLEET_WORKER_ENV] ?? '{}'));
// REDTAP_FLEET_LOG=debug shows each screen link's log on stderr.
const logger = pino(
  { enabled: process.env.REDTAP_FLEET_LOG !== undefined, level: process.env.REDTAP_FLEET_LOG ?? 'silent' },
  process.stderr,
);
const issuerKeyCache = new Map<string, KeyObject>();
const screens: LightScreen[] = [];
const queue: { screenId: number; code: string }[] = [];
const enrolFailed: Record<string, number> = {};
let assigned = 0;
let enrolling = 0;

/** A distinct address per screen (100.64.0.0/10), as screens in their own buildings have. */
function clientAddress(screenId: number): string {
  return `100.${64 + ((screenId >> 16) & 0x3f)}.${(screenId >> 8) & 0xff}.${screenId & 0xff}`;
}

/** The listener a screen dials: round-robin over several (NATS nodes), else the one configured or enrolled. */
function brokerUrlFor(screenId: number): string | undefined {
  const urls = config.mqttUrls;
  return urls === undefined ? config.mqttUrl : urls[screenId % urls.length];
}

async function enrolOne(item: { screenId: number; code: string }): Promise<void> {
  const mqttUrl = brokerUrlFor(item.screenId);
  const screen = new LightScreen({
    screenId: item.screenId,
    code: item.code,
    cloudUrl: config.cloudUrl,
    ...(mqttUrl === undefined ? {} : { mqttUrl }),
    clientAddress: clientAddress(item.screenId),
    logger,
    issuerKeyCache,
  });
  for (let attempt = 1; ; attempt++) {
    const outcome = await screen.enrol();
    if (outcome.ok && outcome.mqtt !== undefined) {
      screens.push(screen);
      screen.start(outcome.mqtt);
      return;
    }
    const code = outcome.ok ? 'REPLY_INVALID' : outcome.code;
    // Only a request that got no answer is worth repeating; a refused code stays refused.
    const retry = code === 'UNREACHABLE' || code.startsWith('HTTP_5');
    if (!retry || attempt >= ENROL_ATTEMPTS) {
      enrolFailed[code] = (enrolFailed[code] ?? 0) + 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS * attempt));
  }
}

function pump(): void {
  while (enrolling < config.concurrency && queue.length > 0) {
    const item = queue.shift();
    if (item === undefined) break;
    enrolling++;
    enrolOne(item)
      .catch((error: unknown) => {
        const code = error instanceof Error ? error.name : 'ERROR';
        enrolFailed[code] = (enrolFailed[code] ?? 0) + 1;
      })
      .finally(() => {
        enrolling--;
        pump();
      });
  }
}

function stats(): FleetWorkerStats {
  const revocationVersions: Record<string, number> = {};
  let connected = 0;
  let neverConnected = 0;
  let configured = 0;
  let withDeck = 0;
  let decks = 0;
  let envelopes = 0;
  let configsInvalid = 0;
  let configsCleared = 0;
  let decksRejected = 0;
  let deckLowSent = 0;
  let eventsPublished = 0;
  let stopped = 0;
  for (const screen of screens) {
    if (screen.stopped) {
      stopped++;
      continue;
    }
    if (screen.connected) connected++;
    if (!screen.everConnected) neverConnected++;
    if (screen.configVersion > 0) configured++;
    const held = screen.envelopesHeld();
    if (screen.decksHeld > 0) withDeck++;
    decks += screen.decksHeld;
    envelopes += held;
    const key = String(screen.revocationVersion);
    revocationVersions[key] = (revocationVersions[key] ?? 0) + 1;
    configsInvalid += screen.configsInvalid;
    if (screen.configCleared) configsCleared++;
    decksRejected += screen.decksRejected;
    deckLowSent += screen.deckLowSent;
    eventsPublished += screen.eventsPublished;
  }
  return {
    assigned,
    enrolled: screens.length,
    enrolFailed: { ...enrolFailed },
    connected,
    neverConnected,
    configured,
    withDeck,
    decks,
    envelopes,
    revocationVersions,
    configsInvalid,
    configsCleared,
    decksRejected,
    deckLowSent,
    eventsPublished,
    stopped,
    rssBytes: process.memoryUsage.rss(),
  };
}

let tick = 0;
const ticker = setInterval(() => {
  tick++;
  for (let i = 0; i < screens.length; i++) {
    const screen = screens[i] as LightScreen;
    if (screen.stopped) continue;
    if (i % config.heartbeatIntervalS === tick % config.heartbeatIntervalS) screen.sendHeartbeat();
    if (i % MAINTAIN_EVERY_TICKS === tick % MAINTAIN_EVERY_TICKS) screen.maintain();
  }
}, TICK_MS);
const reporter = setInterval(() => send({ type: 'stats', stats: stats() }), STATS_EVERY_MS);

async function stopAll(): Promise<void> {
  clearInterval(ticker);
  clearInterval(reporter);
  send({ type: 'stats', stats: stats() });
  await Promise.all(screens.map((screen) => screen.stop().catch(() => undefined)));
  process.exit(0);
}

process.on('message', (raw) => {
  const parsed = ParentMessage.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === 'screens') {
    assigned += message.screens.length;
    queue.push(...message.screens);
    pump();
  } else if (message.type === 'stop-some') {
    const chosen = screens.filter((screen) => !screen.stopped && screen.connected).slice(0, message.count);
    void Promise.all(chosen.map((screen) => screen.stop())).then(() =>
      send({ type: 'stopped-some', screenIds: chosen.map((screen) => screen.screenId) }),
    );
  } else void stopAll();
});
process.on('disconnect', () => void stopAll());
process.on('SIGTERM', () => void stopAll());
process.on('uncaughtException', (error) => {
  send({ type: 'failed', message: error.stack ?? error.message });
  process.exit(1);
});
