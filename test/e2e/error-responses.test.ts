import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { codesOfStatus, errorCatalogue, type ErrorCode, type ErrorStatus } from '../../kernel/errors.js';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// The OpenAPI document describes every answer a route gives, errors included: each status a test
// provokes is described for its route, with the error body and that status's codes.

interface Operation {
  responses: Record<string, { description: string; content?: { 'application/json': { schema: JsonSchema } } }>;
}
interface JsonSchema {
  type?: string;
  enum?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
}

const { api } = useTestApp();
let paths: Record<string, Record<string, Operation>>;
let alice: User;
let bob: User;

beforeAll(async () => {
  paths = (await api.call('GET', '/docs/json')).body.paths;
  alice = await api.register();
  bob = await api.register();
});

const apiOperations = () =>
  Object.entries(paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })));

const errorSchemaOf = (operation: Operation, status: number) => operation.responses[status]?.content?.['application/json'].schema;

describe('the OpenAPI document', () => {
  it('describes the error body: { error: { code, message, details[{ path, message, location? }] } }', () => {
    const schema = errorSchemaOf(paths['/api/v1/posts/{postId}']!.get!, 404)!;
    expect(schema.required).toEqual(['error']);
    const error = schema.properties!.error!;
    expect(error.required).toEqual(['code', 'message', 'details']);
    expect(error.properties!.code).toEqual({ type: 'string', enum: codesOfStatus(404) });
    expect(error.properties!.message).toEqual({ type: 'string' });
    const detail = error.properties!.details!.items!;
    expect(Object.keys(detail.properties!)).toEqual(['path', 'message', 'location']);
    expect(detail.required).toEqual(['path', 'message']);
  });

  it('gives every API route 500 and 503, and 401 unless it is public', () => {
    // Public routes that never answer 401 (login and refresh do: a wrong password, a bad refresh token).
    const publicRoutes = ['POST /api/v1/users/register', 'POST /api/v1/auth/password-reset', 'POST /api/v1/auth/password-reset/confirm', 'POST /api/v1/auth/verify-email'];
    for (const { route, operation } of apiOperations()) {
      const expected = publicRoutes.includes(route) ? ['500', '503'] : ['401', '500', '503'];
      expect(Object.keys(operation.responses), route).toEqual(expect.arrayContaining(expected));
    }
  });

  it("lists, for each error status of each route, the codes catalogued with that status, and names them in the description", () => {
    for (const { route, operation } of apiOperations()) {
      for (const [status, response] of Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)) {
        const codes = codesOfStatus(Number(status) as ErrorStatus);
        expect(errorSchemaOf(operation, Number(status))!.properties!.error!.properties!.code!.enum, `${route} ${status}`).toEqual(codes);
        expect(response.description).toContain(codes.join(', '));
      }
    }
  });
});

describe('each error a route answers is described for that route', () => {
  const anyPost = { caption: 'hi', media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] };
  const cases: [string, () => Promise<{ status: number; body: { error: { code: string } } }>, ErrorCode][] = [
    ['GET /api/v1/feed/home', () => api.call('GET', '/api/v1/feed/home'), 'UNAUTHORIZED'],
    ['GET /api/v1/feed/home', () => api.call('GET', '/api/v1/feed/home?cursor=not-a-cursor', { token: alice.token }), 'INVALID_CURSOR'],
    ['GET /api/v1/feed/home', () => api.call('GET', '/api/v1/feed/home?limit=lots', { token: alice.token }), 'VALIDATION_FAILED'],
    ['GET /api/v1/stream', () => api.call('GET', '/api/v1/stream'), 'UNAUTHORIZED'],
    ['POST /api/v1/posts', () => api.call('POST', '/api/v1/posts', { body: anyPost }), 'UNAUTHORIZED'],
    ['POST /api/v1/posts', () => api.call('POST', '/api/v1/posts', { token: alice.token, body: '{"caption":' }), 'MALFORMED_BODY'],
    ['POST /api/v1/posts', () => api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [] } }), 'VALIDATION_FAILED'],
    [
      'POST /api/v1/posts',
      () => api.call('POST', '/api/v1/posts', { token: alice.token, body: anyPost, headers: { 'idempotency-key': '' } }),
      'INVALID_IDEMPOTENCY_KEY',
    ],
    [
      'POST /api/v1/posts',
      () => api.call('POST', '/api/v1/posts', { token: alice.token, body: '<post/>', headers: { 'content-type': 'application/xml' } }),
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['POST /api/v1/posts', () => api.call('POST', '/api/v1/posts', { token: alice.token, body: { caption: 'x'.repeat(1024 * 1024 + 1) } }), 'PAYLOAD_TOO_LARGE'],
    ['GET /api/v1/posts/{postId}', () => api.call('GET', `/api/v1/posts/${uuidv7()}`, { token: alice.token }), 'POST_NOT_FOUND'],
    ['GET /api/v1/posts/{postId}', () => api.call('GET', '/api/v1/posts/not-a-uuid', { token: alice.token }), 'VALIDATION_FAILED'],
    ['POST /api/v1/posts/{postId}/like', () => api.call('POST', `/api/v1/posts/${uuidv7()}/like`, { token: alice.token }), 'POST_NOT_FOUND'],
    ['GET /api/v1/users/{username}', () => api.call('GET', '/api/v1/users/nobody_here', { token: alice.token }), 'USER_NOT_FOUND'],
    ['PUT /api/v1/users/{username}', () => api.call('PUT', `/api/v1/users/${bob.username}`, { token: alice.token, body: { bio: 'hi' } }), 'NOT_OWNER'],
    ['POST /api/v1/users/{username}/follow', () => api.call('POST', `/api/v1/users/${alice.username}/follow`, { token: alice.token }), 'CANNOT_FOLLOW_SELF'],
    [
      'POST /api/v1/users/register',
      () => api.call('POST', '/api/v1/users/register', { body: { username: alice.username, email: 'other@example.com', password: 'correct horse battery' } }),
      'USERNAME_TAKEN',
    ],
    [
      'POST /api/v1/users/login',
      () => api.call('POST', '/api/v1/users/login', { body: { username: alice.username, password: 'not the password' } }),
      'INVALID_CREDENTIALS',
    ],
  ];

  it.each(cases.map(([route, provoke, code]) => ({ route, provoke, code })))('$route answers $code', async ({ route, provoke, code }) => {
    const response = await provoke();
    expect([response.status, response.body.error.code]).toEqual([errorCatalogue[code].status, code]);
    const [method, path] = route.split(' ') as [string, string];
    const schema = errorSchemaOf(paths[path]![method.toLowerCase()]!, response.status);
    expect(schema, `${route} describes ${response.status}`).toBeDefined();
    expect(schema!.properties!.error!.properties!.code!.enum).toContain(code);
    expect(Object.keys(response.body.error).sort()).toEqual(['code', 'details', 'message']);
  });
});
