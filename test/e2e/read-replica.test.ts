import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_REPLICA_APPLICATION_NAME, READ_REPLICA_BACKEND } from '../../app/read-replica.js';
import { apiClient, type User } from '../support/api-client.js';
import { postgresReplica } from '../support/postgres-replica.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// DATABASE_READ_URL end to end (docs/architecture.md "Read replicas"): the platform on a primary
// of its own with the read API on a streaming replica of it (SERVICES=postgres-replica, or started
// here from the bundled binaries). The replica is reached through a TCP forwarder of this file's,
// so that a test can take it away and bring it back without stopping the shared replica.
const replica = await postgresReplica();

/** Forwards 127.0.0.1:<port> to `target`; close() refuses new connections and cuts the open ones. */
const forwarder = async (target: URL) => {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    url: () => Object.assign(new URL(target), { port: String(port) }).toString(),
    reopen: open,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server!.close(() => resolve());
      }),
  };
};

describe('read replica (DATABASE_READ_URL)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let toReplica: Awaited<ReturnType<typeof forwarder>>;
  // Straight to the replica and the primary (not through the platform): to look, pause and resume.
  const onReplica = new pg.Pool({ connectionString: replica.replicaUrl, max: 2 });
  const onPrimary = new pg.Pool({ connectionString: replica.primaryUrl, max: 2 });
  let author: User;
  let reader: User;
  let postId: string;
  let postPosition: string;

  beforeAll(async () => {
    toReplica = await forwarder(new URL(replica.replicaUrl));
    // A short wait bound: the paused replica's reads end on it.
    t = await startTestApp({ readReplica: { primaryUrl: replica.primaryUrl, replicaUrl: toReplica.url() }, freshnessTimeoutMs: 2_000 });
    api = apiClient(t.app);
    [author, reader] = [await api.register(), await api.register()];
    const created = await api.call('POST', '/api/v1/posts', {
      token: author.token,
      body: { caption: 'on the primary, read from the replica', media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] },
    });
    ({ postId, position: postPosition } = created.body as { postId: string; position: string });
  });
  afterAll(async () => {
    await onReplica.query('select pg_wal_replay_resume()').catch(() => undefined);
    await t?.close();
    await toReplica?.close();
    await onReplica.end();
    await onPrimary.end();
  });

  const comment = async (text: string) => {
    const response = await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: reader.token, body: { text } });
    expect(response.status).toBe(201);
    return response.body.position as string;
  };
  const comments = (position?: string) =>
    api.call('GET', `/api/v1/posts/${postId}/comments${position ? `?minPosition=${encodeURIComponent(position)}` : ''}`, { token: reader.token });
  const texts = (response: { body: { items: { text: string }[] } }) => response.body.items.map((item) => item.text);
  const profilesCheckpointOnPrimary = () => t.platform.readModels.projections().find((p) => p.name === 'profiles')!.checkpoint('profiles');

  it('the replica is a standby, and the read API reads from it: its connections are there, none on the primary', async () => {
    expect((await onReplica.query('select pg_is_in_recovery() as standby')).rows[0].standby).toBe(true);
    expect((await comments(postPosition)).status).toBe(200);
    const readApiConnections = async (pool: pg.Pool) =>
      Number((await pool.query('select count(*) as n from pg_stat_activity where application_name = $1', [READ_REPLICA_APPLICATION_NAME])).rows[0].n);
    expect(await readApiConnections(onReplica)).toBeGreaterThan(0);
    expect(await readApiConnections(onPrimary)).toBe(0);
  });

  it('a command then a read with its minPosition sees the write (read-your-writes through the replica)', async () => {
    for (const text of ['first', 'second', 'third']) {
      const position = await comment(text);
      const response = await comments(position);
      expect(response.status).toBe(200);
      expect(response.headers['x-stale-projections']).toBeUndefined();
      expect(texts(response)).toContain(text);
    }
  });

  it('with replay paused, a minPosition read the primary could answer waits, then answers 503 naming the replica, never the stale page; resumed, it sees the write', async () => {
    await onReplica.query('select pg_wal_replay_pause()');
    let position: string;
    try {
      position = await comment('written while the replica is paused');
      // The projection on the primary has applied it: only the replica is behind.
      await expect.poll(async () => (await profilesCheckpointOnPrimary()) >= position, { timeout: 10_000 }).toBe(true);
      // Without minPosition the read is the replica's, as it is: the comment is not there yet.
      const lagging = await comments();
      expect(lagging.status).toBe(200);
      expect(texts(lagging)).not.toContain('written while the replica is paused');
      const started = performance.now();
      const refused = await comments(position);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: [{ path: READ_REPLICA_BACKEND }] });
      // It waited for the replica (the bound is 2 s) rather than refusing at once.
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    } finally {
      await onReplica.query('select pg_wal_replay_resume()');
    }
    const answered = await comments(position);
    expect(answered.status).toBe(200);
    expect(texts(answered)).toContain('written while the replica is paused');
  });

  it('with the replica away, reads answer 503 naming it and /ready reports it down; commands still work; back, reads answer again', async () => {
    await toReplica.close();
    try {
      const refused = await comments();
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: [{ path: READ_REPLICA_BACKEND }] });
      const ready = await api.call('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.backends).toMatchObject({ postgresql: 'up', [READ_REPLICA_BACKEND]: 'down' });
      await comment('written while the replica is away');
    } finally {
      await toReplica.reopen();
    }
    await expect.poll(async () => texts(await comments()), { timeout: 10_000 }).toContain('written while the replica is away');
  });
});

describe('DATABASE_READ_URL naming a server that is not a replica', () => {
  it('stops the start with a message naming the variable (a primary replays nothing: waiting would only time out)', async () => {
    await expect(startTestApp({ readReplica: { primaryUrl: replica.primaryUrl, replicaUrl: replica.primaryUrl } })).rejects.toThrow(/DATABASE_READ_URL names a server that is not a streaming replica/);
  });
});
