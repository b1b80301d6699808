import type { RecordedEvent } from '../../events/index.js';
import type { ChangeEvent } from '../runtime/batch-changes.js';
import { everyTypeHandled } from '../runtime/projection.js';

// What an applied event changes in the cards the API keeps in process (read-api/card-cache.ts):
// the one map from an event of the profiles projection to the post cards, user cards (profile,
// author summary, counts) and viewer-author pair facts (follows, requests, blocks, mutes) it may leave
// stale. The profiles projector publishes it after each committed live batch (card-bus.ts), and
// every API process evicts what it names. Over-naming costs a reload; under-naming serves a
// stale card until CARD_TTL_MS, so each case names everything its fold (runtime/batch-changes.ts)
// and the count deltas (runtime/count-deltas.ts) write.

export interface CardTouches {
  posts: string[];
  users: string[];
  /** Unordered: a pair's facts are kept both ways (following one way is followedBy the other). */
  pairs: [string, string][];
}

const none = (): CardTouches => ({ posts: [], users: [], pairs: [] });

/** What one event of the profiles projection touches. */
export const touchedBy = (event: ChangeEvent): CardTouches => {
  const touches = none();
  switch (event.type) {
    case 'UserRegistered':
    case 'ProfileUpdated':
    case 'PrivacyChanged':
    case 'AvatarChanged':
    case 'VerifiedChanged':
    case 'AccountDeletionRequested':
    case 'AccountRestored':
    case 'AccountErased':
      touches.users.push(event.data.userId);
      return touches;
    // A follow's status is a pair fact, and moves both users' follower and following counts.
    case 'FollowRequested':
    case 'FollowRequestApproved':
    case 'FollowRequestRejected':
    case 'FollowRequestCancelled':
    case 'Unfollowed':
    case 'Followed':
      touches.users.push(event.data.followerId, event.data.followeeId);
      touches.pairs.push([event.data.followerId, event.data.followeeId]);
      return touches;
    case 'Blocked':
    case 'Unblocked':
      touches.pairs.push([event.data.blockerId, event.data.blockedId]);
      return touches;
    // Whether the viewer mutes the author is a pair fact (the home feed's filter, the profile's relationship).
    case 'Muted':
    case 'Unmuted':
      touches.pairs.push([event.data.muterId, event.data.mutedId]);
      return touches;
    // No card holds a followed tag: the feed's via marks read the profiles read model per page.
    case 'HashtagFollowed':
    case 'HashtagUnfollowed':
      return touches;
    // The author's post count moves with creation and deletion.
    case 'PostCreated':
    case 'PostDeleted':
      touches.posts.push(event.data.postId);
      touches.users.push(event.data.authorId);
      return touches;
    // A card shows its items' tags (reader-posts.ts tagsShownTo): taking one off changes the post's card.
    case 'TagRemoved':
    case 'CaptionEdited':
    case 'CommentAdded':
    case 'CommentDeleted':
    case 'Liked':
    case 'Unliked':
      touches.posts.push(event.data.postId);
      return touches;
    // Bookmarks are the viewer's marks, which no card holds (read-api/viewer-marks.ts reads them).
    case 'Bookmarked':
    case 'Unbookmarked':
      return touches;
    // A share moves the shared post's share count; an ordinary story touches no card.
    case 'StoryPosted':
      if (event.data.sharedPost) touches.posts.push(event.data.sharedPost.postId);
      return touches;
    // Collections are private to their owner and read from the tables on every request; no card holds them.
    case 'CollectionCreated':
    case 'CollectionRenamed':
    case 'CollectionDeleted':
    case 'PostAddedToCollection':
    case 'PostRemovedFromCollection':
      return touches;
    default:
      everyTypeHandled(event);
      return touches;
  }
};

/** What a batch touches, each id once. */
export const touchesOf = (events: readonly RecordedEvent[]): CardTouches => {
  const posts = new Set<string>();
  const users = new Set<string>();
  const pairs = new Map<string, [string, string]>();
  for (const event of events as readonly ChangeEvent[]) {
    const touched = touchedBy(event);
    for (const id of touched.posts) posts.add(id);
    for (const id of touched.users) users.add(id);
    for (const [a, b] of touched.pairs) pairs.set(a < b ? `${a}|${b}` : `${b}|${a}`, [a, b]);
  }
  return { posts: [...posts], users: [...users], pairs: [...pairs.values()] };
};

export const isEmptyTouch = (touches: CardTouches): boolean => touches.posts.length + touches.users.length + touches.pairs.length === 0;
