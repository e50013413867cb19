// The kiosk behind the Electron window: the same agent `redtap-screen run` starts (store, engine, sync,
// content cache, tap source), whose KioskUiPort the IPC layer serves. A kiosk that cannot start (not
// enrolled, bad key) still shows a screen: a stand-alone hub with default content, marked not enrolled.
import { z } from 'zod';
import type { Logger } from 'pino';
import { describeRefusal } from '../agent/enroll-kiosk.ts';
import { loadKioskEnv, type KioskEnv } from '../agent/env.ts';
import { startKioskAgent, type KioskAgent, type KioskAgentOptions } from '../agent/kiosk-agent.ts';
import { KioskUiHub } from '../host/kiosk-ui-hub.ts';
import type { KioskUiPort } from '../host/kiosk-ui-port.ts';

const ShellOnlyEnv = z.object({
  /** `0` opens a normal window instead of fullscreen kiosk mode (for development). */
  REDTAP_KIOSK_MODE: z.enum(['0', '1']).default('1'),
});

export interface ShellEnv {
  kiosk: KioskEnv;
  kioskMode: boolean;
}

/** The kiosk's own settings (data dir, reader, locale, cloud) plus the window mode. */
export function readShellEnv(env: NodeJS.ProcessEnv): ShellEnv {
  const shell = ShellOnlyEnv.safeParse(env);
  return {
    kiosk: loadKioskEnv(env),
    kioskMode: shell.success ? shell.data.REDTAP_KIOSK_MODE === '1' : true,
  };
}

export interface ShellKiosk {
  kiosk: KioskUiPort;
  /** null when the agent could not start and the stand-alone screen is shown instead. */
  agent: KioskAgent | null;
  /** Why the agent is not running, for the log. */
  problem: string | null;
  stop(): Promise<void>;
}

export async function startShellKiosk(
  env: ShellEnv,
  logger: Logger,
  start: (options: KioskAgentOptions) => ReturnType<typeof startKioskAgent> = startKioskAgent,
): Promise<ShellKiosk> {
  let problem: string;
  try {
    const started = await start({
      dataDir: env.kiosk.REDTAP_KIOSK_DATA_DIR,
      cloudUrl: env.kiosk.REDTAP_CLOUD_URL,
      reader: env.kiosk.REDTAP_READER,
      locale: env.kiosk.REDTAP_LOCALE,
      logger,
    });
    if (started.ok) {
      const { agent } = started;
      return { kiosk: agent.ui, agent, problem: null, stop: () => agent.stop() };
    }
    problem = describeRefusal(started);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  logger.error({ problem }, 'kiosk agent cannot start; showing the stand-alone screen');
  const hub = new KioskUiHub({ locale: env.kiosk.REDTAP_LOCALE, logger });
  hub.start();
  return {
    kiosk: hub,
    agent: null,
    problem,
    stop: () => {
      hub.stop();
      return Promise.resolve();
    },
  };
}
