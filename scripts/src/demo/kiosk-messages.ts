// The messages between the launcher and each kiosk child process (Node IPC). Both sides validate.
import { z } from 'zod';

export const KioskChildConfig = z.object({
  index: z.number().int(),
  dataDir: z.string(),
  reader: z.enum(['simulated', 'pcsc', 'none']),
  uiHost: z.string(),
  uiPort: z.number().int().min(0).max(65_535),
  /** The broker as this kiosk reaches it (through the launcher's link proxy). */
  mqttUrl: z.string(),
  cloudUrl: z.string(),
  locale: z.enum(['zh', 'en']),
  logLevel: z.string(),
});
export type KioskChildConfig = z.infer<typeof KioskChildConfig>;

export const KioskStatusReply = z.object({
  screenId: z.number().int(),
  connected: z.boolean(),
  counter: z.number().int(),
  backlog: z.number().int(),
  envelopesLeft: z.number().int(),
  /** The revocation list version of the config the kiosk holds; null before its first config. */
  revocationVersion: z.number().int().nullable(),
});
export type KioskStatusReply = z.infer<typeof KioskStatusReply>;

export const ChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string().nullable(), screenId: z.number().int() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('status'), requestId: z.number().int(), status: KioskStatusReply }),
  z.object({
    type: z.literal('tap'),
    readerName: z.string(),
    outcome: z.string(),
    code: z.string().nullable(),
    walletId: z.number().int().nullable(),
    committed: z.boolean(),
  }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

export const ParentMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), requestId: z.number().int() }),
  z.object({ type: z.literal('stop') }),
]);
export type ParentMessage = z.infer<typeof ParentMessage>;

export const KIOSK_CONFIG_ENV = 'REDTAP_DEMO_KIOSK';
