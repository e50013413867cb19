// Makes sure the screen renderer is built before the browser host serves it: a fresh checkout has no
// dist/renderer, so `redtap-screen run` builds it once with vite rather than answering 503.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { DEFAULT_RENDERER_DIR } from './browser-host.ts';

export const RENDERER_BUILD_COMMAND = 'npm run build:renderer -w @redtap/screen-app';
const VITE_CONFIG = fileURLToPath(new URL('../../vite.config.ts', import.meta.url));

export type RendererBuildResult = { ok: true; built: boolean } | { ok: false; message: string };

export function rendererIsBuilt(rendererDir: string): boolean {
  return existsSync(join(rendererDir, 'index.html'));
}

/**
 * Builds the renderer with vite when `rendererDir` has no index.html. Only the default build directory
 * is built this way; a custom one is the caller's business. Without vite (a packaged kiosk ships the
 * build instead) the result says which command to run.
 */
export async function ensureRendererBuilt(rendererDir: string, logger: Logger): Promise<RendererBuildResult> {
  if (rendererIsBuilt(rendererDir)) return { ok: true, built: false };
  if (resolve(rendererDir) !== resolve(DEFAULT_RENDERER_DIR))
    return { ok: false, message: `no renderer build in ${rendererDir} (no index.html)` };
  if (!existsSync(VITE_CONFIG))
    return { ok: false, message: `renderer not built in ${rendererDir}: run \`${RENDERER_BUILD_COMMAND}\`` };
  logger.info({ rendererDir }, 'renderer not built yet; building it with vite (once)');
  try {
    const vite = await import('vite');
    await vite.build({ configFile: VITE_CONFIG, logLevel: 'warn' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `building the renderer failed (${reason}): run \`${RENDERER_BUILD_COMMAND}\``,
    };
  }
  return rendererIsBuilt(rendererDir)
    ? { ok: true, built: true }
    : { ok: false, message: `vite built nothing into ${rendererDir}: run \`${RENDERER_BUILD_COMMAND}\`` };
}
