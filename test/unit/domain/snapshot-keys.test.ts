import { describe, expect, it } from 'vitest';
import { blockDecider } from '../../../domain/block/block.js';
import { bookmarkDecider } from '../../../domain/bookmark/bookmark.js';
import { collectionDecider } from '../../../domain/collection/collection.js';
import { commentDecider } from '../../../domain/comment/comment.js';
import { followDecider } from '../../../domain/follow/follow.js';
import { hashtagFollowDecider } from '../../../domain/hashtag-follow/hashtag-follow.js';
import { likeDecider } from '../../../domain/like/like.js';
import { mediaDecider } from '../../../domain/media/media.js';
import { muteDecider } from '../../../domain/mute/mute.js';
import { notificationsDecider } from '../../../domain/notifications/notifications.js';
import { postDecider } from '../../../domain/post/post.js';
import { storyViewDecider } from '../../../domain/story-view/story-view.js';
import { storyDecider } from '../../../domain/story/story.js';
import { userDecider } from '../../../domain/user/user.js';
import { usernameDecider } from '../../../domain/username/username.js';

// Which aggregates declare a snapshot key (domain/decider.ts SnapshotPolicy): every one whose
// stream can grow without bound, each with a key of its own. Comments, stories and story views
// are not snapshotted: their deciders append at most three events to a stream (created, then
// deleted or expired, then deleted), so folding one costs no more than reading a snapshot.

const growing = { block: blockDecider, bookmark: bookmarkDecider, collection: collectionDecider, follow: followDecider, hashtagFollow: hashtagFollowDecider, like: likeDecider, media: mediaDecider, mute: muteDecider, notifications: notificationsDecider, post: postDecider, user: userDecider, username: usernameDecider };
const bounded = { comment: commentDecider, story: storyDecider, storyView: storyViewDecider };

describe('snapshot keys', () => {
  it('are declared by every aggregate whose stream can grow, named after it and versioned', () => {
    for (const [name, decider] of Object.entries(growing)) expect(decider.snapshot?.key, name).toMatch(new RegExp(`^${name}\\.v\\d+$`));
  });

  it('are distinct', () => {
    const keys = Object.values(growing).map((decider) => decider.snapshot!.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are not declared by the aggregates whose streams stay short', () => {
    for (const [name, decider] of Object.entries(bounded)) expect(decider.snapshot, name).toBeUndefined();
  });
});
