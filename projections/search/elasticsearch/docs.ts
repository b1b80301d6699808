import type { RecordedEvent } from '../../../events/index.js';
import { engagement } from '../explore-score.js';
import { indexedHashtags, searchEventTypes, type SearchEvent } from '../search-store.js';
import { globalPositionOf } from '../../runtime/lag.js';
import { everyTypeHandled } from '../../runtime/projection.js';

/**
 * The EXTERNAL version of a document written from `event`: the event's global log position, which
 * grows along every stream (appends to one stream are serialised), so a re-applied or stale write
 * is a version conflict. For a store whose tokens carry no count, the stream revision serves the
 * same purpose.
 */
const externalVersionOf = (event: RecordedEvent): number => {
  const position = globalPositionOf(event.position);
  return position === undefined ? event.streamRevision : Number(position);
};

// The documents of the Elasticsearch search indexes (indexes.ts) and how a
// batch's events change them: pure functions, the I/O is write.ts.
//
// Every document is fed by ONE stream, and a stream's revision orders its events:
// - users (stream user-{id}) and the like and comment facts (like-{post}-{user}, comment-{id})
//   are written whole with the revision of the last event as an EXTERNAL version, so a write
//   re-applied or arriving late is a version conflict and changes nothing;
// - posts (post-{id}) also carry counts derived from other streams' facts, so their version
//   cannot be the post stream's revision: `rev` is a field instead, and events at or below it are
//   skipped (write.ts explains how the counts stay exact).

export interface UserDoc {
  id: string;
  /** Null until the UserRegistered is applied, and again once erased (a document is never searched without it). */
  username: string | null;
  displayName: string;
  private: boolean;
  /**
   * The deletion lifecycle: only 'active' users are found. An erased user stays as a blank
   * tombstone (no username, no name), so that an older batch applied later cannot bring it back.
   * Documents written before it have none: active.
   */
  state?: 'active' | 'deleting' | 'erased';
}

export interface PostDoc {
  id: string;
  authorId: string | null;
  caption: string;
  hashtags: string[];
  /** ISO time; null until PostCreated is applied (the likes of a post may come first). */
  createdAt: string | null;
  /** Created and not deleted: the only posts any query serves. */
  live: boolean;
  /**
   * The author is public now (an author not indexed yet counts as public, as every account
   * starts): only such posts count in hashtag suggestions. Set from the author's document on every
   * write of the post, and rewritten on the author's posts when their privacy changes (write.ts).
   */
  public: boolean;
  /**
   * The author is not listed now (in their deletion grace, or erased): no query finds the post.
   * Set and swept like `public`; documents written before it have none (queries test `hidden: true`).
   */
  hidden?: boolean;
  deleted: boolean;
  /** The place the post names (set once by PostCreated); absent or null when none. */
  locationId?: string | null;
  locationName?: string | null;
  /** The grid point of the place, when it has one. */
  locationPoint?: { lat: number; lon: number } | null;
  rev: number;
  likeCount: number;
  commentCount: number;
  engagement: number;
}

export interface LikeDoc {
  postId: string;
  userId: string;
  active: boolean;
}

export interface CommentDoc {
  postId: string;
  active: boolean;
}

/** A like or comment as its stream's last event in the batch leaves it; whole, so no read is needed. */
export type FactWrite =
  | { kind: 'likes'; id: string; version: number; doc: LikeDoc }
  | { kind: 'comments'; id: string; version: number; doc: CommentDoc };

type Recorded<E extends SearchEvent> = E & { rev: number };
export type UserEvent = Recorded<
  Extract<SearchEvent, { type: 'UserRegistered' | 'ProfileUpdated' | 'PrivacyChanged' | 'AccountDeletionRequested' | 'AccountRestored' | 'AccountErased' }>
>;
export type PostEvent = Recorded<Extract<SearchEvent, { type: 'PostCreated' | 'CaptionEdited' | 'PostDeleted' }>>;

export interface SearchBatch {
  /** Last write per fact document. */
  facts: FactWrite[];
  /** Each user's events of the batch, in stream order. */
  users: Map<string, UserEvent[]>;
  /** Each post's own events of the batch, in stream order. */
  posts: Map<string, PostEvent[]>;
  /** Posts whose counts the batch's facts may change. */
  countedPosts: Set<string>;
}

const SEARCH_TYPES = new Set<string>(searchEventTypes);

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

