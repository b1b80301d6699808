import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReadDeps } from '../deps.js';
import { awaitFreshness } from '../freshness.js';
import { publicPosts } from '../public-posts.js';
import { hydratedPost, page, pageQuery, userSummary } from '../schemas.js';
import { viewerOf } from '../viewer.js';

const SEARCH_TYPES = ['users', 'posts', 'hashtags'] as const;
const text = z.string().trim().min(1).max(100);
const hashtagCount = z.object({ tag: z.string(), posts: z.number() });

const searchQuery = pageQuery.extend({
  q: text,
  type: z
    .string()
    .default(SEARCH_TYPES.join(','))
    .transform((list) => list.split(',').map((t) => t.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SEARCH_TYPES)).min(1)),
});
const autocompleteQuery = z.strictObject({ q: text, limit: z.coerce.number().int().min(1).max(20).default(10), minPosition: z.string().optional() });
const hashtagParam = z.strictObject({ tag: z.string().trim().transform((t) => t.replace(/^#/, '').toLowerCase()).pipe(z.string().min(1).max(100)) });
const hashtagQuery = pageQuery.extend({ sort: z.enum(['recent', 'top']).default('recent') });

export const searchRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  /** Users matching `q`, without those a block stands between; exact username, then followed accounts first. */
  const users = async (viewerId: string, q: string, prefix: boolean, limit: number) => {
    const followingIds = await deps.profiles.followingIds(viewerId);
    const hits = await deps.search.searchUsers({ text: q, prefix, followingIds, limit });
    const unblocked = await deps.profiles.unblockedAmong(viewerId, hits.map((hit) => hit.id));
    return hits.filter((hit) => unblocked.has(hit.id));
  };

  app.get('/api/v1/search', {
    schema: {
      querystring: searchQuery,
      response: {
        200: z.object({ users: z.array(userSummary).optional(), posts: page(hydratedPost).optional(), hashtags: z.array(hashtagCount).optional() }),
      },
    },
    handler: async (request, reply) => {
      const { q, type, cursor, limit, minPosition } = request.query;
      await awaitFreshness(deps.freshness, reply, ['search', 'profiles'], minPosition);
      const viewerId = viewerOf(request);
      const [foundUsers, foundPosts, hashtags] = await Promise.all([
        type.includes('users') ? users(viewerId, q, false, limit) : undefined,
        type.includes('posts') ? deps.search.searchPosts(q, { cursor, limit }) : undefined,
        type.includes('hashtags') ? deps.search.suggestHashtags(q, limit) : undefined,
      ]);
      const posts = foundPosts && { items: await publicPosts(deps, viewerId, foundPosts.items), nextCursor: foundPosts.nextCursor };
      return { users: foundUsers, posts, hashtags };
    },
  });

  app.get('/api/v1/search/autocomplete', {
    schema: { querystring: autocompleteQuery, response: { 200: z.object({ users: z.array(userSummary), hashtags: z.array(hashtagCount) }) } },
    handler: async (request, reply) => {
      const { q, limit, minPosition } = request.query;
      await awaitFreshness(deps.freshness, reply, ['search', 'profiles'], minPosition);
      const viewerId = viewerOf(request);
      const tagText = q.replace(/^#/, '');
      const [foundUsers, hashtags] = await Promise.all([
        q.startsWith('#') ? [] : users(viewerId, q.replace(/^@/, ''), true, limit),
        q.startsWith('@') || !tagText ? [] : deps.search.suggestHashtags(tagText, limit),
      ]);
      return { users: foundUsers, hashtags };
    },
  });

  app.get('/api/v1/hashtags/:tag/posts', {
    schema: { params: hashtagParam, querystring: hashtagQuery, response: { 200: page(hydratedPost) } },
    handler: async (request, reply) => {
      const { sort, cursor, limit, minPosition } = request.query;
      await awaitFreshness(deps.freshness, reply, ['search', 'profiles'], minPosition);
      const found = await deps.search.postsByHashtag(request.params.tag, sort, { cursor, limit });
      return { items: await publicPosts(deps, viewerOf(request), found.items), nextCursor: found.nextCursor };
    },
  });

  app.get('/api/v1/feed/explore', {
    schema: { querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request, reply) => {
      const { cursor, limit, minPosition } = request.query;
      await awaitFreshness(deps.freshness, reply, ['search', 'profiles'], minPosition);
      const found = await deps.search.explore(deps.now(), { cursor, limit });
      return { items: await publicPosts(deps, viewerOf(request), found.items), nextCursor: found.nextCursor };
    },
  });
};
