import type { RecordedEvent } from '../../events/index.js';
import { everyTypeHandled } from '../runtime/projection.js';
import type { NotificationEvent, NotificationKind } from './subscribed-events.js';

// Folds one batch into the rows it writes, so that each table takes one bulk upsert. Events of
// one stream arrive in order; the last one of a key in the batch wins, and the database keeps
// a row's newer revision against a stale re-application (write-batch.ts).

/** One fact that may notify someone (schema.ts, notification_sources). Nulls keep what is stored. */
export interface SourceRow {
  sourceId: string;
  kind: NotificationKind | null;
  actorId: string | null;
  /** Known from the event itself (a like's post author, a followee); otherwise derived. */
  recipientId: string | null;
  /** A reply notifies the parent comment's author. */
  parentCommentId: string | null;
  /** A mention notifies the user with this username. */
  mentionedUsername: string | null;
  postId: string | null;
  /** The comment that produced it (a comment, a reply, a mention in a comment). */
  commentId: string | null;
  occurredAt: string | null;
  active: boolean;
  rev: number;
  /**
   * A caption mention that an earlier caption of the same batch did not have: it starts anew at
   * its own time, whatever the table holds (the table would take it for one that was kept).
   */
  restarted?: true;
}

/** An account's lifecycle as notifications need it (domain/user/user.ts): a deleting one is hidden, an erased one gone. */
export type AccountState = 'active' | 'deleting' | 'erased';

export interface UserFacts {
  id: string;
  username: string | null;
  registeredAt: string | null;
  displayName: { value: string; rev: number } | null;
  /** The latest lifecycle event of the batch (null: the batch said nothing of it). */
  state: { value: AccountState; rev: number } | null;
}

export interface BatchFacts {
  users: Map<string, UserFacts>;
  posts: Map<string, { id: string; authorId: string | null; deleted: boolean }>;
  comments: Map<string, { id: string; postId: string | null; authorId: string | null; deleted: boolean }>;
  blocks: Map<string, { blockerId: string; blockedId: string; active: boolean; rev: number }>;
  sources: Map<string, SourceRow>;
  /** Posts whose caption (so mention set) was replaced: mention rows older than `rev` end. */
  captions: Map<string, { rev: number; mentions: Map<string, string> }>;
  /** Read marks: (user, group or NIL for all) -> the latest upTo. */
  reads: Map<string, { userId: string; groupId: string; upTo: string }>;
}

export const ALL_GROUPS = '00000000-0000-0000-0000-000000000000';

const emptyFacts = (): BatchFacts => ({
  users: new Map(),
  posts: new Map(),
  comments: new Map(),
  blocks: new Map(),
  sources: new Map(),
  captions: new Map(),
  reads: new Map(),
});

export const sourceIds = {
  like: (postId: string, userId: string) => `like:${postId}:${userId}`,
  share: (storyId: string) => `share:${storyId}`,
  tag: (postId: string, userId: string) => `tag:${postId}:${userId}`,
  follow: (followerId: string, followeeId: string) => `follow:${followerId}:${followeeId}`,
  comment: (commentId: string) => `comment:${commentId}`,
  postMention: (postId: string, username: string) => `mention:post:${postId}:${username}`,
  commentMention: (commentId: string, username: string) => `mention:comment:${commentId}:${username}`,
};

const source = (sourceId: string, rev: number, fields: Partial<SourceRow>): SourceRow => ({
  sourceId,
  kind: null,
  actorId: null,
  recipientId: null,
  parentCommentId: null,
  mentionedUsername: null,
  postId: null,
  commentId: null,
  occurredAt: null,
  active: true,
  rev,
  ...fields,
});

/** A caption's mentions; one already mentioned by the previous caption in this batch keeps its time. */
const captionMentions = (facts: BatchFacts, postId: string, authorId: string, mentions: readonly string[], at: string, rev: number) => {
  // After a first caption in this batch, the batch knows every mention the previous caption had.
  const known = facts.captions.has(postId);
  const previous = facts.captions.get(postId)?.mentions ?? new Map<string, string>();
  for (const username of previous.keys()) facts.sources.delete(sourceIds.postMention(postId, username));
  const current = new Map([...new Set(mentions)].map((username) => [username, previous.get(username) ?? at]));
  facts.captions.set(postId, { rev, mentions: current });
  for (const [username, occurredAt] of current) {
    const id = sourceIds.postMention(postId, username);
    const restarted = known && !previous.has(username) ? { restarted: true as const } : {};
    facts.sources.set(id, source(id, rev, { kind: 'mention', actorId: authorId, mentionedUsername: username, postId, occurredAt, ...restarted }));
  }
};

const userFacts = (facts: BatchFacts, userId: string): UserFacts =>
  facts.users.get(userId) ?? { id: userId, username: null, registeredAt: null, displayName: null, state: null };

const followState = (facts: BatchFacts, event: RecordedEvent, followerId: string, followeeId: string, kind: NotificationKind | null, at: string | null) => {
  const id = sourceIds.follow(followerId, followeeId);
  const fields = kind ? { kind, actorId: followerId, recipientId: followeeId, occurredAt: at } : { active: false };
  facts.sources.set(id, source(id, event.streamRevision, fields));
};

