// The console's API types, generated from the OpenAPI document the routes declare: `npm run
// generate:api -w @redtap/cloud` writes console/src/api/schema.d.ts, and a test checks the committed file
// is what this generates now. The document comes from the route definitions alone: no handler runs, so
// the app is built over inert dependencies.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';
import { createApp } from './app.ts';
import type { AppDeps } from './context.ts';

export const API_SCHEMA_PATH = join(import.meta.dirname, '..', '..', 'console', 'src', 'api', 'schema.d.ts');

const HEADER = `// Generated from the cloud's /openapi.json by \`npm run generate:api -w @redtap/cloud\`
// (cloud/src/http/api-schema.ts). Do not edit: change the route's schema and generate again.

`;

/** Dependencies that are never called: building the app only reads route definitions. */
function inertDeps(): AppDeps {
  const inert: ProxyHandler<object> = {
    get: (_target, key) => (key === 'then' ? undefined : new Proxy(() => undefined, inert)),
    apply: () => new Proxy(() => undefined, inert),
  };
  return new Proxy({}, inert) as AppDeps;
}

export async function apiDocument(): Promise<OpenAPI3> {
  const response = await createApp(inertDeps()).request('/openapi.json');
  return (await response.json()) as OpenAPI3;
}

export async function generateApiSchema(): Promise<string> {
  const ast = await openapiTS(await apiDocument(), {
    silent: true,
    // Raw bytes (a creative uploaded or served) are a Blob to the browser, not a string.
    transform: (schema) =>
      schema.format === 'binary'
        ? ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'))
        : undefined,
  });
  const style = await resolveConfig(API_SCHEMA_PATH);
  return format(HEADER + astToString(ast), { ...style, filepath: API_SCHEMA_PATH });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(API_SCHEMA_PATH, await generateApiSchema());
  console.log(`wrote ${API_SCHEMA_PATH}`);
}
