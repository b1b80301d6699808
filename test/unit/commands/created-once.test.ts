import fc from 'fast-check';
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { entityIdFor, toNewEvents, type CommandContext, type CreatedKind } from '../../../commands/command-context.js';
import { createOnce, earlierCreation } from '../../../commands/created-once.js';
import { ctx } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// commands/command-context.ts (entityIdFor) and commands/created-once.ts: what a keyed command
// creates is named by (caller, kind, key), and a retry is answered from what its first run created.

const kinds = fc.constantFrom<CreatedKind>('post', 'comment', 'story', 'media');
const actor = fc.uuid();
const key = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
const keyed = (actorId: string, idempotencyKey: string): CommandContext => ({ ...ctx, actorId, idempotencyKey });

describe('entityIdFor', () => {
  it('names one entity per (caller, kind, key): the same triple always the same id, a different one never', () => {
    fc.assert(
      fc.property(fc.tuple(actor, kinds, key), fc.tuple(actor, kinds, key), ([a1, k1, key1], [a2, k2, key2]) => {
        const first = entityIdFor(keyed(a1, key1), k1);
        expect(validate(first)).toBe(true);
        expect(entityIdFor(keyed(a1, key1), k1)).toBe(first);
        const same = a1 === a2 && k1 === k2 && key1 === key2;
        expect(entityIdFor(keyed(a2, key2), k2) === first).toBe(same);
      }),
    );
  });

  it('gives an unkeyed (or anonymous) command a fresh UUIDv7 each time', () => {
    const unkeyed = { ...ctx, actorId: '0190a000-0000-7000-8000-000000000001' };
    const ids = [entityIdFor(unkeyed, 'post'), entityIdFor(unkeyed, 'post'), entityIdFor({ ...ctx, idempotencyKey: 'k' }, 'post')];
    expect(new Set(ids).size).toBe(3);
    expect(ids.map((id) => version(id))).toEqual([7, 7, 7]);
  });
});

describe('createOnce and earlierCreation', () => {
  const stream = 'post-0190a000-0000-7000-8000-0000000000aa';
  const mine = keyed('0190a000-0000-7000-8000-000000000001', 'k1');
  const created = [{ type: 'PostCreated' as const, data: {
    postId: '0190a000-0000-7000-8000-0000000000aa',
    authorId: '0190a000-0000-7000-8000-000000000001',
    caption: '',
    hashtags: [],
    mentions: [],
    media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' as const }],
    createdAt: ctx.now,
  } }];

  it('answers from the creation when the create failed after its event landed (a lost reply)', async () => {
    const store = createInMemoryEventStore();
    const answer = await createOnce(
      store,
      stream,
      mine,
      async () => {
        await store.append(stream, toNewEvents(created, mine), 'no_stream');
        throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      },
      (creation) => ({ found: creation.type }),
    );
    expect(answer).toEqual({ found: 'PostCreated' });
    expect(await earlierCreation(store, stream, mine)).toMatchObject({ type: 'PostCreated' });
  });

  it("rethrows when nothing landed, or when what is there is not this command's", async () => {
    const store = createInMemoryEventStore();
    const failure = new Error('refused');
    await expect(createOnce(store, stream, mine, () => Promise.reject(failure), () => 'answered')).rejects.toBe(failure);
    await store.append(stream, toNewEvents(created, keyed('0190a000-0000-7000-8000-000000000002', 'k1')), 'no_stream');
    await expect(createOnce(store, stream, mine, () => Promise.reject(failure), () => 'answered')).rejects.toBe(failure);
    expect(await earlierCreation(store, stream, mine)).toBeNull();
    expect(await earlierCreation(store, stream, { ...ctx, actorId: mine.actorId })).toBeNull();
  });
});
