// The kiosk behind the Electron window. Until the kiosk agent is started here, the shell runs a
// stand-alone UI hub: default content, offline, no taps. The agent replaces this with its own
// KioskUiHub (store + engine + sync + content cache + tap source) through the same KioskUiPort.
import { z } from 'zod';
import { KioskUiHub } from '../host/kiosk-ui-hub.ts';
import type { KioskUiPort } from '../host/kiosk-ui-port.ts';
import { UiLocale } from '../ui-api/channels.ts';

export const ShellEnv = z.object({
  REDTAP_LOCALE: UiLocale.default('zh'),
  /** `0` opens a normal window instead of fullscreen kiosk mode (for development). */
  REDTAP_KIOSK_MODE: z.enum(['0', '1']).default('1'),
});
export type ShellEnv = z.infer<typeof ShellEnv>;

export function readShellEnv(env: Record<string, string | undefined>): ShellEnv {
  const parsed = ShellEnv.safeParse(env);
  return parsed.success ? parsed.data : ShellEnv.parse({});
}

export interface ShellKiosk {
  kiosk: KioskUiPort;
  stop(): void;
}

export function createShellKiosk(env: ShellEnv): ShellKiosk {
  const hub = new KioskUiHub({ locale: env.REDTAP_LOCALE });
  hub.start();
  return { kiosk: hub, stop: () => hub.stop() };
}
