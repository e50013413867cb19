// Bundles a TypeScript child script into one ES module, so the power-loss loop can start hundreds of
// children without paying tsx's start-up each time. Only the native module stays outside the bundle.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
/** Native addons cannot be bundled; they are loaded from the path this package resolves. */
const NATIVE = ['better-sqlite3'];

export async function bundleChild(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'child.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    plugins: [
      {
        name: 'native-external',
        setup(builder) {
          builder.onResolve({ filter: new RegExp(`^(${NATIVE.join('|')})$`) }, (args) => ({
            path: require.resolve(args.path),
            external: true,
          }));
        },
      },
    ],
  });
  return outfile;
}
