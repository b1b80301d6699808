import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../commands/deps.js';
import { followHashtag, unfollowHashtag } from '../../../commands/graph/hashtag-follow.js';
import { streams } from '../../../events/streams.js';
import { HASHTAG_FOLLOWS_MAX } from '../../../kernel/limits.js';
import { commandDeps, ctx, givenUser, typesIn } from '../../support/command-fixtures.js';

// The followed hashtags cap (kernel/limits.ts HASHTAG_FOLLOWS_MAX; decided in
// domain/hashtag-follow/hashtag-follow.ts, the count asked of the CommandDeps port by
// commands/graph/hashtag-follow.ts): a follow past it is 422 HASHTAG_FOLLOWS_LIMIT_REACHED and
// appends nothing; a repeat of a standing follow is not a new one; an unfollow is never refused.

const ann = '0190a000-0000-7000-8000-000000000001';

describe('the followed hashtags cap in the handler', () => {
  let deps: CommandDeps;
  const asked: [string, number][] = [];
  let counted = 0;
  beforeEach(async () => {
    asked.length = 0;
    deps = { ...commandDeps(), hashtagFollowCount: async (userId, upTo) => (asked.push([userId, upTo]), counted) };
    await givenUser(deps.store, { userId: ann, username: 'ann' });
  });

  it('asks the count of the user, bounded by the cap, and follows under it', async () => {
    counted = HASHTAG_FOLLOWS_MAX - 1;
    expect((await followHashtag(deps, { userId: ann, tag: 'cats' }, ctx)).following).toBe(true);
    expect(asked).toEqual([[ann, HASHTAG_FOLLOWS_MAX]]);
    expect(await typesIn(deps.store, streams.hashtagFollow(ann, 'cats'))).toEqual(['HashtagFollowed']);
  });

  it('refuses one more tag at the cap, appending nothing; a repeat and an unfollow still answer', async () => {
    await followHashtag(deps, { userId: ann, tag: 'cats' }, ctx);
    counted = HASHTAG_FOLLOWS_MAX;
    await expect(followHashtag(deps, { userId: ann, tag: 'dogs' }, ctx)).rejects.toMatchObject({ status: 422, code: 'HASHTAG_FOLLOWS_LIMIT_REACHED' });
    expect(await typesIn(deps.store, streams.hashtagFollow(ann, 'dogs'))).toEqual([]);
    expect((await followHashtag(deps, { userId: ann, tag: 'cats' }, ctx)).following).toBe(true);
    expect((await unfollowHashtag(deps, { userId: ann, tag: 'cats' }, ctx)).following).toBe(false);
    expect(await typesIn(deps.store, streams.hashtagFollow(ann, 'cats'))).toEqual(['HashtagFollowed', 'HashtagUnfollowed']);
  });
});
