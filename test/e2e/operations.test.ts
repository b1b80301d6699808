import { describe, expect, it } from 'vitest';
import { eventually } from '../support/kafka.js';
import { useTestApp } from '../support/test-app.js';

const { t, api } = useTestApp();

describe('operations endpoints', () => {
  it('/health answers without a token', async () => {
    const response = await api.call('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('/ready reports the backends and each projection with its lag: 0 once caught up, the unapplied events while stopped', async () => {
    type Lag = { name: string; checkpoint: string; lag: number };
    const ready = async () => (await api.call('GET', '/ready')).body as { backends: Record<string, string>; projections: Lag[] };
    const response = await api.call('GET', '/ready');
    expect(response.status).toBe(200);
    expect(response.body.backends).toEqual({ postgresql: 'up', 'local-storage': 'up' });
    expect(response.body.projections.map((p: { name: string }) => p.name).sort()).toEqual(['feed', 'media', 'notifications', 'profiles', 'search', 'stories']);
    for (const projection of response.body.projections) expect(projection.lag).toBeGreaterThanOrEqual(0);

    // A known write: once every projector has applied it, each lag is 0 and each checkpoint is at it.
    const { position } = (await api.call('POST', '/api/v1/users/register', { body: { username: 'lagging', email: 'lagging@example.com', password: 'correct horse battery' } })).body;
    await eventually('every projection caught up with the registration', async () => (await ready()).projections.every((p) => p.checkpoint >= position));
    for (const projection of (await ready()).projections) expect(projection).toMatchObject({ lag: 0 });

    // A stopped projector falls behind by exactly the events appended since.
    await t.platform.background!.projectors().find((projector) => projector.checkpointKey === 'notifications')!.stop();
    const before = (await t.allEvents()).length;
    await api.register();
    const appended = (await t.allEvents()).length - before;
    expect(appended).toBeGreaterThan(0);
    // The lag counts up to the visible head, which may take a moment to pass the last of them.
    await eventually('the other projections caught up again, the stopped one behind by all of them', async () =>
      (await ready()).projections.every((p) => (p.name === 'notifications' ? p.lag === appended : p.lag === 0)),
    );
    const lags = Object.fromEntries((await ready()).projections.map((p) => [p.name, p.lag]));
    expect(lags).toEqual({ profiles: 0, feed: 0, stories: 0, search: 0, notifications: appended, media: 0 });
  });

  it('/metrics exposes HTTP latency by route and events appended by type', async () => {
    await api.register();
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/users\/register"/);
    expect(response.body).toMatch(/events_appended_total\{type="UserRegistered"\} [1-9]/);
    expect(response.body).toMatch(/projection_lag_events\{projection="feed"\}/);
  });

  it('/docs serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await api.call('GET', '/docs/json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/api/v1/posts', '/api/v1/feed/home', '/api/v1/users/register']));
    const createPost = response.body.paths['/api/v1/posts'].post;
    expect(createPost.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['media']));
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });

  it('echoes request and correlation ids, and records the correlation id in the events a command appends', async () => {
    const response = await api.call('POST', '/api/v1/users/register', {
      body: { username: 'traced', email: 'traced@example.com', password: 'correct horse battery' },
      headers: { 'x-correlation-id': 'trace-123' },
    });
    expect(response.headers['x-correlation-id']).toBe('trace-123');
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    const [event] = await t.platform.commands.store.readStream(`user-${response.body.userId}`);
    expect(event?.metadata.correlationId).toBe('trace-123');
    expect(event?.metadata.actorId).toBe(response.body.userId);
  });

  it('takes an X-Request-Id of at most 128 visible ASCII characters; any other is replaced by a fresh id, in headers and event metadata', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'req-42' } });
    expect(kept.headers['x-request-id']).toBe('req-42');
    for (const bad of ['A'.repeat(129), 'has space', 'tab\there', 'caf\u00e9']) {
      const response = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-correlation-id']).toBe(response.headers['x-request-id']);
    }
    const long = 'B'.repeat(8000);
    const registered = await api.call('POST', '/api/v1/users/register', {
      body: { username: 'longid', email: 'longid@example.com', password: 'correct horse battery' },
      headers: { 'x-request-id': long },
    });
    expect(registered.headers['x-request-id']).not.toBe(long);
    const [event] = await t.platform.commands.store.readStream(`user-${registered.body.userId}`);
    expect(event?.metadata.correlationId).toBe(registered.headers['x-request-id']);
  });
});
