// Runs after every other suite (vitest.config.ts, project "reply-coverage"): each route of /openapi.json
// declares a strict 2xx reply schema, and some test called it and got a reply that matched it.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from './databases.ts';
import { createTestCloud } from './harness.ts';
import { readReplyRecords } from './reply-coverage.ts';
import {
  answersNoContent,
  documentedRoutes,
  looseObjectsOf,
  successSchemasOf,
  type OpenApiDocument,
} from './openapi-walk.ts';

async function openApiDocument(): Promise<OpenApiDocument> {
  const handle = await openTestDatabase('pglite');
  try {
    const response = await createTestCloud(handle).request('GET', '/openapi.json');
    return (await response.json()) as OpenApiDocument;
  } finally {
    await handle.close();
  }
}

describe('replies of /openapi.json routes', async () => {
  const document = await openApiDocument();
  const routes = documentedRoutes(document);
  const records = readReplyRecords();

  it('finds the routes of the document', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s declares a strict 2xx reply schema',
    (_name, route) => {
      const schemas = successSchemasOf(document, route);
      if (answersNoContent(document, route)) {
        expect(schemas, '204 No Content declares no body').toEqual([]);
        return;
      }
      expect(schemas.length, 'a 2xx response with a schema').toBeGreaterThan(0);
      expect(
        schemas.flatMap((schema) => looseObjectsOf(document, schema)),
        'objects that allow undeclared fields',
      ).toEqual([]);
    },
  );

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s was called by a test and its reply matched the schema',
    (_name, route) => {
      const mine = records.filter((record) => record.method === route.method && record.path === route.path);
      const mismatches = mine.filter((record) => record.problem !== null);
      expect(mismatches, 'replies that did not match').toEqual([]);
      expect(
        mine.length,
        'no test called this route with a 2xx reply (run the API suites first: vitest run)',
      ).toBeGreaterThan(0);
    },
  );
});
