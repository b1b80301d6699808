import fc from 'fast-check';

// Requests derived from the OpenAPI document the app serves (GET /docs/json): every route, its
// path and query parameters and its body schema, turned into fast-check arbitraries of requests
// that fit the schema and of requests that break it in the ways clients (and attackers) do.

/** The part of JSON Schema the route schemas use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Operation {
  method: Method;
  /** The OpenAPI path, e.g. /api/v1/posts/{postId}. */
  path: string;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  body: JsonSchema | null;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema?: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
}

/** Every operation of the document (the API docs' own routes left out). */
export const operationsOf = (doc: OpenApiDocument): Operation[] =>
  Object.entries(doc.paths)
    .filter(([path]) => !path.startsWith('/docs'))
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, op]) => ({
        method: method.toUpperCase() as Method,
        path,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}])),
        body: op.requestBody?.content['application/json']?.schema ?? null,
      })),
    );

/** `METHOD /path`, the key of a route in tables. */
export const routeKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** Strings that break parsers, storage and logs: NUL, lone surrogates, huge, right-to-left, injections. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDFFFy',
    '\uFEFF\u202Eevil',
    '🦄'.repeat(300),
    "' or 1=1 --",
    '../../etc/passwd',
    '%FF%FE',
    '{"$gt":""}',
    '<script>alert(1)</script>',
    '   ',
    'null',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** A value of the wrong JSON type, whatever the schema wanted. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}, [[]], { nested: { deep: [1] } }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
);

const typeOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type[0] : schema.type);

/** A value that fits `schema` (as far as JSON Schema says; domain rules may still refuse it). */
export const valid = (schema: JsonSchema): fc.Arbitrary<unknown> => {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(valid));
  if (schema.allOf?.length) return valid(Object.assign({}, ...schema.allOf));
  switch (typeOf(schema)) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid({ version: 7 });
      if (schema.format === 'uri') return fc.constantFrom('https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.png');
      if (schema.format === 'email') return fc.emailAddress();
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valid(s)]));
      return fc.record(properties, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
};

/** A value near `schema`: a fitting one, or the wrong type, or a hostile string, or (objects) missing and extra fields. */
export const mutated = (schema: JsonSchema): fc.Arbitrary<unknown> => {
  const near: fc.Arbitrary<unknown>[] = [valid(schema), wrongType, hostileString];
  if (typeOf(schema) === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties);
    // Each field fitting, mutated or left out, and now and then a field the schema does not name.
    near.push(
      fc.record(Object.fromEntries(fields.map(([k, s]) => [k, mutated(s)])), { requiredKeys: [] }),
      fc.tuple(valid(schema), fc.constantFrom('admin', '__proto__', 'constructor', 'userId'), fc.jsonValue({ maxDepth: 1 })).map(([value, key, extra]) =>
        JSON.parse(JSON.stringify({ ...(value as object), [key]: extra })),
      ),
    );
  }
  if (typeOf(schema) === 'array' && schema.items) near.push(fc.array(mutated(schema.items), { maxLength: 12 }));
  return fc.oneof(...near);
};

/** Header values a client can send: visible ASCII of any length, or nothing. */
export const hostileHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x'.repeat(300), 'key with spaces', '../..', 'ÿþ'),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:/+=!~ '.split('')), maxLength: 300 }),
  fc.uuid(),
);

/** A page cursor no list handed out: random base64url, a forged JSON one, a huge one. */
export const badCursor: fc.Arbitrary<string> = fc.oneof(
  fc.base64String({ maxLength: 60 }).map((s) => s.replace(/=/g, '')),
  fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc.constantFrom(Buffer.from('{"at":"9999-99-99","id":"x"}').toString('base64url'), Buffer.from('{"p":-1e400}').toString('base64url'), 'x'.repeat(5000)),
  hostileString,
);
