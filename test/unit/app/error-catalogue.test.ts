import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendOf } from '../../../app/http/backend-errors.js';
import { errorStatusesOf } from '../../../app/http/openapi-errors.js';
import { AppError, codesOfStatus, conflict, errorCatalogue, errorCodes, errorStatuses, forbidden, invalid, notFound, ruleBroken, type ErrorStatus } from '../../../kernel/errors.js';
import { errorTable, README, TABLE_END, TABLE_START } from '../../../scripts/error-table.js';

// The catalogue (kernel/errors.ts), the code that throws and sends its codes, and README's Errors
// table stay in step.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_FOLDERS = ['app', 'commands', 'domain', 'read-api', 'projections', 'events', 'kernel', 'media', 'workers'];
const CATALOGUE_FILE = join('kernel', 'errors.ts');

const sourceFiles = (folder: string): string[] =>
  readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

const sources = SOURCE_FOLDERS.flatMap(sourceFiles)
  .filter((path) => path !== CATALOGUE_FILE)
  .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

// Every way the source names a code it answers with: an AppError, a factory (the domain's field
// helpers wrap `invalid`), an error body the HTTP layer sends itself.
const THROWN = /(?:new AppError|\b(?:invalid|forbidden|notFound|conflict|ruleBroken|captionIssue|textIssue|errorBody))\(\s*'([A-Z][A-Z_]*)'/g;

const thrown = sources.flatMap(({ path, text }) => [...text.matchAll(THROWN)].map((match) => ({ path, code: match[1]! })));

/** README's table rows as { code: status }. */
const readmeTable = () => {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  expect(start, 'README.md has the errors table markers').toBeGreaterThanOrEqual(0);
  const table = readme.slice(start + TABLE_START.length, end).trim();
  const statusOf: Record<string, number> = {};
  for (const row of table.split('\n').slice(2)) {
    const [status, , codes] = row.split('|').slice(1, -1).map((cell) => cell.trim());
    for (const [, code] of codes!.matchAll(/`([A-Z][A-Z_]*)`/g)) statusOf[code!] = Number(status);
  }
  return { table, statusOf };
};

describe('the error catalogue', () => {
  it('finds the codes the source throws (the scan itself works)', () => {
    const codes = new Set(thrown.map(({ code }) => code));
    for (const code of ['POST_NOT_FOUND', 'UNAUTHORIZED', 'INVALID_CURSOR', 'CAPTION_TOO_LONG', 'IDEMPOTENCY_KEY_REUSED', 'ROUTE_NOT_FOUND']) expect(codes).toContain(code);
  });

  it('lists every code thrown or sent anywhere in the source', () => {
    const missing = thrown.filter(({ code }) => !(code in errorCatalogue));
    expect(missing, 'codes thrown but not in kernel/errors.ts').toEqual([]);
  });

  it('has each code answered somewhere in the source, so none is dead', () => {
    const everything = sources.map(({ text }) => text).join('\n');
    const unused = errorCodes.filter((code) => !everything.includes(`'${code}'`));
    expect(unused, 'catalogued codes nothing answers with').toEqual([]);
  });

  it('has every error body sent with the status catalogued for its code (through sendError)', () => {
    // The one exception is BAD_REQUEST, which keeps the 4xx status Fastify chose.
    const bodies = sources.flatMap(({ path, text }) => [...text.matchAll(/errorBody\(\s*'([A-Z][A-Z_]*)'/g)].map((match) => `${path}: ${match[1]}`));
    expect(bodies).toEqual([join('app', 'http', 'error-handler.ts') + ': BAD_REQUEST']);
  });

  it('describes every status its codes have, each status with at least one code', () => {
    for (const code of errorCodes) expect(Object.keys(errorStatuses)).toContain(String(errorCatalogue[code].status));
    for (const status of Object.keys(errorStatuses).map(Number) as ErrorStatus[]) expect(codesOfStatus(status).length, String(status)).toBeGreaterThan(0);
  });

  it('gives an AppError the status, default message and details of its code', () => {
    const error = new AppError('POST_NOT_FOUND');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'AppError', code: 'POST_NOT_FOUND', status: 404, message: errorCatalogue.POST_NOT_FOUND.message, details: [] });
    expect(new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'caption', message: 'too long' }]).details).toEqual([{ path: 'caption', message: 'too long' }]);
  });

  it('has each factory make errors of its status', () => {
    expect([
      invalid('CAPTION_TOO_LONG', 'm').status,
      forbidden('NOT_OWNER', 'm').status,
      notFound('POST_NOT_FOUND', 'm').status,
      conflict('USERNAME_TAKEN', 'm').status,
      ruleBroken('POST_DELETED', 'm').status,
    ]).toEqual([400, 403, 404, 409, 422]);
    // @ts-expect-error: `notFound` takes only codes catalogued as 404
    expect(notFound('NOT_OWNER', 'm').status).toBe(403);
  });
});

