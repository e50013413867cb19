// The messages between the chaos runner and each kiosk child (Node IPC). Both sides validate.
import { z } from 'zod';

export const CHAOS_KIOSK_ENV = 'REDTAP_CHAOS_KIOSK';

export const ChaosKioskConfig = z.object({
  index: z.number().int(),
  dataDir: z.string(),
  /** The broker as this kiosk reaches it: through its fault proxy. */
  mqttUrl: z.string(),
  /** JSON: the phones' keys and credentials, so tap commands name a phone by index. */
  phonesFile: z.string(),
  clockOffsetS: z.number().int(),
  logFile: z.string(),
  logLevel: z.string(),
});
export type ChaosKioskConfig = z.infer<typeof ChaosKioskConfig>;

export const TapResult = z.object({
  outcome: z.string(),
  code: z.string().nullable(),
  committed: z.boolean(),
  /** The committed tap's counter. */
  counter: z.number().int().nullable(),
  /** The receipt the phone kept (hex), for the phone's own redemption. */
  receipt: z.string().nullable(),
  /** How sure the screen said it was of the committed prize (absent: firm, as before). */
  certainty: z.enum(['firm', 'confirming']).optional(),
});

export const KioskMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), screenId: z.number().int() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('tapped'), requestId: z.number().int(), result: TapResult }),
  z.object({
    type: z.literal('status'),
    requestId: z.number().int(),
    status: z.object({ connected: z.boolean(), counter: z.number().int(), backlog: z.number().int() }),
  }),
]);
export type KioskMessage = z.infer<typeof KioskMessage>;

export const RunnerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tap'), requestId: z.number().int(), phone: z.number().int() }),
  z.object({ type: z.literal('clock'), offsetS: z.number().int() }),
  z.object({ type: z.literal('status'), requestId: z.number().int() }),
  z.object({ type: z.literal('stop') }),
]);
export type RunnerMessage = z.infer<typeof RunnerMessage>;