const apply = (facts: BatchFacts, event: NotificationEvent & RecordedEvent): void => {
  const rev = event.streamRevision;
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, username, displayName, registeredAt } = event.data;
      facts.users.set(userId, { ...userFacts(facts, userId), username, registeredAt, displayName: { value: displayName, rev } });
      return;
    }
    case 'ProfileUpdated': {
      const { userId, displayName } = event.data;
      if (displayName === undefined) return;
      facts.users.set(userId, { ...userFacts(facts, userId), displayName: { value: displayName, rev } });
      return;
    }
    case 'AccountDeletionRequested':
    case 'AccountRestored':
    case 'AccountErased': {
      const value = event.type === 'AccountDeletionRequested' ? 'deleting' : event.type === 'AccountRestored' ? 'active' : 'erased';
      facts.users.set(event.data.userId, { ...userFacts(facts, event.data.userId), state: { value, rev } });
      return;
    }
    case 'PostCreated':
      facts.posts.set(event.data.postId, { id: event.data.postId, authorId: event.data.authorId, deleted: facts.posts.get(event.data.postId)?.deleted ?? false });
      captionMentions(facts, event.data.postId, event.data.authorId, event.data.mentions, event.data.createdAt, rev);
      // Each person tagged on the post is notified once, however many of its items tag them (a
      // self-tag notifies no one: the derivation never notifies an actor of their own act).
      for (const userId of new Set(event.data.media.flatMap((item) => item.tags?.map((tag) => tag.userId) ?? []))) {
        const id = sourceIds.tag(event.data.postId, userId);
        facts.sources.set(id, source(id, rev, { kind: 'tagged', actorId: event.data.authorId, recipientId: userId, postId: event.data.postId, occurredAt: event.data.createdAt }));
      }
      return;
    // A tag taken off takes its notification away, read or not: it would point at a tag that is gone.
    case 'TagRemoved': {
      const id = sourceIds.tag(event.data.postId, event.data.userId);
      facts.sources.set(id, source(id, rev, { active: false }));
      return;
    }
    case 'CaptionEdited':
      captionMentions(facts, event.data.postId, event.data.authorId, event.data.mentions, event.data.editedAt, rev);
      return;
    case 'PostDeleted':
      facts.posts.set(event.data.postId, { id: event.data.postId, authorId: event.data.authorId, deleted: true });
      return;
    case 'Liked': {
      const { postId, userId, postAuthorId, likedAt } = event.data;
      const id = sourceIds.like(postId, userId);
      facts.sources.set(id, source(id, rev, { kind: 'like', actorId: userId, recipientId: postAuthorId, postId, occurredAt: likedAt }));
      return;
    }
    case 'Unliked': {
      const id = sourceIds.like(event.data.postId, event.data.userId);
      facts.sources.set(id, source(id, rev, { active: false }));
      return;
    }
    case 'CommentAdded': {
      const { commentId, postId, authorId, postAuthorId, parentCommentId, mentions, createdAt } = event.data;
      facts.comments.set(commentId, { id: commentId, postId, authorId, deleted: facts.comments.get(commentId)?.deleted ?? false });
      const common = { actorId: authorId, postId, commentId, occurredAt: createdAt };
      const own = parentCommentId === null ? { kind: 'comment' as const, recipientId: postAuthorId } : { kind: 'reply' as const, parentCommentId };
      facts.sources.set(sourceIds.comment(commentId), source(sourceIds.comment(commentId), rev, { ...common, ...own }));
      for (const username of new Set(mentions)) {
        const id = sourceIds.commentMention(commentId, username);
        facts.sources.set(id, source(id, rev, { ...common, kind: 'mention', mentionedUsername: username }));
      }
      return;
    }
    case 'CommentDeleted':
      // Keep the author an earlier CommentAdded of this batch recorded (the table merges the same way).
      facts.comments.set(event.data.commentId, {
        id: event.data.commentId,
        postId: event.data.postId,
        authorId: facts.comments.get(event.data.commentId)?.authorId ?? null,
        deleted: true,
      });
      return;
    case 'FollowRequested':
      followState(facts, event, event.data.followerId, event.data.followeeId, 'follow_request', event.data.requestedAt);
      return;
    case 'FollowRequestApproved':
      followState(facts, event, event.data.followerId, event.data.followeeId, 'follow', event.data.approvedAt);
      return;
    case 'Followed':
      followState(facts, event, event.data.followerId, event.data.followeeId, 'follow', event.data.followedAt);
      return;
    case 'FollowRequestRejected':
    case 'FollowRequestCancelled':
    case 'Unfollowed':
      followState(facts, event, event.data.followerId, event.data.followeeId, null, null);
      return;
    case 'Blocked':
    case 'Unblocked': {
      const { blockerId, blockedId } = event.data;
      facts.blocks.set(`${blockerId}:${blockedId}`, { blockerId, blockedId, active: event.type === 'Blocked', rev });
      return;
    }
    // A share notifies the post's author, grouped per post as likes are; an ordinary story notifies
    // no one. It stays once made, as the share count does (whatever becomes of the story).
    case 'StoryPosted': {
      const { storyId, authorId, postedAt, sharedPost } = event.data;
      if (!sharedPost) return;
      const id = sourceIds.share(storyId);
      facts.sources.set(id, source(id, rev, { kind: 'share', actorId: authorId, recipientId: sharedPost.authorId, postId: sharedPost.postId, occurredAt: postedAt }));
      return;
    }
    case 'NotificationsRead': {
      const { userId, upTo, ids } = event.data;
      for (const groupId of ids ?? [ALL_GROUPS]) {
        const key = `${userId}:${groupId}`;
        const seen = facts.reads.get(key);
        if (!seen || Date.parse(upTo) > Date.parse(seen.upTo)) facts.reads.set(key, { userId, groupId, upTo });
      }
      return;
    }
    default:
      return everyTypeHandled(event);
  }
};

export const foldNotificationFacts = (events: readonly RecordedEvent[]): BatchFacts => {
  const facts = emptyFacts();
  for (const event of events) apply(facts, event as NotificationEvent & RecordedEvent);
  return facts;
};
