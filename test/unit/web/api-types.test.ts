import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../scripts/openapi-document.js';
import { generatedApiTypes, SCHEMA_FILE } from '../../../scripts/web-api-types.js';

// The web client's API types are generated from the routes' OpenAPI document and committed
// (web/src/api/schema.d.ts): a route whose schema changes without `npm run web:types` fails here,
// before the client compiles against a stale contract.
describe('the web client API types', () => {
  it('are what the routes give now (npm run web:types rewrites them)', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(committed === (await generatedApiTypes()), 'web/src/api/schema.d.ts is stale: run npm run web:types').toBe(true);
  });

  it('come from the same document the API serves at /docs/json, every route of it', async () => {
    const document = (await openApiDocument()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    const paths = Object.keys(document.paths);
    expect(paths).toContain('/api/v1/feed/home');
    expect(paths).toContain('/api/v1/users/login');
    // The stand-in dependencies do not leak into the paths (a plugin option read as a prefix would).
    for (const path of paths) expect(path, path).toMatch(/^\/(api\/v1\/|health$|ready$|metrics$)/);
  });
});
