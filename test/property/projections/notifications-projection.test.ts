import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type RecordedEvent } from '../../../events/index.js';
import {
  ACTORS_SHOWN,
  createNotificationsProjection,
  createNotificationsReader,
  NOTIFICATION_TABLES,
  notificationText,
  type NotificationItem,
  type NotificationKind,
} from '../../../projections/notifications/index.js';
import { checkpointKeyOf, partitionOf } from '../../../projections/runtime/partition.js';
import type { Projection } from '../../../projections/runtime/projection.js';
import { allPages } from '../../support/all-pages.js';
import { anyHistory, anyInterleaving, historyIds, toRecordedEvents, type HistoryEvent, type IntentKind } from '../../support/history-arbitraries.js';
import { applyEvents, InjectedFailure, poolFailingAt } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// docs/architecture.md "Testing": for random valid histories (with read marks sprinkled in) the notifications read
// model equals a fold of the history, whatever the batching, after a crash inside a batch's
// transaction and a restart, with batches applied twice, and split by stream over two instances
// that interleave at random. The fold below is written from the rules, not from the SQL: it
// looks at the history's end state (what is liked, followed, mentioned now) and groups it.

const replayed = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true } : {};
const WINDOW_MS = 10 * 60_000; // short, so that histories of a few hours cross many windows
const START_AT = '2025-01-01T00:00:00.000Z';

const kinds: IntentKind[] = [
  ...(['register', 'register', 'follow', 'follow', 'unfollow', 'approveRequest', 'rejectRequest', 'changePrivacy', 'block', 'unblock'] as const),
  ...(['createPost', 'createPost', 'editCaption', 'deletePost', 'like', 'like', 'like', 'unlike', 'comment', 'comment', 'comment', 'deleteComment'] as const),
  ...(['share', 'share', 'postStory', 'deleteStory', 'expireStory'] as const),
  ...(['tagPost', 'tagPost', 'removeTag'] as const),
  ...(['updateProfile', 'tick'] as const),
];

/** A history with some "mark everything read up to now (or a little before)" events of its users. */
const withReadMarks = (history: HistoryEvent[], marks: readonly { at: number; user: number; backMs: number }[]): HistoryEvent[] => {
  const users = history.flatMap((e) => (e.type === 'UserRegistered' ? [{ id: e.data.userId, index: history.indexOf(e) }] : []));
  const out = [...history];
  for (const mark of [...marks].sort((a, b) => b.at - a.at)) {
    const index = mark.at % (history.length + 1);
    const candidates = users.filter((u) => u.index < index);
    const user = candidates[mark.user % Math.max(candidates.length, 1)];
    if (!user) continue;
    const at = history[index - 1]!.at;
    const upTo = new Date(Date.parse(at) - mark.backMs).toISOString();
    out.splice(index, 0, { type: 'NotificationsRead', data: { userId: user.id, upTo }, streamId: streams.notifications(user.id), at } as HistoryEvent);
  }
  return out;
};

const anyNotificationHistory = fc
  .tuple(
    anyHistory({ kinds, maxUsers: 5, minIntents: 15, maxIntents: 60, start: START_AT }),
    fc.array(fc.record({ at: fc.nat(), user: fc.nat(), backMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * WINDOW_MS })) }), { maxLength: 4 }),
  )
  .map(([history, marks]) => withReadMarks(history, marks));

// ---------------------------------------------------------------------------------------------
// The fold

interface Activity {
  kind: NotificationKind;
  actorId: string;
  recipientId: string;
  postId: string | null;
  /** The comment a group is about: the parent of a reply, the comment holding a mention. */
  groupComment: string | null;
  at: string;
}