export const foldSearchBatch = (events: readonly RecordedEvent[]): SearchBatch => {
  const facts = new Map<string, FactWrite>();
  const users = new Map<string, UserEvent[]>();
  const posts = new Map<string, PostEvent[]>();
  const countedPosts = new Set<string>();
  const fact = (write: FactWrite) => {
    const key = `${write.kind}/${write.id}`;
    if ((facts.get(key)?.version ?? -1) < write.version) facts.set(key, write);
    countedPosts.add(write.doc.postId);
  };
  for (const recorded of events) {
    if (!SEARCH_TYPES.has(recorded.type)) continue;
    const rev = externalVersionOf(recorded);
    const event = { type: recorded.type, data: recorded.data } as SearchEvent;
    switch (event.type) {
      case 'UserRegistered':
      case 'ProfileUpdated':
      case 'PrivacyChanged':
      case 'AccountDeletionRequested':
      case 'AccountRestored':
      case 'AccountErased':
        push(users, event.data.userId, { ...event, rev });
        break;
      case 'PostCreated':
      case 'CaptionEdited':
      case 'PostDeleted':
        push(posts, event.data.postId, { ...event, rev });
        break;
      case 'Liked':
      case 'Unliked': {
        const { postId, userId } = event.data;
        fact({ kind: 'likes', id: `${postId}:${userId}`, version: rev, doc: { postId, userId, active: event.type === 'Liked' } });
        break;
      }
      case 'CommentAdded':
      case 'CommentDeleted': {
        const { commentId, postId } = event.data;
        fact({ kind: 'comments', id: commentId, version: rev, doc: { postId, active: event.type === 'CommentAdded' } });
        break;
      }
      default:
        everyTypeHandled(event);
    }
  }
  return { facts: [...facts.values()], users, posts, countedPosts };
};

export const emptyUser = (id: string): UserDoc => ({ id, username: null, displayName: '', private: false, state: 'active' });

/** The user after `events` (all newer than the stored document's version). */
export const applyUserEvents = (doc: UserDoc, events: readonly UserEvent[]): UserDoc =>
  events.reduce<UserDoc>((user, event) => {
    switch (event.type) {
      case 'UserRegistered':
        return { ...user, username: event.data.username, displayName: event.data.displayName };
      case 'ProfileUpdated':
        return event.data.displayName === undefined ? user : { ...user, displayName: event.data.displayName };
      case 'PrivacyChanged':
        return { ...user, private: event.data.private };
      case 'AccountDeletionRequested':
        return { ...user, state: 'deleting' };
      case 'AccountRestored':
        return { ...user, state: 'active' };
      // The last event of the stream: the document is blanked, never written from the user's events again.
      case 'AccountErased':
        return { ...emptyUser(user.id), state: 'erased' };
    }
  }, doc);

/** An author's facts that a post document carries: privacy and listing, from the author's document. */
export interface AuthorFacts {
  public: boolean;
  listed: boolean;
}

/** The facts of an author not indexed yet: public and listed, as every account starts. */
export const NEW_AUTHOR: AuthorFacts = { public: true, listed: true };

export const emptyPost = (id: string): PostDoc => ({
  id,
  authorId: null,
  caption: '',
  hashtags: [],
  createdAt: null,
  live: false,
  public: true,
  hidden: false,
  deleted: false,
  rev: -1,
  likeCount: 0,
  commentCount: 0,
  engagement: 0,
});

/**
 * The post after its stream's events above `doc.rev` (older ones were applied already), with
 * `counts` and whether its author is public and listed now (`author`, from the author's document).
 */
export const applyPostEvents = (
  doc: PostDoc,
  events: readonly PostEvent[],
  counts: { likes: number; comments: number },
  author: (authorId: string | null) => AuthorFacts,
): PostDoc => {
  const post = events
    .filter((event) => event.rev > doc.rev)
    .reduce<PostDoc>((p, event) => {
      switch (event.type) {
        case 'PostCreated': {
          const { authorId, caption, hashtags, createdAt, location } = event.data;
          const place = location
            ? { locationId: location.id, locationName: location.name, locationPoint: location.lat !== undefined && location.lon !== undefined ? { lat: location.lat, lon: location.lon } : null }
            : {};
          return { ...p, authorId, caption, hashtags: indexedHashtags(hashtags), createdAt, ...place, rev: event.rev };
        }
        case 'CaptionEdited':
          return { ...p, caption: event.data.caption, hashtags: indexedHashtags(event.data.hashtags), rev: event.rev };
        case 'PostDeleted':
          return { ...p, deleted: true, rev: event.rev };
      }
    }, doc);
  return {
    ...post,
    live: post.createdAt !== null && !post.deleted,
    public: author(post.authorId).public,
    hidden: !author(post.authorId).listed,
    likeCount: counts.likes,
    commentCount: counts.comments,
    engagement: engagement(counts),
  };
};

/** True when writing `next` over `stored` would change nothing (the write is skipped). */
export const samePost = (stored: PostDoc, next: PostDoc): boolean =>
  stored.rev === next.rev &&
  stored.live === next.live &&
  stored.public === next.public &&
  (stored.hidden ?? false) === (next.hidden ?? false) &&
  stored.likeCount === next.likeCount &&
  stored.commentCount === next.commentCount &&
  stored.engagement === next.engagement;
