// The messages between the fleet simulation and its worker processes (Node IPC), each holding a share of
// the lightweight screens. Both sides validate.
import { z } from 'zod';

export const FLEET_WORKER_ENV = 'REDTAP_FLEET_WORKER';

export const FleetWorkerConfig = z.object({
  index: z.number().int().min(0),
  cloudUrl: z.string(),
  /** The broker as the screens reach it; unset: the URL their enrolment names. */
  mqttUrl: z.string().optional(),
  /** Several listeners (the nodes of a NATS cluster): screen `id` dials `mqttUrls[id % length]`. */
  mqttUrls: z.array(z.string()).min(1).optional(),
  /** Enrolments this worker has in flight at once. */
  concurrency: z.number().int().min(1),
  /** Seconds between a screen's heartbeats (the kiosk's 60 s). */
  heartbeatIntervalS: z.number().int().min(1),
});
export type FleetWorkerConfig = z.infer<typeof FleetWorkerConfig>;

export const FleetWorkerStats = z.object({
  assigned: z.number().int(),
  enrolled: z.number().int(),
  /** Failed enrolments by code (after the retries a person at the kiosk would make). */
  enrolFailed: z.record(z.string(), z.number().int()),
  connected: z.number().int(),
  /** Enrolled screens (not switched off) that never held a connection. */
  neverConnected: z.number().int(),
  /** Screens holding a retained config. */
  configured: z.number().int(),
  /** Screens holding at least one usable deck. */
  withDeck: z.number().int(),
  decks: z.number().int(),
  envelopes: z.number().int(),
  /** Screens by the revocation version of the config they hold (-1: none yet). */
  revocationVersions: z.record(z.string(), z.number().int()),
  configsInvalid: z.number().int(),
  configsCleared: z.number().int(),
  decksRejected: z.number().int(),
  deckLowSent: z.number().int(),
  eventsPublished: z.number().int(),
  stopped: z.number().int(),
  rssBytes: z.number().int(),
});
export type FleetWorkerStats = z.infer<typeof FleetWorkerStats>;

export const WorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats'), stats: FleetWorkerStats }),
  z.object({ type: z.literal('stopped-some'), screenIds: z.array(z.number().int()) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;

export const ParentMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('screens'),
    screens: z.array(z.object({ screenId: z.number().int(), code: z.string() })),
  }),
  /** Stop this many connected screens cleanly (a kiosk switched off), answered with their ids. */
  z.object({ type: z.literal('stop-some'), count: z.number().int().min(0) }),
  z.object({ type: z.literal('stop') }),
]);
export type ParentMessage = z.infer<typeof ParentMessage>;