const groupIdOf = (a: Activity): string => {
  const bucket = Math.floor(Date.parse(a.at) / WINDOW_MS);
  const hex = createHash('md5')
    .update([a.recipientId, a.kind, a.postId, a.groupComment, bucket].filter((part) => part !== null).join('|'))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const expectedLists = (history: readonly HistoryEvent[]): Map<string, { items: NotificationItem[]; unread: number }> => {
  const users = new Map<string, { username: string; displayName: string; registeredAt: string }>();
  const posts = new Map<string, { authorId: string; deleted: boolean; mentions: Map<string, string> }>();
  const comments = new Map<string, { postId: string; authorId: string; postAuthorId: string; parentId: string | null; mentions: string[]; at: string; deleted: boolean }>();
  const likes = new Map<string, { actorId: string; recipientId: string; postId: string; at: string } | null>();
  const follows = new Map<string, { kind: NotificationKind; actorId: string; recipientId: string; at: string } | null>();
  /** Shares by story: each stays, whatever becomes of its story. */
  const shares: Array<{ actorId: string; recipientId: string; postId: string; at: string }> = [];
  /** User tags by post|person: a notification of the person tagged, until taken off (read or not). */
  const tags = new Map<string, { actorId: string; recipientId: string; postId: string; at: string } | null>();
  const blocks = new Set<string>();
  const readUpTo = new Map<string, number>();
  for (const event of history) {
    switch (event.type) {
      case 'UserRegistered':
        users.set(event.data.userId, { username: event.data.username, displayName: event.data.displayName, registeredAt: event.data.registeredAt });
        break;
      case 'ProfileUpdated':
        if (event.data.displayName !== undefined) users.get(event.data.userId)!.displayName = event.data.displayName;
        break;
      case 'PostCreated':
      case 'CaptionEdited': {
        const previous = posts.get(event.data.postId)?.mentions ?? new Map<string, string>();
        const at = event.type === 'PostCreated' ? event.data.createdAt : event.data.editedAt;
        const mentions = new Map(event.data.mentions.map((name) => [name, previous.get(name) ?? at]));
        posts.set(event.data.postId, { authorId: event.data.authorId, deleted: false, mentions });
        if (event.type === 'PostCreated') {
          for (const item of event.data.media) {
            for (const { userId } of item.tags ?? []) tags.set(`${event.data.postId}|${userId}`, { actorId: event.data.authorId, recipientId: userId, postId: event.data.postId, at });
          }
        }
        break;
      }
      case 'TagRemoved':
        tags.set(`${event.data.postId}|${event.data.userId}`, null);
        break;
      case 'PostDeleted':
        posts.get(event.data.postId)!.deleted = true;
        break;
      case 'Liked':
        likes.set(event.streamId, { actorId: event.data.userId, recipientId: event.data.postAuthorId, postId: event.data.postId, at: event.data.likedAt });
        break;
      case 'Unliked':
        likes.set(event.streamId, null);
        break;
      case 'CommentAdded': {
        const { commentId, postId, authorId, postAuthorId, parentCommentId, mentions, createdAt } = event.data;
        comments.set(commentId, { postId, authorId, postAuthorId, parentId: parentCommentId, mentions, at: createdAt, deleted: false });
        break;
      }
      case 'CommentDeleted':
        comments.get(event.data.commentId)!.deleted = true;
        break;
      case 'FollowRequested':
        follows.set(event.streamId, { kind: 'follow_request', actorId: event.data.followerId, recipientId: event.data.followeeId, at: event.data.requestedAt });
        break;
      case 'FollowRequestApproved':
        follows.set(event.streamId, { kind: 'follow', actorId: event.data.followerId, recipientId: event.data.followeeId, at: event.data.approvedAt });
        break;
      case 'Followed':
        follows.set(event.streamId, { kind: 'follow', actorId: event.data.followerId, recipientId: event.data.followeeId, at: event.data.followedAt });
        break;
      case 'Unfollowed':
      case 'FollowRequestRejected':
      case 'FollowRequestCancelled':
        follows.set(event.streamId, null);
        break;
      case 'Blocked':
        blocks.add(`${event.data.blockerId}|${event.data.blockedId}`);
        break;
      case 'Unblocked':
        blocks.delete(`${event.data.blockerId}|${event.data.blockedId}`);
        break;
      case 'StoryPosted':
        if (event.data.sharedPost) {
          shares.push({ actorId: event.data.authorId, recipientId: event.data.sharedPost.authorId, postId: event.data.sharedPost.postId, at: event.data.postedAt });
        }
        break;
      case 'NotificationsRead':
        readUpTo.set(event.data.userId, Math.max(readUpTo.get(event.data.userId) ?? 0, Date.parse(event.data.upTo)));
        break;
      default:
        break;
    }
  }
  // Who a mention made at `at` notifies: the user of that name, if registered by then.
  const mentioned = (name: string, at: string) =>
    [...users].find(([, u]) => u.username === name && Date.parse(u.registeredAt) <= Date.parse(at))?.[0] ?? null;
  const livePost = (postId: string) => !posts.get(postId)?.deleted;
  const activities: Activity[] = [];
  for (const like of likes.values()) if (like && livePost(like.postId)) activities.push({ kind: 'like', ...like, groupComment: null });
  for (const follow of follows.values()) if (follow) activities.push({ ...follow, postId: null, groupComment: null });
  for (const share of shares) if (livePost(share.postId)) activities.push({ kind: 'share', ...share, groupComment: null });
  for (const tag of tags.values()) if (tag && livePost(tag.postId)) activities.push({ kind: 'tagged', ...tag, groupComment: null });
  for (const [postId, post] of posts) {
    if (post.deleted) continue;
    for (const [name, at] of post.mentions) {
      const recipientId = mentioned(name, at);
      if (recipientId) activities.push({ kind: 'mention', actorId: post.authorId, recipientId, postId, groupComment: null, at });
    }
  }
  for (const [commentId, c] of comments) {
    if (c.deleted || !livePost(c.postId)) continue;
    const base = { actorId: c.authorId, postId: c.postId, at: c.at };
    if (c.parentId === null) activities.push({ ...base, kind: 'comment', recipientId: c.postAuthorId, groupComment: null });
    else {
      const parent = comments.get(c.parentId);
      if (parent && !parent.deleted) activities.push({ ...base, kind: 'reply', recipientId: parent.authorId, groupComment: c.parentId });
    }
    for (const name of new Set(c.mentions)) {
      const recipientId = mentioned(name, c.at);
      if (recipientId) activities.push({ ...base, kind: 'mention', recipientId, groupComment: commentId });
    }
  }

  const blockedEitherWay = (a: string, b: string) => blocks.has(`${a}|${b}`) || blocks.has(`${b}|${a}`);
  const lists = new Map<string, { items: NotificationItem[]; unread: number }>();
  for (const userId of [...users.keys(), historyIds.user(99)]) {
    const groups = new Map<string, Activity[]>();
    for (const a of activities) {
      if (a.recipientId !== userId || a.actorId === userId || !users.has(a.actorId)) continue;
      groups.set(groupIdOf(a), [...(groups.get(groupIdOf(a)) ?? []), a]);
    }
    // A blocked user's activity is neither listed nor counted, but (a documented simplification)
    // still dates the group: its time and read state come from all of its activity.
    const visibleGroups = [...groups]
      .map(([id, all]) => [id, all, all.filter((a) => !blockedEitherWay(userId, a.actorId))] as const)
      .filter(([, , members]) => members.length > 0);
    const items = visibleGroups.map(([id, all, members]): NotificationItem => {
      const latestOf = new Map<string, number>();
      for (const m of members) latestOf.set(m.actorId, Math.max(latestOf.get(m.actorId) ?? 0, Date.parse(m.at)));
      const byRecency = [...latestOf].sort(([a, at], [b, bt]) => bt - at || (a < b ? 1 : -1)).map(([actorId]) => actorId);
      const actors = byRecency.slice(0, ACTORS_SHOWN).map((actorId) => ({ id: actorId, username: users.get(actorId)!.username, displayName: users.get(actorId)!.displayName }));
      const { kind, postId, groupComment } = members[0]!;
      const latest = Math.max(...all.map((m) => Date.parse(m.at)));
      return {
        id,
        type: kind,
        ...(postId ? { post: { id: postId } } : {}),
        ...(groupComment ? { comment: { id: groupComment } } : {}),
        actors,
        actorCount: latestOf.size,
        text: notificationText(kind, actors.map((a) => a.username), latestOf.size, kind === 'mention' && groupComment !== null),
        createdAt: new Date(latest).toISOString(),
        read: latest <= (readUpTo.get(userId) ?? -1),
      };
    });
    items.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1));
    lists.set(userId, { items, unread: items.filter((i) => !i.read).length });
  }
  return lists;
};