describe("README's Errors table", () => {
  it('lists every catalogued code under its status, and no other code', () => {
    const documented = Object.fromEntries(errorCodes.map((code) => [code, errorCatalogue[code].status]));
    expect(readmeTable().statusOf).toEqual(documented);
  });

  it('is the table generated from the catalogue (npm run docs:errors)', () => {
    expect(readmeTable().table).toBe(errorTable());
  });
});

describe('the error statuses a route documents', () => {
  const get = { method: 'GET' as const, schema: {}, config: {} };
  it('are 400, 401, 500 and 503 for an authenticated read with a query', () => {
    expect(errorStatusesOf({ ...get, schema: { querystring: {} } })).toEqual([400, 401, 429, 500, 503]);
  });
  it('add 403 and 404 when the path names something', () => {
    expect(errorStatusesOf({ ...get, schema: { params: {} } })).toEqual([400, 401, 403, 404, 429, 500, 503]);
  });
  it('add what a body and a write can meet, for a write', () => {
    expect(errorStatusesOf({ method: 'POST', schema: { body: {} }, config: {} })).toEqual([400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]);
  });
  it('leave out 429 on a route exempt from the rate limits (the operations routes)', () => {
    expect(errorStatusesOf({ ...get, config: { public: true, rateLimit: false } })).toEqual([500, 503]);
  });
  it('leave out 401 and 403 on a public route, unless it declares a 401 code of its own', () => {
    expect(errorStatusesOf({ method: 'POST', schema: { body: {} }, config: { public: true } })).not.toEqual(expect.arrayContaining([401]));
    expect(errorStatusesOf({ method: 'POST', schema: { body: {} }, config: { public: true, errors: ['INVALID_CREDENTIALS'] } })).toContain(401);
  });
});

describe('backendOf', () => {
  const socketError = (port: number) => Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED', port });
  it('names the backend from the client error class', () => {
    expect(backendOf(Object.assign(new Error('x'), { name: 'NoLivingConnectionsError' }))).toBe('elasticsearch');
    expect(backendOf(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe('kafka');
    expect(backendOf(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe('redis');
    expect(backendOf(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe('postgresql');
  });
  it('names PostgreSQL for a statement over statement_timeout, a session ended idle in a transaction, and a pool with no free connection in time', () => {
    expect(backendOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('postgresql');
    expect(backendOf(Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), { code: '25P03' }))).toBe('postgresql');
    expect(backendOf(new Error('timeout exceeded when trying to connect'))).toBe('postgresql');
  });
  it('names PostgreSQL when it refuses for lack of resources (out of connections), and not for a constraint it enforces', () => {
    expect(backendOf(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))).toBe('postgresql');
    expect(backendOf(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBeNull();
  });
  it('names Redis for a Redis Cluster without a primary for the slot, out of retries, out of reachable nodes, or redirecting a pipeline across a slot move', () => {
    const messages = ['CLUSTERDOWN The cluster is down', 'TRYAGAIN Multiple keys request during rehashing of slot', 'Too many Cluster redirections. Last error: Error: Connection is closed.', 'None of startup nodes is available', 'MOVED 1268 127.0.0.1:7100', 'ASK 1268 127.0.0.1:7100'];
    expect(messages.map((message) => backendOf(new Error(message)))).toEqual(['redis', 'redis', 'redis', 'redis', 'redis', 'redis']);
    expect(backendOf(Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }))).toBe('redis');
    expect(backendOf(new Error('CROSSSLOT Keys in request don\'t hash to the same slot'))).toBeNull();
  });
  it("names the backend from a bare socket error's usual port, else PostgreSQL", () => {
    expect([6379, 9200, 9092, 5432, 15432].map((port) => backendOf(socketError(port)))).toEqual(['redis', 'elasticsearch', 'kafka', 'postgresql', 'postgresql']);
  });
  it('prefers the name an adapter gives', () => {
    expect(backendOf(Object.assign(socketError(6379), { backend: 'push-bus' }))).toBe('push-bus');
  });
  it('answers null for errors that are not a backend down', () => {
    expect([backendOf(new Error('boom')), backendOf(Object.assign(new Error('bad'), { code: '22P02' })), backendOf('text')]).toEqual([null, null, null]);
  });
});
