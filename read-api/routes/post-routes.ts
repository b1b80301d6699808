import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { onlyVisible, refuseUnlessAllowed, withoutBlocked } from '../access.js';
import { sendJson, withMarks } from '../card-cache.js';
import type { ReadDeps } from '../deps.js';
import { notFound } from '../../kernel/errors.js';
import { presentComments, presentPage, presentPosts, presentUsers } from '../present.js';
import { commentsQuery, hydratedPost, page, pageQuery, postIdParam, readQuery, userSummary } from '../schemas.js';

const comment = z.object({
  id: z.string(),
  postId: z.string(),
  parentId: z.string().nullable(),
  author: userSummary,
  text: z.string(),
  createdAt: z.string(),
  replyCount: z.number(),
});

export const postRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  /** The post, if it exists, is not deleted, and the viewer may see its author's content (one query). */
  const visiblePost = async (viewerId: string, postId: string) => {
    const found = await deps.profiles.postFor(postId, viewerId);
    const missing = () => notFound('POST_NOT_FOUND', 'no such post');
    if (!found) throw missing();
    refuseUnlessAllowed(found.access, 'posts', missing); // blocked reads as missing
    return found.post;
  };

  app.get('/posts/:postId', {
    config: { reads: ['profiles'] },
    schema: { params: postIdParam, querystring: readQuery, response: { 200: hydratedPost } },
    // From the card cache, sent as the card's JSON with the viewer's marks (the schema stays for the OpenAPI document).
    handler: async (request, reply) => {
      const viewerId = actorOf(request);
      const { postId } = request.params;
      const readThrough = request.query.minPosition !== undefined;
      const found = await deps.cards.postFor(postId, viewerId, { readThrough });
      const missing = () => notFound('POST_NOT_FOUND', 'no such post');
      if (!found) throw missing();
      refuseUnlessAllowed(found.access, 'posts', missing); // blocked reads as missing
      const marks = await deps.marks(viewerId, [postId], { readThrough });
      return sendJson(reply, withMarks(found.json, marks.get(postId.toLowerCase())));
    },
  });

  app.get('/posts/:postId/comments', {
    config: { reads: ['profiles'] },
    schema: { params: postIdParam, querystring: commentsQuery, response: { 200: page(comment) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      await visiblePost(viewerId, request.params.postId);
      const { cursor, limit, parentId } = request.query;
      const comments = await deps.profiles.comments(request.params.postId, { parentId: parentId ?? null }, { cursor, limit }, viewerId);
      return { items: await presentComments(deps, await onlyVisible(deps, viewerId, comments.items)), nextCursor: comments.nextCursor };
    },
  });

  app.get('/posts/:postId/likes', {
    config: { reads: ['profiles'] },
    schema: { params: postIdParam, querystring: pageQuery, response: { 200: page(userSummary) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      await visiblePost(viewerId, request.params.postId);
      const { cursor, limit } = request.query;
      const likers = await withoutBlocked(deps, viewerId, await deps.profiles.likes(request.params.postId, { cursor, limit }));
      return presentPage(likers, (users) => presentUsers(deps, users));
    },
  });

  app.get('/bookmarks', {
    config: { reads: ['profiles'] },
    schema: { querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const { cursor, limit } = request.query;
      const bookmarks = await deps.profiles.bookmarks(viewerId, { cursor, limit });
      // A bookmarked post whose author has since gone private or blocked the viewer is hidden.
      return { items: await presentPosts(deps, await onlyVisible(deps, viewerId, bookmarks.items)), nextCursor: bookmarks.nextCursor };
    },
  });
};
