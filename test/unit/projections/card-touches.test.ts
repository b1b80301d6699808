import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../events/index.js';
import { CLEAR_MESSAGE, deliverMessage, encodeTouches } from '../../../projections/profiles/card-bus.js';
import { touchedBy, touchesOf, type CardTouches } from '../../../projections/profiles/card-touches.js';
import { changeEventTypes, foldChanges, type ChangeEvent } from '../../../projections/runtime/batch-changes.js';
import { countDeltas } from '../../../projections/runtime/count-deltas.js';
import { anyHistory, toRecordedEvents } from '../../support/history-arbitraries.js';

// The one map from a profiles event to the cards it may leave stale (projections/profiles/card-touches.ts).

/** Data whose every field reads as a distinct id (an object's fields too), so that any field the map names shows. */
const idsUnder = (path: string, objects: readonly string[]): object =>
  new Proxy({}, { get: (_target, field) => (typeof field !== 'string' ? undefined : objects.includes(field) ? idsUnder(`${path}.${field}`, []) : `${path}.${field}`) });

/** An event of `type` whose every data field reads as a distinct id (StoryPosted's sharedPost an object of them). */
const eventOf = (type: string): ChangeEvent =>
  ({ type, streamId: `s-${type}`, streamRevision: 0, data: idsUnder(type, ['sharedPost']) }) as unknown as ChangeEvent;

/** The viewer's own marks and collections: no card holds them (read-api/viewer-marks.ts, reader-collections.ts). */
const UNCARDED = new Set(['Bookmarked', 'Unbookmarked', 'CollectionCreated', 'CollectionRenamed', 'CollectionDeleted', 'PostAddedToCollection', 'PostRemovedFromCollection', 'HashtagFollowed', 'HashtagUnfollowed']);

describe('card touches', () => {
  // Rule: every event type the profiles projection subscribes to is mapped (a new one cannot be forgotten), and
  // only bookmarks, collections and hashtag follows, which no card holds, touch nothing.
  it('maps every event type the profiles projection handles', () => {
    for (const type of changeEventTypes) {
      const touches = touchedBy(eventOf(type));
      const named = touches.posts.length + touches.users.length + touches.pairs.length;
      if (UNCARDED.has(type)) expect(named, type).toBe(0);
      else expect(named, type).toBeGreaterThan(0);
      for (const id of [...touches.posts, ...touches.users, ...touches.pairs.flat()]) expect(id, type).toMatch(new RegExp(`^${type}\\.`));
    }
  });

  // Rule: what a batch touches covers every row its fold writes that a card holds: users (profile, counts),
  // posts (fields, like and comment counts) and the follow and block pairs.
  it('covers every card row a batch of a valid history writes', () => {
    fc.assert(
      fc.property(anyHistory({ maxUsers: 4, maxIntents: 40 }), fc.integer({ min: 1, max: 8 }), (history, batchSize) => {
        const log = toRecordedEvents(history).filter((event) => (changeEventTypes as readonly string[]).includes(event.type));
        for (let start = 0; start < log.length; start += batchSize) {
          const batch: readonly RecordedEvent[] = log.slice(start, start + batchSize);
          const touches = touchesOf(batch);
          const changes = foldChanges(batch);
          const pairs = new Set(touches.pairs.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
          for (const id of changes.users.keys()) expect(touches.users).toContain(id);
          for (const id of changes.posts.keys()) expect(touches.posts).toContain(id);
          for (const change of changes.comments.values()) if (change.postId) expect(touches.posts).toContain(change.postId);
          for (const like of changes.likes.values()) expect(touches.posts).toContain(like.postId);
          for (const share of changes.shares.values()) expect(touches.posts).toContain(share.postId);
          for (const key of [...changes.follows.keys(), ...changes.blocks.keys()]) expect(pairs).toContain(key);
          // Counts moved by the batch land on rows it names (the deltas need no stored state for new rows).
          const deltas = countDeltas(changes, { follows: new Map(), likes: new Map(), posts: new Map(), comments: new Map() });
          for (const id of deltas.users.keys()) expect(touches.users).toContain(id);
          for (const id of deltas.posts.keys()) expect(touches.posts).toContain(id);
        }
      }),
      { numRuns: 100 },
    );
  });

  // Rule: a batch's touches cross the bus whole, cut into messages that fit a NOTIFY payload, and anything
  // unreadable clears (a lost invalidation must not leave a stale card).
  it('encodes touches into bounded messages that decode to the same touches', () => {
    const id = (i: number) => `0190a000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
    const touches: CardTouches = {
      posts: Array.from({ length: 150 }, (_, i) => id(i)),
      users: Array.from({ length: 70 }, (_, i) => id(1000 + i)),
      pairs: Array.from({ length: 60 }, (_, i) => [id(2000 + i), id(3000 + i)] as [string, string]),
    };
    const messages = encodeTouches(touches);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(Buffer.byteLength(message)).toBeLessThan(7_999);
    const received: CardTouches = { posts: [], users: [], pairs: [] };
    let clears = 0;
    const listener = {
      touched: (t: CardTouches) => void (received.posts.push(...t.posts), received.users.push(...t.users), received.pairs.push(...t.pairs)),
      clear: () => void clears++,
    };
    for (const message of messages) deliverMessage(message, listener);
    expect(received).toEqual(touches);
    expect(clears).toBe(0);
    deliverMessage(CLEAR_MESSAGE, listener);
    deliverMessage('not json', listener);
    expect(clears).toBe(2);
  });
});
