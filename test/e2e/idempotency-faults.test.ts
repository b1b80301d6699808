import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../app/server.js';
import { createPostgresIdempotencyStore } from '../../commands/idempotency/idempotency-store-postgres.js';
import type { IdempotencyStore } from '../../commands/idempotency/idempotency-store.js';
import type { EventStore } from '../../events/index.js';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Idempotency-Key across faults (docs/architecture.md "Idempotency"; review F5): a retried create
// with the same key never makes a second entity, whichever step failed after the append. The API
// runs on the real PostgreSQL, through an event store and an idempotency store that fail on cue:
// 1. the append commits, then its reply is lost (and PostgreSQL stays away until the answer is sent);
// 2. recording the answer under the key fails (the key stays claimed);
// 3. the process dies between the append and recording the answer (nothing is recorded, nobody is answered).
// In each, the client retries with the same key and must get the entity the first try created.

const connectionReset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** The event store, with a fault on cue: the next append to a stream under `prefix` commits, then fails, and so does everything until `recover()`. */
const faultyEventStore = (inner: EventStore) => {
  let armed: string | null = null;
  let down = false;
  const guard = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (down) throw connectionReset();
    return call(...args);
  };
  const store: EventStore = {
    ...inner,
    append: guard(async (streamId, events, expected) => {
      const result = await inner.append(streamId, events, expected);
      if (armed !== null && streamId.startsWith(armed)) {
        armed = null;
        down = true;
        throw connectionReset();
      }
      return result;
    }),
    readStream: guard((streamId, from) => inner.readStream(streamId, from)),
    readAll: guard((from, max, filter) => inner.readAll(from, max, filter)),
    headPosition: guard(() => inner.headPosition()),
    ...(inner.snapshots && {
      snapshots: {
        readFromSnapshot: guard((streamId, key) => inner.snapshots!.readFromSnapshot(streamId, key)),
        saveSnapshot: guard((streamId, key, snapshot) => inner.snapshots!.saveSnapshot(streamId, key, snapshot)),
      },
    }),
  };
  return {
    store,
    loseReplyOfNextAppendTo: (prefix: string) => void (armed = prefix),
    recover: () => void (down = false),
  };
};

/** The idempotency store (taking a claim over at once when abandoned), whose next completion fails or is silently lost. */
const faultyIdempotencyStore = (inner: IdempotencyStore) => {
  let next: 'fail' | 'drop' | null = null;
  const store: IdempotencyStore = {
    claim: (scope, key, fingerprint) => inner.claim(scope, key, fingerprint),
    release: (scope, key, token) => inner.release(scope, key, token),
    async complete(scope, key, token, response) {
      const fault = next;
      next = null;
      if (fault === 'fail') throw connectionReset();
      if (fault === 'drop') return; // the process died before it recorded the answer
      return inner.complete(scope, key, token, response);
    },
  };
  return { store, failNextCompletion: () => void (next = 'fail'), dropNextCompletion: () => void (next = 'drop') };
};

let t: TestApp;
let app: FastifyInstance;
let api: ReturnType<typeof apiClient>;
let events: ReturnType<typeof faultyEventStore>;
let keys: ReturnType<typeof faultyIdempotencyStore>;
let author: User;
let postId: string;

