// Reading the cloud's OpenAPI 3.1 document in tests: its routes, their 2xx schemas, and the objects in
// a schema that would let an undeclared field through.

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface DocumentedRoute {
  method: string;
  path: string;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function documentedRoutes(document: OpenApiDocument): DocumentedRoute[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => METHODS.has(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
}

/** The schemas of the route's 2xx responses, one per declared media type. */
export function successSchemasOf(document: OpenApiDocument, route: DocumentedRoute): JsonSchema[] {
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  return Object.entries(operation?.responses ?? {})
    .filter(([status]) => /^2\d\d$/.test(status))
    .flatMap(([, response]) => Object.values(response.content ?? {}))
    .flatMap((media) => (media.schema === undefined ? [] : [media.schema]));
}

/** True when the route's only success is 204 No Content: a reply with no body, nothing to declare. */
export function answersNoContent(document: OpenApiDocument, route: DocumentedRoute): boolean {
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  const successes = Object.entries(operation?.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
  return (
    successes.length > 0 &&
    successes.every(([status, response]) => status === '204' && response.content === undefined)
  );
}

function resolve(document: OpenApiDocument, schema: JsonSchema): { schema: JsonSchema; name: string | null } {
  if (schema.$ref === undefined) return { schema, name: null };
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (target === undefined) throw new Error(`unresolved ${schema.$ref}`);
  return { schema: target, name };
}

/** Paths (`Screen.health.decks[]`) of the objects in `root` that accept fields they do not declare. */
export function looseObjectsOf(document: OpenApiDocument, root: JsonSchema): string[] {
  const loose: string[] = [];
  const visited = new Set<string>();
  const walk = (node: JsonSchema, at: string): void => {
    const { schema, name } = resolve(document, node);
    if (name !== null) {
      if (visited.has(name)) return;
      visited.add(name);
    }
    const here = name ?? at;
    const types = [schema.type ?? []].flat();
    if (types.includes('object') || schema.properties !== undefined) {
      // A map with typed values (a record) declares its fields; `{}`, true or nothing lets anything in.
      const extra = schema.additionalProperties;
      const typedMap = typeof extra === 'object' && Object.keys(extra).length > 0;
      if (extra !== false && !typedMap) loose.push(here || '(body)');
      if (typedMap) walk(extra, `${here}{}`);
      for (const [key, value] of Object.entries(schema.properties ?? {})) walk(value, `${here}.${key}`);
    }
    for (const item of [schema.items ?? []].flat()) walk(item, `${here}[]`);
    for (const item of schema.prefixItems ?? []) walk(item, `${here}[]`);
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
      walk(branch, here);
  };
  walk(root, '');
  return loose;
}
