import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandDeps } from '../deps.js';
import { block, unblock } from '../graph/block.js';
import { follow, unfollow } from '../graph/follow.js';
import { answerFollowRequest } from '../graph/follow-requests.js';
import { followHashtag, unfollowHashtag } from '../graph/hashtag-follow.js';
import { mute, unmute } from '../graph/mute.js';
import { routesActingOn } from './acting-on.js';
import { hashtagParam } from '../../kernel/hashtag-param.js';
import { position, usernameParam } from './schemas.js';

const followResponse = { 200: z.object({ status: z.enum(['none', 'requested', 'following']), position }) };
const positionResponse = { 200: z.object({ position }) };
/** Whether the caller mutes the account now, as a bookmark answers `bookmarked`. */
const muteResponse = { 200: z.object({ muted: z.boolean(), position }) };
/** Whether the caller follows the hashtag now, and the tag as normalised. */
const hashtagFollowResponse = { 200: z.object({ tag: z.string(), following: z.boolean(), position }) };

export const graphRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  const onUser = routesActingOn(app, 'username', usernameParam);

  onUser('POST', '/users/:username/follow', followResponse, (followerId, username, ctx) => follow(deps, { followerId, username }, ctx));
  onUser('DELETE', '/users/:username/follow', followResponse, (followerId, username, ctx) => unfollow(deps, { followerId, username }, ctx));

  onUser('POST', '/follow-requests/:username/approve', positionResponse, (ownerId, requesterUsername, ctx) =>
    answerFollowRequest(deps, { ownerId, requesterUsername, answer: 'approve' }, ctx),
  );
  onUser('POST', '/follow-requests/:username/reject', positionResponse, (ownerId, requesterUsername, ctx) =>
    answerFollowRequest(deps, { ownerId, requesterUsername, answer: 'reject' }, ctx),
  );

  onUser('POST', '/users/:username/block', positionResponse, (blockerId, username, ctx) => block(deps, { blockerId, username }, ctx));
  onUser('DELETE', '/users/:username/block', positionResponse, (blockerId, username, ctx) => unblock(deps, { blockerId, username }, ctx));

  // Both ways in `write`: an unmute destroys nothing, so it is not held to the `delete` class's budget.
  onUser('POST', '/users/:username/mute', muteResponse, (muterId, username, ctx) => mute(deps, { muterId, username }, ctx));
  onUser('DELETE', '/users/:username/mute', muteResponse, (muterId, username, ctx) => unmute(deps, { muterId, username }, ctx), 'write');

  // Both ways in `write`, as mutes: an unfollow of a tag destroys nothing of anyone's.
  const onHashtag = routesActingOn(app, 'tag', hashtagParam);
  onHashtag('POST', '/hashtags/:tag/follow', hashtagFollowResponse, async (userId, tag, ctx) => ({ tag, ...(await followHashtag(deps, { userId, tag }, ctx)) }));
  onHashtag('DELETE', '/hashtags/:tag/follow', hashtagFollowResponse, async (userId, tag, ctx) => ({ tag, ...(await unfollowHashtag(deps, { userId, tag }, ctx)) }), 'write');
};
