import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../kernel/actor.js';
import { assertCanSeeContent, onlyVisible, visibleUser } from '../access.js';
import { degradedTo, homeFeedByPull, DEGRADED_HEADER } from '../degraded.js';
import type { ReadDeps } from '../deps.js';
import { postPageBody, sendJson, sendJsonBytes } from '../card-cache.js';
import { presentPosts } from '../present.js';
import { publicPostsPage } from '../public-posts.js';
import { isRankedCursor, rankedHomePage } from '../ranked-feed.js';
import { homeFeedQuery, hydratedPost, page, pageQuery, usernameParam } from '../schemas.js';

// The three feeds: the caller's home feed, one user's posts, and explore (public posts by score).
export const feedRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/feed/home', {
    config: { reads: ['feed', 'profiles'] },
    schema: {
      querystring: homeFeedQuery,
      response: {
        200: page(hydratedPost).describe(
          `The home feed; with ${DEGRADED_HEADER}: feed, by pull from PostgreSQL while Redis cannot answer (same cursor; chronological, also for order=ranked, from the top for a ranked cursor)`,
        ),
      },
    },
    // While Redis cannot answer, ranked too falls back to the chronological feed by pull: a ranked
    // cursor (its pinned order may be in Redis) starts it from the top rather than being refused.
    ...degradedTo(deps, ['feed', 'cards'], (request) => {
      const { cursor, limit } = request.query as { cursor?: string; limit?: number };
      return homeFeedByPull(deps, actorOf(request), { limit, ...(cursor !== undefined && !isRankedCursor(cursor) && { cursor }) });
    }),
    // The hot path (docs/architecture.md "Read path"): the page's ids with the viewer's marks from
    // the feed read model (one Redis script for a user who follows no pulled author), the posts
    // from the card cache, sent as the cards' JSON (the schema stays, for the OpenAPI document).
    handler: async (request, reply) => {
      const viewerId = actorOf(request);
      const { cursor, limit, minPosition, order } = request.query;
      const readThrough = minPosition !== undefined;
      if (order === 'ranked') return sendJson(reply, await rankedHomePage(deps, viewerId, { cursor, limit, readThrough }));
      // Posts the card cache holds as live need no deleted marker (one round trip fewer on a warm page).
      const knownLive = readThrough ? undefined : deps.cards.knownLive;
      const { items, nextCursor } = await deps.feed.homePage(viewerId, knownLive ? { cursor, limit, knownLive } : { cursor, limit });
      // The warm page: its body straight from the cached cards, by the same rules as below.
      const cached = readThrough ? undefined : deps.cards.homePageBody(items, viewerId, nextCursor);
      if (cached) return sendJsonBytes(reply, cached);
      // The cards skip deleted posts and, by the one access rule, whatever the feed still holds of
      // an author who has since gone private, hidden or blocked the viewer; and the posts of authors
      // the viewer mutes, which stay in the feed read model so that an unmute brings them back as
      // they were (filtered on read from the pair facts the access rule loads anyway).
      const cards = await deps.cards.visiblePosts(
        items.map((item) => item.postId),
        viewerId,
        { readThrough, withoutMuted: true },
      );
      // The cards come in the items' order, some left out: each card's marks are those of the next item of its id.
      let at = 0;
      const marksOf = (postId: string) => {
        while (at < items.length && items[at]!.postId.toLowerCase() !== postId) at++;
        return items[at];
      };
      return sendJsonBytes(reply, postPageBody(cards, marksOf, nextCursor));
    },
  });

  app.get('/feed/user/:username', {
    config: { reads: ['profiles'] },
    schema: { params: usernameParam, querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const user = await visibleUser(deps, viewerId, request.params.username);
      await assertCanSeeContent(deps, viewerId, user.id, 'posts');
      const { cursor, limit } = request.query;
      const posts = await deps.profiles.userPosts(user.id, viewerId, { cursor, limit });
      return { items: await presentPosts(deps, await onlyVisible(deps, viewerId, posts.items)), nextCursor: posts.nextCursor };
    },
  });

  app.get('/feed/explore', {
    config: { reads: ['search', 'profiles'] },
    schema: { querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request) => {
      const { cursor, limit } = request.query;
      const now = deps.now();
      const found = await publicPostsPage(deps, actorOf(request), { cursor, limit }, (page) => deps.search.explore(now, page));
      return { items: await presentPosts(deps, found.items), nextCursor: found.nextCursor };
    },
  });
};
