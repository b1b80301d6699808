import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { hashtagParam } from '../../kernel/hashtag-param.js';
import type { ReadDeps } from '../deps.js';

// Hashtag follows, read side (docs/rules.md "Hashtag follows"): a tag as the viewer stands to it,
// and the tags the viewer follows. Both read the profiles read model's hashtag_follows; the home
// feed's `via` marks come from the feed read model (projections/feed/feed-reader.ts).

const hashtag = z.object({ tag: z.string(), following: z.boolean().describe('Whether the viewer follows the tag (its public posts join their home feed)') });
const followedHashtags = z.object({
  items: z.array(z.object({ tag: z.string(), followedAt: z.string() })).describe('Newest follow first; all of them (at most twice HASHTAG_FOLLOWS_MAX, the cap plus what the lag may let past it)'),
});

export const hashtagRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/hashtags/:tag', {
    config: { reads: ['profiles'] },
    schema: { params: hashtagParam, response: { 200: hashtag } },
    handler: async (request) => {
      const { tag } = request.params;
      return { tag, following: await deps.profiles.followsHashtag(actorOf(request), tag) };
    },
  });

  app.get('/users/me/hashtags', {
    config: { reads: ['profiles'] },
    schema: { response: { 200: followedHashtags } },
    handler: async (request) => ({ items: await deps.profiles.followedHashtags(actorOf(request)) }),
  });
};
