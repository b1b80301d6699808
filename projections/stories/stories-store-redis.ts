import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { ensureCheckpointTable, loadCheckpoint, saveCheckpoint } from '../runtime/checkpoints-postgres.js';
import { waitForReplicas } from '../runtime/redis-replicas.js';
import { hasEnded, type StoryFact } from './story-facts.js';
import { isoOf, oldestFirst, stateOf } from './story-records.js';
import type { StoriesStore, Story } from './stories-store.js';
import { storiesKeys } from './stories-keys.js';
import { parseViewerMember, viewerMember } from './viewer-member.js';

export interface RedisStoriesStoreOptions {
  redis: Redis | Cluster;
  /** Where the checkpoints live (PostgreSQL), saved after the Redis writes. */
  pool: pg.Pool;
  /** Prefix of every key, and of the checkpoint keys, so that generations stay apart. */
  prefix: string;
}

// Every write is a single-key command. They are sent together (one round trip; ioredis sends
// commands without waiting for replies, and per node in a cluster) and each is idempotent: HSET of
// a fact's own field, ZADD/SADD of a member with a fixed score, ZREM. A story's hash is the truth;
// the `due` index is derived from it and repaired on read (dueForExpiry), so a late write from a
// stale instance can cost a lookup but never a wrong answer.

type StoryHash = Record<string, string>;

const storyOf = (storyId: string, hash: StoryHash): Story | null => {
  if (hash.postedAtMs === undefined || hash.authorId === undefined || hash.media === undefined) return null;
  return {
    id: storyId,
    authorId: hash.authorId,
    media: JSON.parse(hash.media) as Story['media'],
    postedAt: isoOf(Number(hash.postedAtMs)),
    expiresAt: isoOf(Number(hash.expiresAtMs)),
    state: stateOf({ deleted: hash.deletedAtMs !== undefined, expired: hash.expiredAtMs !== undefined }),
    sharedPost: hash.sharedPost === undefined ? null : (JSON.parse(hash.sharedPost) as Story['sharedPost']),
  };
};

const hashFieldsOf = (fact: StoryFact): Record<string, string> => ({
  authorId: fact.authorId,
  ...(fact.posted && {
    media: JSON.stringify(fact.posted.media),
    postedAtMs: String(fact.posted.postedAtMs),
    expiresAtMs: String(fact.posted.expiresAtMs),
    // Written with the story's other posted facts; no field for an ordinary story, as before shares.
    ...(fact.posted.sharedPost && { sharedPost: JSON.stringify(fact.posted.sharedPost) }),
  }),
  ...(fact.deletedAtMs !== undefined && { deletedAtMs: String(fact.deletedAtMs) }),
  ...(fact.expiredAtMs !== undefined && { expiredAtMs: String(fact.expiredAtMs) }),
});

export const createRedisStoriesStore = ({ redis, pool, prefix }: RedisStoriesStoreOptions): StoriesStore => {
  const keys = storiesKeys(prefix);
  const checkpointRow = (checkpointKey: string) => `${prefix}${checkpointKey}`;
  const readStories = async (storyIds: readonly string[]): Promise<Array<Story | null>> => {
    const hashes = await Promise.all(storyIds.map((id) => redis.hgetall(keys.story(id))));
    return hashes.map((hash, i) => storyOf(storyIds[i]!, hash));
  };

  return {
    setup: () => ensureCheckpointTable(pool),

    async write({ stories, views }, checkpointKey, position) {
      const writes: Array<Promise<unknown>> = [];
      for (const fact of stories) {
        writes.push(redis.hset(keys.story(fact.storyId), hashFieldsOf(fact)));
        if (fact.posted) writes.push(redis.zadd(keys.byAuthor(fact.authorId), fact.posted.expiresAtMs, fact.storyId));
        // A story's own stream tells Posted before its end, so within a batch the end wins.
        if (hasEnded(fact)) writes.push(redis.zrem(keys.due, fact.storyId));
        else if (fact.posted) writes.push(redis.zadd(keys.due, fact.posted.expiresAtMs, fact.storyId));
      }
      for (const view of views) {
        writes.push(redis.zadd(keys.viewers(view.storyId), 0, viewerMember(view)));
        writes.push(redis.sadd(keys.seen(view.viewerId), view.storyId));
      }
      await Promise.all(writes);
      // Held by the Cluster's replicas (redis-replicas.ts): a checkpoint past writes a failover lost would never see them again.
      await waitForReplicas(redis);
      // After the writes: a crash in between re-applies the batch, which changes nothing.
      await saveCheckpoint(pool, checkpointRow(checkpointKey), position);
    },

    checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointRow(checkpointKey)),

    async liveStories(authorIds, nowMs) {
      const idsPerAuthor = await Promise.all(authorIds.map((authorId) => redis.zrangebyscore(keys.byAuthor(authorId), `(${nowMs}`, '+inf')));
      const stories = await readStories(idsPerAuthor.flat());
      const byAuthor = new Map<string, Story[]>(authorIds.map((id) => [id, []]));
      for (const story of stories) if (story?.state === 'active') byAuthor.get(story.authorId)?.push(story);
      for (const list of byAuthor.values()) list.sort(oldestFirst);
      return byAuthor;
    },

    async story(storyId) {
      const [story] = await readStories([storyId]);
      return story ?? null;
    },

    async seenBy(viewerId, storyIds) {
      if (storyIds.length === 0) return new Set();
      const flags = await redis.smismember(keys.seen(viewerId), ...storyIds);
      return new Set(storyIds.filter((_, i) => flags[i] === 1));
    },

    async viewers(storyId, after, limit) {
      const max = after ? `(${viewerMember(after)}` : '+';
      const members = await redis.zrevrangebylex(keys.viewers(storyId), max, '-', 'LIMIT', 0, limit);
      return members.map((member) => {
        const key = parseViewerMember(member);
        return { ...key, viewedAt: isoOf(key.viewedAtMs) };
      });
    },

    async dueForExpiry(nowMs, limit) {
      for (;;) {
        const candidates = await redis.zrangebyscore(keys.due, '-inf', nowMs, 'LIMIT', 0, limit);
        const flags = await Promise.all(candidates.map((id) => redis.hmget(keys.story(id), 'deletedAtMs', 'expiredAtMs')));
        const ended = candidates.filter((_, i) => flags[i]!.some((flag) => flag !== null));
        if (ended.length === 0) return candidates;
        // A stale entry (a late write of an instance that had lost its partition): the hash says
        // the story ended, and that never changes back, so dropping the entry is always right.
        await redis.zrem(keys.due, ...ended);
      }
    },
  };
};
