// `redtap-screen run` as a plain function: the enrolled kiosk agent with its tap source and, unless
// headless, the browser host serving the screen on loopback (plus /sim/tap with the simulated reader).
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { startBrowserHost, DEFAULT_RENDERER_DIR, type BrowserHost } from '../host/browser-host.ts';
import { ensureRendererBuilt } from '../host/renderer-build.ts';
import { cloudWalletRegistrar, simTapRoutes } from '../host/sim-tap.ts';
import { startKioskAgent, type KioskAgent, type KioskAgentOptions } from './kiosk-agent.ts';
import type { Refusal } from '../codes.ts';

export const RunKioskCode = {
  /** The browser host was asked for but the renderer is not built and could not be built. */
  RENDERER_MISSING: 'RENDERER_MISSING',
} as const;

export interface RunKioskOptions extends KioskAgentOptions {
  logger: Logger;
  /** The browser host, or false to run without a screen (headless). */
  ui: false | { host: string; port: number; rendererDir?: string };
  /** Serves /sim/tap when the reader is simulated (default true). */
  simEndpoint?: boolean;
}

export interface RunningKiosk {
  agent: KioskAgent;
  host: BrowserHost | null;
  stop(): Promise<void>;
}

export async function runKiosk(
  options: RunKioskOptions,
): Promise<{ ok: true; kiosk: RunningKiosk } | Refusal<string>> {
  const { logger } = options;
  const started = await startKioskAgent(options);
  if (!started.ok) return started;
  const { agent } = started;
  let host: BrowserHost | null = null;
  try {
    if (options.ui !== false) {
      // Taps and sync already run while a fresh checkout builds its renderer (a few seconds, once).
      const rendererDir = options.ui.rendererDir ?? DEFAULT_RENDERER_DIR;
      const built = await ensureRendererBuilt(rendererDir, logger);
      if (!built.ok) {
        await agent.stop();
        return { ok: false, code: RunKioskCode.RENDERER_MISSING, message: built.message };
      }
      const extraRoutes: Hono[] = [];
      if (agent.simulator !== null && options.simEndpoint !== false)
        extraRoutes.push(
          simTapRoutes({
            simulator: agent.simulator,
            ...(agent.cloudUrl === undefined ? {} : { registerWallet: cloudWalletRegistrar(agent.cloudUrl) }),
            logger: logger.child({ component: 'sim' }),
          }),
        );
      host = await startBrowserHost({
        kiosk: agent.ui,
        host: options.ui.host,
        port: options.ui.port,
        rendererDir,
        logger: logger.child({ component: 'host' }),
        extraRoutes,
      });
    }
  } catch (error) {
    await agent.stop();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    ok: true,
    kiosk: {
      agent,
      host,
      stop: () =>
        (stopping ??= (async () => {
          await host?.close();
          await agent.stop();
        })()),
    },
  };
}
