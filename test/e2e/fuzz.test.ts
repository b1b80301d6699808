import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { locationIdOf } from '../../domain/location/location.js';
import { errorCatalogue } from '../../kernel/errors.js';
import { PATH_PARAM_MAX_LENGTH } from '../../kernel/limits.js';
import type { User } from '../support/api-client.js';
import { badCursor, hostileHeader, hostileString, mutated, operationsOf, routeKey, type JsonSchema, type Operation } from '../support/openapi-arbitraries.js';
import { useTestApp } from '../support/test-app.js';

// Every route of the OpenAPI document, fed requests derived from its own schemas and then broken
// (wrong types, missing and extra fields, NUL, lone surrogates, huge strings, bad path ids,
// cursors and headers), as its owner, a stranger, anonymously and with a bad token. The rule
// (docs/architecture.md "Errors"): no request gets a 5xx; every error has the platform's shape with
// a code of the catalogue (kernel/errors.ts); no 4xx appends an event.
// Not fuzzed: GET /api/v1/stream (an SSE stream that stays open): one case with a bad token below.
// FUZZ_RUNS sets the requests per route (default 12, ~600 requests in all).
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const STREAM = 'GET /api/v1/stream';
const UNKNOWN = '0190a0a0-0000-7000-8000-000000000000';
/** Routes that end the caller's sessions: the callers log in again after them (later runs of the route itself call with an ended session). */
const ENDS_SESSIONS = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/logout-all', 'DELETE /api/v1/auth/sessions/{sessionId}']);

const { t, api } = useTestApp();
let owner: User;
let stranger: User;
let operations: Operation[];
const ids: Record<string, string[]> = {};

beforeAll(async () => {
  owner = await api.register('fuzzowner');
  stranger = await api.register('fuzzstranger');
  const postId = await api.createPost(owner);
  const commentId = (await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: owner.token, body: { text: 'hi' } })).body.commentId;
  // A post naming a place, so that the location page has one real location to be fuzzed at.
  await api.call('POST', '/api/v1/posts', { token: owner.token, body: { media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }], location: { name: 'Fuzz Fair', lat: 1, lon: 2 } } });
  // A post tagging the stranger, so that the tag routes and /tagged are fuzzed at a real tag.
  const taggedPostId = (
    await api.call('POST', '/api/v1/posts', {
      token: owner.token,
      body: { media: [{ url: 'https://cdn.example.com/t.jpg', type: 'image', tags: [{ username: stranger.username, x: 0.5, y: 0.5 }] }] },
    })
  ).body.postId;
  const storyId = (await api.call('POST', '/api/v1/stories', { token: owner.token, body: { media: { url: 'https://cdn.example.com/s.jpg', type: 'image' } } })).body.storyId;
  const collectionId = (await api.call('POST', '/api/v1/collections', { token: owner.token, body: { name: 'fuzzed' } })).body.collectionId;
  await api.call('POST', `/api/v1/collections/${collectionId}/posts/${postId}`, { token: owner.token });
  Object.assign(ids, {
    username: [owner.username, stranger.username, 'ghost'],
    postId: [postId, taggedPostId, UNKNOWN],
    commentId: [commentId, UNKNOWN],
    storyId: [storyId, UNKNOWN],
    collectionId: [collectionId, UNKNOWN],
    mediaId: [UNKNOWN],
    tag: ['world', 'nope'],
    locationId: [locationIdOf({ name: 'Fuzz Fair', lat: 1, lon: 2 }), UNKNOWN],
    sessionId: [owner.sessionId, stranger.sessionId, UNKNOWN],
  });
  operations = operationsOf((await api.call('GET', '/docs/json')).body);
});

const loggedInAgain = async (user: User): Promise<User> => {
  const { body } = await api.call('POST', '/api/v1/users/login', { body: { username: user.username, password: 'correct horse battery' } });
  return { ...user, token: body.accessToken, refreshToken: body.refreshToken, sessionId: body.sessionId };
};

