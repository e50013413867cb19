// The console's API types are the cloud's: console/src/api/schema.d.ts is what the routes' OpenAPI
// document generates today (`npm run generate:api -w @redtap/cloud` after changing a route).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_PATH, generateApiSchema } from '../../src/http/api-schema.ts';

describe('console/src/api/schema.d.ts', () => {
  it('is generated from the current /openapi.json', async () => {
    const committed = readFileSync(API_SCHEMA_PATH, 'utf8');
    expect(committed === (await generateApiSchema()), 'run `npm run generate:api -w @redtap/cloud`').toBe(
      true,
    );
  });
});
