import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTokenService } from '../../commands/accounts/tokens.js';
import { RATE_LIMIT_CLASSES } from '../../app/rate-limit/limits.js';
import { createRedisRateLimitStore } from '../../app/rate-limit/store-redis.js';
import { addressGroup } from '../../app/rate-limit/address.js';
import { useTestApp } from '../support/test-app.js';
import { isRedisReachable } from '../support/test-redis.js';

// The rate limits over HTTP (docs/architecture.md "HTTP API"), with tiny limits and a clock the
// test moves: a window passes without waiting. Addresses come as X-Forwarded-For (TRUST_PROXY on);
// requests without one are from loopback, exempt from the per-address limits only. The clock
// starts at the real time and only moves ahead of it, so that the platform's purge of full
// buckets (app/rate-limit/purge.ts, on the real clock) never deletes one this test still drains.
let clock = Date.now();
const window = 10_000;
const limit = { limit: 3, windowMs: window };
const { t, api } = useTestApp({
  rateLimits: {
    limits: { read: limit, write: limit, media: limit, delete: limit, login: limit, register: { limit: 2, windowMs: window }, anonymous: limit },
    trustProxy: true,
    now: () => clock,
  },
});
// Buckets in a Redis that does not answer (nothing listens on port 1): requests go through.
const downRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
downRedis.on('error', () => undefined);
const { t: failing, api: failOpen } = useTestApp({ rateLimits: { limits: { login: limit }, trustProxy: true, store: createRedisRateLimitStore(downRedis, { prefix: 'down:' }) } });
// Default test apps run with the limits off (RATE_LIMITS=off).
const { api: unlimited } = useTestApp();

const from = (address: string) => ({ 'x-forwarded-for': address });
const login = (username: string, password: string, address: string) =>
  api.call('POST', '/api/v1/users/login', { body: { username, password }, headers: from(address) });