/** A path segment: a real id, or a broken one (over 100 characters, bad percent-encoding, hostile). */
const pathValue = (name: string) =>
  fc.oneof(
    fc.constantFrom(...(ids[name] ?? ['x'])).map(encodeURIComponent),
    fc.constantFrom('%FF%FE', '%', '%00', '%ED%A0%80', 'a'.repeat(101), '..', '%2e%2e', 'not-a-uuid'),
    hostileString.filter((s) => s.length > 0 && s.length < 200 && !/[\uD800-\uDFFF]/.test(s)).map(encodeURIComponent),
  );

// A minPosition is an opaque token compared as a string: one that sorts after the log's head
// (any letter does) makes the read wait out its freshness timeout, an answer but a slow one.
// Fuzzed values here sort before every position (a leading U+0000).
const queryValue = (name: string, schema: JsonSchema): fc.Arbitrary<string> => {
  if (name === 'cursor') return badCursor;
  if (name === 'minPosition') return hostileString.map((s) => `\u0000${s}`);
  return mutated(schema).map(String);
};

const caller = () => fc.constantFrom<'owner' | 'stranger' | 'anonymous' | 'bad token'>('owner', 'stranger', 'anonymous', 'bad token');

const requestOf = (op: Operation) =>
  fc.record({
    caller: caller(),
    path: fc.tuple(...op.pathParams.map(pathValue)).map((values) => op.pathParams.reduce((path, name, i) => path.replace(`{${name}}`, values[i]!), op.path)),
    query: fc.record(
      Object.fromEntries(Object.entries(op.query).map(([name, schema]) => [name, queryValue(name, schema)])),
      { requiredKeys: [] },
    ),
    body: op.body ? fc.option(mutated(op.body), { nil: undefined }) : fc.constant(undefined),
    rawBody: fc.option(fc.constantFrom('{', 'null', '[]', '"x"', '{"a":1}{', '\u0000'), { nil: undefined, freq: 8 }),
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/json; charset=latin1'),
    idempotencyKey: fc.option(hostileHeader, { nil: undefined }),
    requestId: fc.option(hostileHeader, { nil: undefined }),
  });

type FuzzRequest = ReturnType<typeof requestOf> extends fc.Arbitrary<infer R> ? R : never;

const send = (op: Operation, request: FuzzRequest) => {
  const query = new URLSearchParams(request.query as Record<string, string>).toString();
  const token = { owner: owner.token, stranger: stranger.token, anonymous: undefined, 'bad token': 'not.a.token' }[request.caller];
  const payload = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  return t.app.inject({
    method: op.method,
    url: `${request.path}${query ? `?${query}` : ''}`,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined ? { 'content-type': request.contentType } : {}),
      ...(request.idempotencyKey !== undefined ? { 'idempotency-key': request.idempotencyKey } : {}),
      ...(request.requestId !== undefined ? { 'x-request-id': request.requestId } : {}),
    },
    ...(payload !== undefined ? { payload } : {}),
  });
};

const codes = Object.keys(errorCatalogue);

/** The platform's error shape, with a catalogued code. */
const expectPlatformError = (status: number, text: string) => {
  const body = JSON.parse(text);
  expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } });
  expect(codes).toContain(body.error.code);
  expect(errorCatalogue[body.error.code as keyof typeof errorCatalogue].status).toBe(status);
};

