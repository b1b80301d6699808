import { hashtagFollowDecider, type HashtagFollowCommand } from '../../domain/hashtag-follow/hashtag-follow.js';
import { streams, type Position } from '../../events/index.js';
import { HASHTAG_FOLLOWS_MAX } from '../../kernel/limits.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';

/** Who follows (or unfollows) which tag, as the route normalised it (kernel/hashtags.ts normalizeHashtag). */
export interface HashtagFollowInput {
  userId: string;
  tag: string;
}

/** One command on the hashtagfollow-{userId}-{tag} stream, answered with whether the tag is followed now. */
const onHashtagFollowStream = async (deps: CommandDeps, { userId, tag }: HashtagFollowInput, command: BuildCommand<HashtagFollowCommand>, ctx: CommandContext) => {
  const { state, position } = await handleCommand({ store: deps.store, stream: streams.hashtagFollow(userId, tag), decider: hashtagFollowDecider, command, ctx });
  return { following: state.following, position };
};

/**
 * The cap (kernel/limits.ts HASHTAG_FOLLOWS_MAX) is counted from the profiles read model, as the
 * following cap is: a fact across every hashtagfollow- stream of the user, which no one stream
 * holds. Follows within the projector's lag are not counted yet (docs/rules.md).
 */
export const followHashtag = async (deps: CommandDeps, input: HashtagFollowInput, ctx: CommandContext): Promise<{ following: boolean; position: Position }> => {
  await assertRegisteredActor(deps.store, input.userId);
  return onHashtagFollowStream(
    deps,
    input,
    async () => ({ type: 'FollowHashtag', userId: input.userId, tag: input.tag, followed: { count: await deps.hashtagFollowCount(input.userId, HASHTAG_FOLLOWS_MAX), max: HASHTAG_FOLLOWS_MAX } }),
    ctx,
  );
};

/** Needs no facts: an unfollow only ever takes away. */
export const unfollowHashtag = (deps: CommandDeps, input: HashtagFollowInput, ctx: CommandContext): Promise<{ following: boolean; position: Position }> =>
  onHashtagFollowStream(deps, input, () => ({ type: 'UnfollowHashtag', userId: input.userId, tag: input.tag }), ctx);
