import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { notFound } from '../../kernel/errors.js';
import type { ReadDeps } from '../deps.js';
import { presentedMedia } from '../media-presenter.js';
import { presentPosts } from '../present.js';
import { collectionIdParam, hydratedPost, page, pageQuery } from '../schemas.js';

// Collections of saved posts (docs/rules.md "Collections"): only their owner reads them; anyone
// else is answered as for no such collection. The reader applies the visibility rule in its SQL
// (projections/profiles/reader-collections.ts): a post shows while it is still bookmarked, live,
// and its author is one the owner may see now, so a block or a switch to private hides it at once.

const collectionSummary = z.object({ id: z.string(), name: z.string(), postCount: z.number(), cover: presentedMedia.nullable() });
const collectionView = z.object({ id: z.string(), name: z.string(), postCount: z.number(), posts: page(hydratedPost) });

export const collectionRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/collections', {
    config: { reads: ['profiles'] },
    schema: { querystring: pageQuery, response: { 200: page(collectionSummary) } },
    handler: async (request) => {
      const { cursor, limit } = request.query;
      const listed = await deps.profiles.collections(actorOf(request), { cursor, limit });
      const items = await Promise.all(
        listed.items.map(async ({ cover, ...collection }) => ({ ...collection, cover: cover ? await deps.media.presentOne(cover.item, cover.author) : null })),
      );
      return { items, nextCursor: listed.nextCursor };
    },
  });

  app.get('/collections/:collectionId', {
    config: { reads: ['profiles'] },
    schema: { params: collectionIdParam, querystring: pageQuery, response: { 200: collectionView } },
    handler: async (request) => {
      const ownerId = actorOf(request);
      const { collectionId } = request.params;
      const { cursor, limit } = request.query;
      const [found, posts] = await Promise.all([
        deps.profiles.collection(ownerId, collectionId),
        deps.profiles.collectionPosts(ownerId, collectionId, { cursor, limit }),
      ]);
      if (!found) throw notFound('COLLECTION_NOT_FOUND', 'no such collection');
      return { ...found, posts: { items: await presentPosts(deps, posts.items), nextCursor: posts.nextCursor } };
    },
  });
};
