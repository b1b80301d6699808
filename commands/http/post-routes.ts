import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { addComment, deleteComment } from '../posts/comments.js';
import { createPost, deletePost, editCaption, removeTag, removeTagOf } from '../posts/posts.js';
import { bookmark, like, unbookmark, unlike } from '../posts/reactions.js';
import { sharePost } from '../stories/stories.js';
import { routesActingOn } from './acting-on.js';
import { contextOf } from './request-context.js';
import { commentBody, commentIdParam, createPostBody, editPostBody, position, postIdParam, shareBody, usernameParam } from './schemas.js';

const postResponse = z.object({ postId: z.string(), position });
const likeResponse = { 200: z.object({ liked: z.boolean(), position }) };
const bookmarkResponse = { 200: z.object({ bookmarked: z.boolean(), position }) };
const tagResponse = { 200: z.object({ postId: z.string(), tagged: z.boolean(), position }) };
const postTagParam = z.strictObject({ ...postIdParam.shape, ...usernameParam.shape });

export const postRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  const onPost = routesActingOn(app, 'postId', postIdParam);
  const onComment = routesActingOn(app, 'commentId', commentIdParam);

  app.post('/posts', {
    schema: { body: createPostBody, response: { 201: postResponse } },
    handler: async (request, reply) => {
      const { caption, media, location } = request.body;
      const post = { authorId: actorOf(request), caption, location, media: media.map((item) => item.input), tags: media.map((item) => item.tags) };
      return reply.code(201).send(await createPost(deps, post, contextOf(request)));
    },
  });
  app.put('/posts/:postId', {
    schema: { params: postIdParam, body: editPostBody, response: { 200: postResponse } },
    handler: (request) =>
      editCaption(deps, { actorId: actorOf(request), postId: request.params.postId, caption: request.body.caption }, contextOf(request)),
  });
  onPost('DELETE', '/posts/:postId', { 200: postResponse }, (actorId, postId, ctx) => deletePost(deps, { actorId, postId }, ctx));

  // User tags: the tagged person takes themself off (idempotent: not tagged answers the same, with
  // no event), or the author takes someone off. Deletes, in the delete rate class.
  onPost('DELETE', '/posts/:postId/tags/me', tagResponse, (actorId, postId, ctx) => removeTag(deps, { actorId, postId, userId: actorId }, ctx));
  app.delete('/posts/:postId/tags/:username', {
    schema: { params: postTagParam, response: tagResponse },
    handler: (request) => removeTagOf(deps, { actorId: actorOf(request), ...request.params }, contextOf(request)),
  });

  onPost('POST', '/posts/:postId/like', likeResponse, (userId, postId, ctx) => like(deps, { userId, postId }, ctx));
  onPost('DELETE', '/posts/:postId/like', likeResponse, (userId, postId, ctx) => unlike(deps, { userId, postId }, ctx));

  app.post('/posts/:postId/comments', {
    schema: { params: postIdParam, body: commentBody, response: { 201: z.object({ commentId: z.string(), position }) } },
    handler: async (request, reply) => {
      const { text, parentCommentId } = request.body;
      const comment = { authorId: actorOf(request), postId: request.params.postId, text, parentCommentId: parentCommentId ?? null };
      return reply.code(201).send(await addComment(deps, comment, contextOf(request)));
    },
  });
  onComment('DELETE', '/comments/:commentId', { 200: z.object({ commentId: z.string(), position }) }, (actorId, commentId, ctx) =>
    deleteComment(deps, { actorId, commentId }, ctx),
  );

  // A share is a new story of the caller's: answered as POST /stories answers.
  app.post('/posts/:postId/share', {
    config: { rateLimit: 'write' },
    schema: { params: postIdParam, body: shareBody, response: { 201: z.object({ storyId: z.string(), expiresAt: z.string(), position }) } },
    handler: async (request, reply) =>
      reply.code(201).send(await sharePost(deps, { sharerId: actorOf(request), postId: request.params.postId }, contextOf(request))),
  });

  onPost('POST', '/posts/:postId/bookmark', bookmarkResponse, (userId, postId, ctx) => bookmark(deps, { userId, postId }, ctx));
  onPost('DELETE', '/posts/:postId/bookmark', bookmarkResponse, (userId, postId, ctx) => unbookmark(deps, { userId, postId }, ctx));
};
