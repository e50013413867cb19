// Bundles the Electron main process and the preload into dist/electron as CommonJS. The preload must
// be one self-contained file: a sandboxed preload can require nothing but `electron`.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const appDir = fileURLToPath(new URL('../../', import.meta.url));

export async function buildElectron(): Promise<void> {
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // Electron 45 runs Node 22.
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: appDir,
  } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: ['src/electron/main.ts'],
      outfile: 'dist/electron/main.cjs',
      // Native and Electron modules are loaded from node_modules at run time, never bundled.
      external: ['electron', 'better-sqlite3', 'pino', 'thread-stream', 'nfc-pcsc', '@pokusew/pcsclite'],
      // The kiosk core finds its migrations and loads nfc-pcsc relative to import.meta.url; in a CJS
      // bundle that is the bundle's own file, which sits two levels deep like the sources do.
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
    build({
      ...common,
      entryPoints: ['src/electron/preload.ts'],
      outfile: 'dist/electron/preload.cjs',
      external: ['electron'],
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildElectron();
