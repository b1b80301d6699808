import { hashtagParam } from '../../kernel/hashtag-param.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { AppError } from '../../kernel/errors.js';
import { PLACES_RADIUS_DEFAULT_KM, PLACES_RADIUS_MAX_KM } from '../../kernel/limits.js';
import { normalizeQuery } from '../../projections/search/text-match.js';
import { rankUsers } from '../../projections/search/user-ranking.js';
import { MAX_PAGE_LIMIT } from '../../projections/runtime/page.js';
import type { ReadDeps } from '../deps.js';
import { presentPosts, presentUsers } from '../present.js';
import { publicPostsPage } from '../public-posts.js';
import { hydratedPost, page, pageQuery, readQuery, userSummary } from '../schemas.js';

// Search, autocomplete, hashtag and location pages, over the search projection (explore is a
// feed: feed-routes.ts). Posts found here are public posts only (public-posts.ts), and a place is
// known only while a live post of a public account carries it (projections/search/search-store.ts).

const text = z.string().trim().min(1).max(100);
const hashtagCount = z.object({ tag: z.string(), posts: z.number() });

// Search: `type` is a comma-separated subset of users, posts, hashtags, places (default: the first
// three). Places take `lat` and `lon` (both or neither) and `radiusKm` for places nearby.
const SEARCH_TYPES = ['users', 'posts', 'hashtags', 'places'] as const;
const DEFAULT_TYPES = ['users', 'posts', 'hashtags'];
const searchQuery = pageQuery
  .extend({
    q: text,
    type: z
      .string()
      .default(DEFAULT_TYPES.join(','))
      .transform((list) => list.split(',').map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(z.enum(SEARCH_TYPES)).min(1)),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    radiusKm: z.coerce.number().positive().max(PLACES_RADIUS_MAX_KM).default(PLACES_RADIUS_DEFAULT_KM),
  })
  .superRefine((query, context) => {
    if (query.lat !== undefined && query.lon === undefined) context.addIssue({ code: 'custom', path: ['lon'], message: 'lat and lon come together: give lon too' });
    if (query.lon !== undefined && query.lat === undefined) context.addIssue({ code: 'custom', path: ['lat'], message: 'lat and lon come together: give lat too' });
  });
/** A place: a location and how many live posts of public accounts carry it. */
const place = z.object({ id: z.string(), name: z.string(), lat: z.number().optional(), lon: z.number().optional(), postCount: z.number() });
const searchResponse = z.object({
  users: z.array(userSummary).optional(),
  posts: page(hydratedPost).optional(),
  hashtags: z.array(hashtagCount).optional(),
  places: z.array(place).optional(),
});

// Autocomplete: usernames by prefix and hashtags; `@…` asks for users only, `#…` for hashtags only.
const autocompleteQuery = z.strictObject({
  q: text,
  limit: z.coerce.number().int().min(1).max(20).default(10),
  minPosition: readQuery.shape.minPosition,
});
const autocompleteResponse = z.object({ users: z.array(userSummary), hashtags: z.array(hashtagCount) });

// Hashtag pages: `/hashtags/%23Cats/posts` and `/hashtags/cats/posts` are the same page.
const hashtagQuery = pageQuery.extend({ sort: z.enum(['recent', 'top']).default('recent') });

// Location pages: the place, then its posts as a hashtag page lists them.
const locationParam = z.strictObject({ locationId: z.uuid() });
const locationPage = page(hydratedPost).extend({ location: place });

export const searchRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  /**
   * Users matching `q`, without those a block stands between; exact username, then followed
   * accounts first, then verified and more followed accounts among equally good matches
   * (projections/search/user-ranking.ts). The store proposes three times the page, ranked by
   * relevance alone (it holds neither badge nor follower count); the same rule ranks them again
   * with the standing the profiles read model gives, in the query that also checks blocks.
   */
  const findUsers = async (viewerId: string, q: string, prefix: boolean, limit: number) => {
    const followingIds = await deps.profiles.followingIds(viewerId);
    const hits = await deps.search.searchUsers({ text: q, prefix, followingIds, limit: Math.min(MAX_PAGE_LIMIT, limit * 3) });
    const unblocked = await deps.profiles.unblockedSummaries(viewerId, hits.map((hit) => hit.id));
    const query = { text: normalizeQuery(q), prefix, followingIds: new Set(followingIds.map((id) => id.toLowerCase())) };
    const ranked = rankUsers(hits.filter((hit) => unblocked.has(hit.id)), query, limit, unblocked);
    return presentUsers(deps, ranked.map((hit) => unblocked.get(hit.id)!));
  };

  app.get('/search', {
    config: { reads: ['search', 'profiles'] },
    schema: { querystring: searchQuery, response: { 200: searchResponse } },
    handler: async (request) => {
      const { q, type, cursor, limit, lat, lon, radiusKm } = request.query;
      const viewerId = actorOf(request);
      const near = lat !== undefined && lon !== undefined ? { lat, lon, radiusKm } : undefined;
      const [users, foundPosts, hashtags, places] = await Promise.all([
        type.includes('users') ? findUsers(viewerId, q, false, limit) : undefined,
        type.includes('posts') ? publicPostsPage(deps, viewerId, { cursor, limit }, (page) => deps.search.searchPosts(q, page)) : undefined,
        type.includes('hashtags') ? deps.search.suggestHashtags(q, limit) : undefined,
        type.includes('places') ? deps.search.searchPlaces({ text: q, near, limit }) : undefined,
      ]);
      const posts = foundPosts && { items: await presentPosts(deps, foundPosts.items), nextCursor: foundPosts.nextCursor };
      return { users, posts, hashtags, places };
    },
  });

  app.get('/search/autocomplete', {
    config: { reads: ['search', 'profiles'] },
    schema: { querystring: autocompleteQuery, response: { 200: autocompleteResponse } },
    handler: async (request) => {
      const { q, limit } = request.query;
      const viewerId = actorOf(request);
      const tagText = q.replace(/^#/, '');
      const [users, hashtags] = await Promise.all([
        q.startsWith('#') ? [] : findUsers(viewerId, q.replace(/^@/, ''), true, limit),
        q.startsWith('@') || !tagText ? [] : deps.search.suggestHashtags(tagText, limit),
      ]);
      return { users, hashtags };
    },
  });

  app.get('/hashtags/:tag/posts', {
    config: { reads: ['search', 'profiles'] },
    schema: { params: hashtagParam, querystring: hashtagQuery, response: { 200: page(hydratedPost) } },
    handler: async (request) => {
      const { sort, cursor, limit } = request.query;
      const found = await publicPostsPage(deps, actorOf(request), { cursor, limit }, (page) => deps.search.postsByHashtag(request.params.tag, sort, page));
      return { items: await presentPosts(deps, found.items), nextCursor: found.nextCursor };
    },
  });

  app.get('/locations/:locationId/posts', {
    config: { reads: ['search', 'profiles'] },
    schema: { params: locationParam, querystring: hashtagQuery, response: { 200: locationPage } },
    handler: async (request) => {
      const { sort, cursor, limit } = request.query;
      const { locationId } = request.params;
      // A place no live post of a public account carries answers as an unknown one: its id is a
      // hash of a name anyone can guess, so an empty page would tell a private account's places.
      const location = await deps.search.location(locationId.toLowerCase());
      if (location === null) throw new AppError('LOCATION_NOT_FOUND');
      const found = await publicPostsPage(deps, actorOf(request), { cursor, limit }, (page) => deps.search.postsByLocation(location.id, sort, page));
      return { location, items: await presentPosts(deps, found.items), nextCursor: found.nextCursor };
    },
  });
};
