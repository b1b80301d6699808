import type pg from 'pg';
import type { Page, PageRequest } from '../runtime/page.js';
import { affinityOf } from './affinity.js';
import * as cards from './reader-cards.js';
import type { PairFacts, PostCardFacts, UserCardFacts } from './reader-cards.js';
import * as collections from './reader-collections.js';
import * as comments from './reader-comments.js';
import * as hashtagFollows from './reader-hashtag-follows.js';
import type { FollowedHashtag } from './reader-hashtag-follows.js';
import * as posts from './reader-posts.js';
import { pullFeed, type PullFeedKey } from './reader-pull-feed.js';
import type {
  CollectionSummary,
  CollectionView,
  CommentView,
  ContentAccess,
  FollowRequest,
  HydratedPost,
  RankedSummary,
  Relationship,
  UserProfile,
  UserSummary,
} from './reader-types.js';
import * as suggestions from './reader-suggestions.js';
import type { MutualFollowers, SuggestedUser } from './reader-suggestions.js';
import * as users from './reader-users.js';

export type * from './reader-types.js';
export type { PairFacts, PostCardFacts, UserCardFacts } from './reader-cards.js';
export type { MutualFollowers, SuggestedUser } from './reader-suggestions.js';

// The read side of the profiles read model, for the query routes. It reports facts as the model
// holds them; enforcing who may see what (canSee, visibleAuthors) is the routes' job.
export interface ProfilesReader {
  userByUsername(username: string): Promise<UserProfile | null>;
  /** userByUsername(), canSee() and relationship() for the viewer, in one query (the profile page). */
  profileFor(viewerId: string, username: string): Promise<{ user: UserProfile; access: ContentAccess; relationship: Relationship } | null>;
  userSummaries(ids: readonly string[]): Promise<Map<string, UserSummary>>;
  relationship(viewerId: string, otherId: string): Promise<Relationship>;
  /** Newest follow first. */
  followers(userId: string, page: PageRequest): Promise<Page<UserSummary>>;
  following(userId: string, page: PageRequest): Promise<Page<UserSummary>>;
  followingIds(viewerId: string, options?: { withoutMuted?: boolean }): Promise<string[]>;
  /** Accounts `followerId` follows or asked to follow, counted up to `upTo` (the following cap). */
  followingCount(followerId: string, upTo: number): Promise<number>;
  /** The accounts `userId` blocks now, newest block first. */
  blockedBy(userId: string, page: PageRequest): Promise<Page<UserSummary>>;
  /** The accounts `userId` mutes now, newest mute first. */
  mutedBy(userId: string, page: PageRequest): Promise<Page<UserSummary>>;
  /** Pending requests to follow `ownerId`, newest first. */
  followRequests(ownerId: string, page: PageRequest): Promise<Page<FollowRequest>>;
  /** In the order of `ids`, skipping deleted and unknown posts and those of unlisted authors (but the viewer's own); one query. */
  posts(ids: readonly string[], viewerId: string | null): Promise<HydratedPost[]>;
  /** posts() of one post with canSee() of its author for the viewer, in one query (the post page). */
  postFor(postId: string, viewerId: string): Promise<{ post: HydratedPost; access: ContentAccess } | null>;
  /** posts(), keeping only those whose author the viewer may see (canSee = 'allowed'); one query. */
  visiblePosts(ids: readonly string[], viewerId: string): Promise<HydratedPost[]>;
  /** The home feed by pull (the fallback while Redis cannot answer): followed and own posts, visible, newest first, after `after`; one query. */
  pullFeed(viewerId: string, after: PullFeedKey | null, limit: number): Promise<HydratedPost[]>;
  /** Newest first. */
  userPosts(authorId: string, viewerId: string | null, page: PageRequest): Promise<Page<HydratedPost>>;
  /** The live posts `userId` is tagged in whose author the viewer may see, newest first. */
  taggedPosts(userId: string, viewerId: string | null, page: PageRequest): Promise<Page<HydratedPost>>;
  /** Oldest first; `parentId` null for the top level. Comments of unlisted authors only to themselves (`viewerId`). */
  comments(postId: string, thread: { parentId: string | null }, page: PageRequest, viewerId?: string | null): Promise<Page<CommentView>>;
  /** Who liked the post, newest like first. */
  likes(postId: string, page: PageRequest): Promise<Page<UserSummary>>;
  /** Newest bookmark first. */
  bookmarks(userId: string, page: PageRequest): Promise<Page<HydratedPost>>;
  /** The owner's live collections, newest first (reader-collections.ts: only the owner's ids match). */
  collections(ownerId: string, page: PageRequest): Promise<Page<CollectionSummary>>;
  /** The owner's live collection, or null for none, a deleted one or another's. */
  collection(ownerId: string, collectionId: string): Promise<CollectionView | null>;
  /** The posts the owner sees in the collection, newest added first. */
  collectionPosts(ownerId: string, collectionId: string, page: PageRequest): Promise<Page<HydratedPost>>;
  /** The owner's live collections, counted up to `upTo` (the collections cap). */
  collectionCount(ownerId: string, upTo: number): Promise<number>;
  /** The tags the user follows, newest follow first (reader-hashtag-follows.ts; bounded). */
  followedHashtags(userId: string): Promise<FollowedHashtag[]>;
  followsHashtag(userId: string, tag: string): Promise<boolean>;
  /** The tags the user follows, counted up to `upTo` (the followed hashtags cap). */
  hashtagFollowCount(userId: string, upTo: number): Promise<number>;
  canSee(viewerId: string, authorId: string): Promise<ContentAccess>;
  /** The authors among `authorIds` whose content the viewer may see, in one query. */
  visibleAuthors(viewerId: string, authorIds: readonly string[]): Promise<Set<string>>;
  /** The users among `userIds` with no block either way with the viewer (for user search). */
  unblockedAmong(viewerId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** unblockedAmong() with the users' summaries and standing (verified, followers), in one query (user search). */
  unblockedSummaries(viewerId: string, userIds: readonly string[]): Promise<Map<string, RankedSummary>>;
  /** The card cache's loads (read-api/card-cache.ts), one query each: live posts by id (null: none). */
  postCards(ids: readonly string[]): Promise<Map<string, PostCardFacts | null>>;
  /** Registered users by id (null: none), with whether they are listed. */
  userCards(ids: readonly string[]): Promise<Map<string, UserCardFacts | null>>;
  userCardByUsername(username: string): Promise<UserCardFacts | null>;
  /** Follows, request and blocks between the viewer and each of `otherIds`. */
  pairFacts(viewerId: string, otherIds: readonly string[]): Promise<Map<string, PairFacts>>;
  /** Friends of friends the viewer may follow, most mutual first (reader-suggestions.ts); up to `limit`, at most SUGGESTIONS_MAX. */
  suggestedUsers(viewerId: string, limit: number): Promise<SuggestedUser[]>;
  /** The accounts the viewer follows that follow `userId` (a profile's "followed by"). */
  mutualFollowers(viewerId: string, userId: string): Promise<MutualFollowers>;
  /** The viewer's likes and bookmarks among `postIds` (read-api/viewer-marks.ts). */
  viewerMarks(viewerId: string, postIds: readonly string[]): Promise<Map<string, { liked: boolean; bookmarked: boolean }>>;
  /** The viewer's affinity with each of `authorIds` at `now` (the ranked home feed, affinity.ts); authors with none are absent. One query. */
  affinity(viewerId: string, authorIds: readonly string[], now: Date): Promise<Map<string, number>>;
}

export const createProfilesReader = (pool: pg.Pool): ProfilesReader => ({
  userByUsername: (username) => users.userByUsername(pool, username),
  profileFor: (viewerId, username) => users.profileFor(pool, viewerId, username),
  userSummaries: (ids) => users.userSummaries(pool, ids),
  relationship: (viewerId, otherId) => users.relationship(pool, viewerId, otherId),
  followers: (userId, page) => users.followers(pool, userId, page),
  following: (userId, page) => users.following(pool, userId, page),
  followingIds: (viewerId, options) => users.followingIds(pool, viewerId, options),
  followingCount: (followerId, upTo) => users.followingCount(pool, followerId, upTo),
  blockedBy: (userId, page) => users.blockedBy(pool, userId, page),
  mutedBy: (userId, page) => users.mutedBy(pool, userId, page),
  followRequests: (ownerId, page) => users.followRequests(pool, ownerId, page),
  posts: (ids, viewerId) => posts.posts(pool, ids, viewerId),
  postFor: (postId, viewerId) => posts.postFor(pool, postId, viewerId),
  visiblePosts: (ids, viewerId) => posts.visiblePosts(pool, ids, viewerId),
  pullFeed: (viewerId, after, limit) => pullFeed(pool, viewerId, after, limit),
  userPosts: (authorId, viewerId, page) => posts.userPosts(pool, authorId, viewerId, page),
  taggedPosts: (userId, viewerId, page) => posts.taggedPosts(pool, userId, viewerId, page),
  comments: (postId, thread, page, viewerId) => comments.comments(pool, postId, thread, page, viewerId ?? null),
  likes: (postId, page) => posts.likes(pool, postId, page),
  bookmarks: (userId, page) => posts.bookmarks(pool, userId, page),
  collections: (ownerId, page) => collections.collections(pool, ownerId, page),
  collection: (ownerId, collectionId) => collections.collection(pool, ownerId, collectionId),
  collectionPosts: (ownerId, collectionId, page) => collections.collectionPosts(pool, ownerId, collectionId, page),
  collectionCount: (ownerId, upTo) => collections.collectionCount(pool, ownerId, upTo),
  followedHashtags: (userId) => hashtagFollows.followedHashtags(pool, userId),
  followsHashtag: (userId, tag) => hashtagFollows.followsHashtag(pool, userId, tag),
  hashtagFollowCount: (userId, upTo) => hashtagFollows.hashtagFollowCount(pool, userId, upTo),
  canSee: (viewerId, authorId) => users.canSee(pool, viewerId, authorId),
  visibleAuthors: (viewerId, authorIds) => users.visibleAuthors(pool, viewerId, authorIds),
  unblockedAmong: (viewerId, userIds) => users.unblockedAmong(pool, viewerId, userIds),
  unblockedSummaries: (viewerId, userIds) => users.unblockedSummaries(pool, viewerId, userIds),
  postCards: (ids) => cards.postCards(pool, ids),
  userCards: (ids) => cards.userCards(pool, ids),
  userCardByUsername: (username) => cards.userCardByUsername(pool, username),
  pairFacts: (viewerId, otherIds) => cards.pairFacts(pool, viewerId, otherIds),
  viewerMarks: (viewerId, postIds) => cards.viewerMarks(pool, viewerId, postIds),
  affinity: (viewerId, authorIds, now) => affinityOf(pool, viewerId, authorIds, now),
  suggestedUsers: (viewerId, limit) => suggestions.suggestedUsers(pool, viewerId, limit),
  mutualFollowers: (viewerId, userId) => suggestions.mutualFollowers(pool, viewerId, userId),
});
