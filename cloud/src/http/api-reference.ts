// The browsable API reference at /docs: Swagger UI served from the swagger-ui-dist package, so the
// page works on an offline network (no CDN), reading the generated /openapi.json.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';

const assets = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
} as const;
type AssetName = keyof typeof assets;

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>RedTap cloud API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi.json',
      dom_id: '#reference',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'StandaloneLayout',
    });
  </script>
</body>
</html>`;

const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const cache = new Map<AssetName, Buffer>();

function isAssetName(name: string): name is AssetName {
  return Object.hasOwn(assets, name);
}

export function mountApiReference<E extends Env>(app: Hono<E>): void {
  app.get('/docs', (c) => c.html(page));
  app.get('/docs/assets/:file', (c) => {
    const name = c.req.param('file');
    if (!isAssetName(name)) return c.json({ error: { code: 'NOT_FOUND', message: 'no such asset' } }, 404);
    let body = cache.get(name);
    if (body === undefined) {
      body = readFileSync(join(assetDir, name));
      cache.set(name, body);
    }
    c.header('Content-Type', assets[name]);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(body), 200);
  });
}