describe('rate limits', () => {
  it('counts reads per account, with RateLimit headers on every answer, and refuses the 4th with 429 and Retry-After', async () => {
    const alice = await api.register();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await api.call('GET', `/api/v1/users/${alice.username}`, { token: alice.token, headers: from(`198.51.100.${i}`) });
      statuses.push(response.status);
      expect(response.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': String(2 - i) });
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
    }
    expect(statuses).not.toContain(429);
    const refused = await api.call('GET', `/api/v1/users/${alice.username}`, { token: alice.token });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(refused.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': '0', 'retry-after': String(Math.ceil(window / 3 / 1000)) });

    // Another account is unaffected; after the window the first is served again.
    const bob = await api.register();
    expect((await api.call('GET', `/api/v1/users/${alice.username}`, { token: bob.token })).status).not.toBe(429);
    clock += window;
    expect((await api.call('GET', `/api/v1/users/${alice.username}`, { token: alice.token })).status).not.toBe(429);
  });

  it('counts writes apart from reads', async () => {
    const carol = await api.register();
    for (let i = 0; i < 3; i++) await api.call('GET', `/api/v1/users/${carol.username}`, { token: carol.token });
    expect((await api.call('POST', '/api/v1/notifications/read', { token: carol.token, body: {} })).status).not.toBe(429);
  });

  it('counts logins per address: the 4th from one address is refused, another address is not', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(`nobody${i}`, 'wrong password', '203.0.113.7')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login('nobody9', 'wrong password', '203.0.113.8')).status).toBe(401);
    clock += window;
    expect((await login('nobody10', 'wrong password', '203.0.113.7')).status).toBe(401);
  });

  it('counts requests whose token is missing, malformed, expired or forged per address: a flood of them ends in 429, good tokens are served', async () => {
    const frank = await api.register();
    const secret = 'test-secret-that-is-at-least-32-characters-long';
    const expired = (await createTokenService(secret, () => Date.now() - 8 * 24 * 3600 * 1000).issue(frank)).token;
    const forged = (await createTokenService('an-attacker-secret-of-at-least-32-bytes').issue(frank)).token;
    const flood = (token: string | undefined) =>
      api.call('POST', '/api/v1/posts', { token, body: { caption: 'flood', media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }] }, headers: from('203.0.113.90') });
    const answers = [];
    for (const token of [undefined, 'not.a.token', expired, forged, forged]) answers.push(await flood(token));
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429]);
    // The 401s spent the address's bucket (anonymous class), each saying what is left.
    expect(answers.slice(0, 3).map((answer) => answer.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(answers.slice(0, 3).map((answer) => answer.body.error.code)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
    expect(answers[3]!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
    // A valid token counts per account: served from another address, and from the flooded one too
    // (an address shared behind a NAT with the flood).
    expect((await api.call('GET', '/api/v1/feed/home', { token: frank.token, headers: from('203.0.113.91') })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/feed/home', { token: frank.token, headers: from('203.0.113.90') })).status).toBe(200);
    // Bad tokens from another address have a bucket of their own.
    expect((await api.call('GET', `/api/v1/users/${frank.username}`, { token: forged, headers: from('203.0.113.92') })).status).toBe(401);
  });

  it('counts upload requests per account in media, apart from its writes and from other accounts', async () => {
    const grace = await api.register();
    const henry = await api.register();
    const requestUpload = (token: string) =>
      api.call('POST', '/api/v1/media/uploads', { token, body: { filename: 'a.jpg', contentType: 'image/jpeg', size: 1_000, purpose: 'post' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await requestUpload(grace.token)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect((await api.call('POST', '/api/v1/notifications/read', { token: grace.token, body: {} })).status).not.toBe(429);
    expect((await requestUpload(henry.token)).status).toBe(201);
    clock += window;
    expect((await requestUpload(grace.token)).status).toBe(201);
  });

  it('counts deletes per account, refused or not', async () => {
    const iris = await api.register();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.call('DELETE', `/api/v1/posts/${'0'.repeat(26)}`, { token: iris.token })).status);
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
  });

  it('counts logins per account, from any address, refusing the 4th even with the right password', async () => {
    const dave = await api.register();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(dave.username, 'correct horse battery', `192.0.2.${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    clock += window;
    expect((await login(dave.username, 'correct horse battery', '192.0.2.99')).status).toBe(200);
  });

  it('counts registrations per address (an IPv6 address by its /64), loopback exempt', async () => {
    const register = (n: number, address: string) =>
      api.call('POST', '/api/v1/users/register', {
        body: { username: `reg${n}x${clock}`, email: `reg${n}x${clock}@example.com`, password: 'correct horse battery' },
        headers: from(address),
      });
    expect((await register(1, '2001:db8:1:2::1')).status).toBe(201);
    expect((await register(2, '2001:db8:1:2::ffff')).status).toBe(201);
    expect((await register(3, '2001:db8:1:2:aaaa::3')).status).toBe(429);
    expect((await register(4, '2001:db8:1:3::1')).status).toBe(201);
    // The test's own registrations come from loopback: any number of them.
    for (let i = 0; i < 4; i++) await api.register();
  });

  it('counts the local media files per address (their signed URLs carry no account)', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.call('GET', '/media-files/some/key?sig=forged', { headers: from('203.0.113.50') })).status);
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
    expect((await api.call('GET', '/media-files/some/key?sig=forged', { headers: from('203.0.113.51') })).status).not.toBe(429);
  });

  it('does not limit the operations routes', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await api.call('GET', '/health', { headers: from('203.0.113.60') });
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('fails open when the bucket store is down: never a 429 or a 500, and each such request counted', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await failOpen.call('POST', '/api/v1/users/login', { body: { username: 'someone', password: 'wrong' }, headers: from('203.0.113.70') });
      expect(response.status).toBe(401);
    }
    const metrics = await failing.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^rate_limit_store_failures_total (\d+)$/m);
    expect(Number(/^rate_limit_store_failures_total (\d+)$/m.exec(metrics.body)![1])).toBeGreaterThanOrEqual(5);
  });

  it('never limits with RATE_LIMITS=off', async () => {
    const erin = await unlimited.register();
    for (let i = 0; i < 30; i++) {
      const response = await unlimited.call('POST', '/api/v1/users/login', { body: { username: erin.username, password: 'wrong' } });
      expect(response.status).toBe(401);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('groups IPv6 addresses by /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressGroup('2001:db8:1:2::1')).toBe(addressGroup('2001:0db8:0001:0002:ffff::9'));
    expect(addressGroup('2001:db8:1:2::1')).not.toBe(addressGroup('2001:db8:1:3::1'));
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('192.0.2.1')).toBe('192.0.2.1');
  });

  it('gives every registered route a class, but the operations routes, which are exempt', () => {
    const routes = t.app.rateLimitClasses;
    expect(routes.length).toBeGreaterThan(40);
    const operations = /^\/(health|ready|metrics|docs)(\/|$)/;
    for (const route of routes) {
      if (operations.test(route.url)) expect(route, `${route.method} ${route.url}`).toMatchObject({ rateLimit: false });
      else expect(RATE_LIMIT_CLASSES, `${route.method} ${route.url}`).toContain(route.rateLimit);
    }
    const classOf = (method: string, url: string) => routes.find((route) => route.method === method && route.url === url)?.rateLimit;
    expect(classOf('POST', '/api/v1/users/login')).toBe('login');
    expect(classOf('POST', '/api/v1/users/register')).toBe('register');
    expect(classOf('POST', '/api/v1/media/uploads')).toBe('media');
    expect(classOf('GET', '/media-files/*')).toBe('anonymous');
    expect(classOf('GET', '/health')).toBe(false);
    // An unmute destroys nothing: both mute routes are writes, not held to the delete class.
    expect(classOf('POST', '/api/v1/users/:username/mute')).toBe('write');
    expect(classOf('DELETE', '/api/v1/users/:username/mute')).toBe('write');
    // So does an unfollow of a hashtag: both hashtag follow routes are writes; their reads are reads.
    expect(classOf('POST', '/api/v1/hashtags/:tag/follow')).toBe('write');
    expect(classOf('DELETE', '/api/v1/hashtags/:tag/follow')).toBe('write');
    expect(classOf('GET', '/api/v1/hashtags/:tag')).toBe('read');
    expect(classOf('GET', '/api/v1/users/me/hashtags')).toBe('read');
    expect(classOf('GET', '/api/v1/users/me/blocks')).toBe('read');
    expect(classOf('GET', '/api/v1/users/me/mutes')).toBe('read');
    // Taking a tag off is a removal: the delete class, as an unlike; /tagged is a read.
    expect(classOf('DELETE', '/api/v1/posts/:postId/tags/me')).toBe('delete');
    expect(classOf('DELETE', '/api/v1/posts/:postId/tags/:username')).toBe('delete');
    expect(classOf('GET', '/api/v1/users/:username/tagged')).toBe('read');
  });
});

// The same limits with the buckets in Redis (REDIS_URL set): one hash per bucket under the platform's prefix.
describe.skipIf(!(await isRedisReachable()))('rate limits with the buckets in Redis', () => {
  const { api: onRedis } = useTestApp({ redis: true, rateLimits: { limits: { login: limit }, trustProxy: true, now: () => clock } });

  it('counts logins per account even with the right password, and serves it again after the window', async () => {
    const jane = await onRedis.register();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const response = await onRedis.call('POST', '/api/v1/users/login', { body: { username: jane.username, password: 'correct horse battery' }, headers: from(`192.0.2.${100 + i}`) });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    clock += window;
    expect((await onRedis.call('POST', '/api/v1/users/login', { body: { username: jane.username, password: 'correct horse battery' } })).status).toBe(200);
  });
});