beforeAll(async () => {
  t = await startTestApp();
  events = faultyEventStore(t.platform.commands.store);
  // A claim whose request never finished is taken over at once (instead of after a minute), so a retry need not wait.
  keys = faultyIdempotencyStore(await createPostgresIdempotencyStore(t.platform.pool, { abandonAfterMs: 0 }));
  app = await buildServer({ ...t.platform, commands: { ...t.platform.commands, store: events.store }, idempotency: keys.store });
  api = apiClient(app);
  author = await api.register('faulty');
  postId = await api.createPost(author);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const image = { url: 'https://cdn.example.com/a.jpg', type: 'image' };

interface Creation {
  url: () => string;
  body: unknown;
  /** The answer's field naming what was created. */
  idField: string;
  /** The event that creates it, and its stream's prefix. */
  eventType: string;
  streamPrefix: string;
}

const creations: Record<string, Creation> = {
  post: { url: () => '/api/v1/posts', body: { caption: 'once', media: [image] }, idField: 'postId', eventType: 'PostCreated', streamPrefix: 'post-' },
  comment: { url: () => `/api/v1/posts/${postId}/comments`, body: { text: 'once' }, idField: 'commentId', eventType: 'CommentAdded', streamPrefix: 'comment-' },
  story: { url: () => '/api/v1/stories', body: { media: image }, idField: 'storyId', eventType: 'StoryPosted', streamPrefix: 'story-' },
  'media upload': {
    url: () => '/api/v1/media/uploads',
    body: { filename: 'a.jpg', contentType: 'image/jpeg', size: 1000, purpose: 'post' },
    idField: 'mediaId',
    eventType: 'MediaUploadRequested',
    streamPrefix: 'media-',
  },
};

let keyCount = 0;
const send = (creation: Creation, key: string) =>
  api.call('POST', creation.url(), { token: author.token, body: creation.body, headers: { 'idempotency-key': key } });

/** The streams holding `creation`'s event appended under `key`. */
const createdUnder = async (creation: Creation, key: string): Promise<string[]> => {
  const { rows } = await t.db.pool.query<{ stream_id: string }>(
    `select stream_id from events where type = $1 and metadata->>'idempotencyKey' = $2`,
    [creation.eventType, key],
  );
  return rows.map((row) => row.stream_id);
};

const faults: Record<string, { inject: (creation: Creation) => void; after?: () => void }> = {
  'the reply of the append is lost (PostgreSQL away until the answer is sent)': {
    inject: (creation) => events.loseReplyOfNextAppendTo(creation.streamPrefix),
    after: () => events.recover(),
  },
  'recording the answer under the key fails': { inject: () => keys.failNextCompletion() },
  'the process dies between the append and recording the answer': { inject: () => keys.dropNextCompletion() },
};

describe('a retried create with the same Idempotency-Key after a fault', () => {
  for (const [faultName, fault] of Object.entries(faults)) {
    for (const [what, creation] of Object.entries(creations)) {
      it(`${what}: ${faultName} — exactly one is created, and the retry's answer names it`, async () => {
        const key = `fault-${keyCount++}`;
        fault.inject(creation);
        const first = await send(creation, key);
        fault.after?.();
        // Whatever the first answer was (a 503, or an answer nobody received), the client retries.
        const retry = await send(creation, key);
        const again = await send(creation, key);

        const created = await createdUnder(creation, key);
        expect(created, `${creation.eventType} events under the key`).toHaveLength(1);
        expect(retry.status, JSON.stringify(retry.body)).toBe(201);
        expect(`${creation.streamPrefix}${retry.body[creation.idField]}`).toBe(created[0]);
        if (first.status === 201) expect(first.body[creation.idField]).toBe(retry.body[creation.idField]);
        expect(again.body[creation.idField]).toBe(retry.body[creation.idField]);
      });
    }
  }

  it('the same key with another body after a lost reply is refused, not answered with the first entity', async () => {
    const creation = creations.post!;
    const key = `fault-${keyCount++}`;
    events.loseReplyOfNextAppendTo(creation.streamPrefix);
    expect((await send(creation, key)).status).toBe(503);
    events.recover();
    const other = await api.call('POST', creation.url(), { token: author.token, body: { caption: 'another', media: [image] }, headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await createdUnder(creation, key)).toHaveLength(1);
  });

  it('a claim taken over is no longer its first holder\'s: a late completion with the old token records nothing', async () => {
    const store = await createPostgresIdempotencyStore(t.platform.pool, { abandonAfterMs: 0 });
    const first = await store.claim('scope', 'taken-over', 'fp');
    const second = await store.claim('scope', 'taken-over', 'fp');
    expect([first.outcome, second.outcome]).toEqual(['claimed', 'claimed']);
    if (first.outcome !== 'claimed' || second.outcome !== 'claimed') return;
    await store.complete('scope', 'taken-over', first.token, { statusCode: 201, body: 'late' });
    await store.release('scope', 'taken-over', first.token);
    await store.complete('scope', 'taken-over', second.token, { statusCode: 201, body: 'successor' });
    expect(await store.claim('scope', 'taken-over', 'fp')).toEqual({ outcome: 'replay', response: { statusCode: 201, body: 'successor' } });
  });
});