const expectFoldOf = async (db: TestDatabase, history: readonly HistoryEvent[]) => {
  const reader = createNotificationsReader(db.pool);
  for (const [userId, expected] of expectedLists(history)) {
    const items = await allPages((page) => reader.list(userId, page), 2, { maxPages: 100 });
    expect({ userId, items, unread: await reader.unreadCount(userId) }).toEqual({ userId, ...expected });
  }
};

// ---------------------------------------------------------------------------------------------

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await createNotificationsProjection(db.pool, { windowMs: WINDOW_MS }).setup();
});
afterAll(async () => {
  await db.drop();
});

const fresh = async (pool = db.pool): Promise<Projection> => createNotificationsProjection(pool, { windowMs: WINDOW_MS });
// DELETE rather than TRUNCATE: truncating makes new files and syncs them, slow on a busy disk.
const reset = async () => {
  await db.pool.query(NOTIFICATION_TABLES.map((table) => `delete from ${table};`).join('') + 'delete from projection_checkpoints;');
};

// Generous time: each run is dozens of small transactions, slow when the test run loads the disk.
describe('notifications projection', { timeout: 300_000 }, () => {
  it('for any valid history, in batches of any size, equals the fold; applying every batch twice changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(anyNotificationHistory, fc.integer({ min: 1, max: 40 }), fc.boolean(), async (history, batchSize, twice) => {
        await reset();
        const projection = await fresh();
        const log = toRecordedEvents(history);
        if (twice) {
          // Each batch applied, then applied again with the checkpoint it started from (a crash before the checkpoint).
          for (let start = 0; start < log.length; start += batchSize) {
            const events = log.slice(start, start + batchSize).filter((e) => projection.eventTypes.includes(e.type as never));
            const position = log[Math.min(start + batchSize, log.length) - 1]!.position;
            await projection.apply({ events, position, replay: false }, 'notifications');
            await projection.apply({ events, position, replay: false }, 'notifications');
          }
        } else await applyEvents(projection, log, { batchSize });
        await expectFoldOf(db, history);
      }),
      { numRuns: 15, ...replayed },
    );
  });

  it('a batch whose transaction fails at any statement leaves nothing behind, and the restarted projector ends at the fold', async () => {
    await fc.assert(
      fc.asyncProperty(anyNotificationHistory, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }), async (history, batchSize, failAt) => {
        await reset();
        const log = toRecordedEvents(history);
        const crashing = createNotificationsProjection(poolFailingAt(db.pool, failAt), { windowMs: WINDOW_MS });
        await applyEvents(crashing, log, { batchSize }).catch((error: unknown) => expect(error).toBeInstanceOf(InjectedFailure));
        // Read on the healthy pool: the crashing one may fail this very query.
        const checkpoint = await (await fresh()).checkpoint('notifications');
        await expectFoldOf(db, history.slice(0, log.filter((event) => event.position <= checkpoint).length));
        await applyEvents(await fresh(), log, { batchSize });
        await expectFoldOf(db, history);
      }),
      { numRuns: 10, ...replayed },
    );
  });

  it('any interleaving of streams, split by stream over two instances taking turns at random, ends at the fold', async () => {
    const split = anyNotificationHistory.chain((history) =>
      fc.record({ history: fc.constant(history), log: anyInterleaving(history), turns: fc.array(fc.nat(1), { maxLength: 60 }), batchSize: fc.integer({ min: 1, max: 6 }) }),
    );
    await fc.assert(
      fc.asyncProperty(split, async ({ history, log, turns, batchSize }) => {
        await reset();
        const projection = await fresh();
        const recorded: RecordedEvent[] = toRecordedEvents(log);
        const parts = [0, 1].map((index) => ({ index, log: recorded.filter((e) => partitionOf(e.streamId, 2) === index), done: 0 }));
        const types = new Set<string>(projection.eventTypes);
        let turn = 0;
        while (parts.some((p) => p.done < p.log.length)) {
          const open = parts.filter((p) => p.done < p.log.length);
          const part = open[(turns[turn++ % Math.max(turns.length, 1)] ?? 0) % open.length]!;
          const chunk = part.log.slice(part.done, part.done + batchSize);
          part.done += chunk.length;
          const key = checkpointKeyOf('notifications', { index: part.index, count: 2 });
          await projection.apply({ events: chunk.filter((e) => types.has(e.type)), position: chunk.at(-1)!.position, replay: false }, key);
        }
        await expectFoldOf(db, history);
      }),
      { numRuns: 15, ...replayed },
    );
  });
});
