// The renderer runs in a sandboxed page: it may import only its own modules, the browser-safe UI API
// and a few browser packages. Type-level isolation alone is not enough (a dependency's types can pull
// Node's in), so this walks the renderer's real import graph.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../', import.meta.url));
const rendererDir = join(srcDir, 'renderer');
const uiApiDir = join(srcDir, 'ui-api');
const ALLOWED_PACKAGES = new Set([
  'react',
  'react-dom/client',
  'zod',
  // Integer-fen formatting. The subpath, not '@redtap/shared' itself: the package root carries the
  // node:crypto wire codecs, while shared/src/money.test.ts proves this module imports nothing from Node.
  '@redtap/shared/money',
  // The claim ticket's QR code (browser build of the package, no Node APIs).
  'qrcode',
]);
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

describe('renderer import boundary', () => {
  it('reaches only renderer and ui-api modules and browser packages', () => {
    const seen = new Set<string>();
    const queue = sourceFiles(rendererDir);
    const violations: string[] = [];
    for (let step = 0; step < 1_000 && queue.length > 0; step++) {
      const file = queue.pop();
      if (file === undefined || seen.has(file)) continue;
      seen.add(file);
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const specifier = match[1] ?? '';
        if (specifier.endsWith('.css')) continue;
        if (!specifier.startsWith('.')) {
          if (!ALLOWED_PACKAGES.has(specifier))
            violations.push(`${relative(srcDir, file)} imports ${specifier}`);
          continue;
        }
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(rendererDir) && !target.startsWith(uiApiDir))
          violations.push(`${relative(srcDir, file)} imports ${relative(srcDir, target)}`);
        else queue.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(violations).toEqual([]);
  });
});