describe('fuzzed requests on every route of the OpenAPI document', () => {
  it('never answer 5xx, answer errors in the platform shape with catalogued codes, and append no event on a 4xx', async () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations.filter((o) => routeKey(o) !== STREAM)) {
      await fc.assert(
        fc.asyncProperty(requestOf(op), async (request) => {
          const before = (await t.allEvents()).length;
          const response = await send(op, request);
          const where = `${routeKey(op)} ${JSON.stringify(request).slice(0, 300)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
          expect(response.statusCode, where).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expectPlatformError(response.statusCode, response.body);
            expect((await t.allEvents()).length, where).toBe(before);
          }
        }),
        { numRuns: RUNS },
      );
      if (ENDS_SESSIONS.has(routeKey(op))) [owner, stranger] = [await loggedInAgain(owner), await loggedInAgain(stranger)];
    }
  }, 120_000);

  it('the SSE stream (not fuzzed: it stays open) refuses a bad token or ticket in the platform shape', async () => {
    for (const url of ['/api/v1/stream?ticket=not.a.ticket', `/api/v1/stream?ticket=${'x'.repeat(5000)}`]) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(401);
      expectPlatformError(401, response.body);
    }
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stream', headers: { authorization: 'Bearer not.a.token' } });
    expect(response.statusCode).toBe(401);
    expectPlatformError(401, response.body);
  });
});

// Regressions the fuzzing found, each at the fix's one home.
describe('fuzz regressions', () => {
  it('a registration refused for a display name holding U+0000 or a lone surrogate writes nothing and keeps the username free', async () => {
    const before = (await t.allEvents()).length;
    for (const displayName of ['a\u0000b', 'x\uD800', '\uDFFF']) {
      const response = await api.call('POST', '/api/v1/users/register', {
        body: { username: 'nulname', email: 'nulname@example.com', password: 'correct horse battery', displayName },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'displayName', location: 'body' }] });
    }
    expect((await t.allEvents()).length).toBe(before);
    expect((await api.register('nulname')).username).toBe('nulname');
  });

  it('captions, comments and bios holding U+0000 or a lone surrogate are 400s that append nothing', async () => {
    const postId = ids.postId![0]!;
    const before = (await t.allEvents()).length;
    const refusals = [
      await api.call('POST', '/api/v1/posts', { token: owner.token, body: { caption: 'a\u0000', media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }] } }),
      await api.call('PUT', `/api/v1/posts/${postId}`, { token: owner.token, body: { caption: '\uD83D' } }),
      await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: owner.token, body: { text: '\u0000' } }),
      await api.call('PUT', `/api/v1/users/${owner.username}`, { token: owner.token, body: { bio: 'b\uDC00' } }),
    ];
    for (const response of refusals) expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.allEvents()).length).toBe(before);
  });

  // DELETE /api/v1/users/{username} is fuzzed as every route is: a fuzzed body never holds the
  // password, so the owner's account stays (were it deleted, the runs after it would be 403s).
  it('deleting an account with a hostile or missing password or code is a 4xx that appends nothing and leaves the account', async () => {
    const before = (await t.allEvents()).length;
    for (const body of [{ password: 'a\u0000b' }, { password: 'x'.repeat(5000) }, { password: 'correct horse batter' }, { password: 'correct horse battery', code: 'c'.repeat(33) }, { code: '123456' }]) {
      const response = await api.call('DELETE', `/api/v1/users/${owner.username}`, { token: owner.token, body });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    expect((await t.allEvents()).length).toBe(before);
    expect((await api.call('GET', '/api/v1/auth/me', { token: owner.token })).body.deletion).toBeNull();
  });

  it('a path with bad percent-encoding is a 400 BAD_REQUEST in the platform shape', async () => {
    const response = await api.call('GET', '/api/v1/posts/%FF%FE');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String), details: [] } });
  });

  it("a path parameter past Fastify's default 100 characters is judged by its route's schema, which names it", async () => {
    for (const [url, path] of [[`/api/v1/hashtags/${'t'.repeat(101)}/posts`, 'tag'], [`/api/v1/hashtags/${'t'.repeat(101)}`, 'tag'], [`/api/v1/users/${'a'.repeat(101)}`, 'username']] as const) {
      const response = await api.call('GET', url, { token: stranger.token });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path }] });
    }
  });

  it('a path parameter over PATH_PARAM_MAX_LENGTH characters is a 400 VALIDATION_FAILED in the platform shape', async () => {
    const response = await api.call('GET', `/api/v1/users/${'a'.repeat(PATH_PARAM_MAX_LENGTH + 1)}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ location: 'params' }] });
  });
});
