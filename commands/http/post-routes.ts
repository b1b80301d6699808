import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { addComment, deleteComment } from '../posts/comments.js';
import { createPost, deletePost, editCaption } from '../posts/posts.js';
import { bookmark, like, unbookmark, unlike } from '../posts/reactions.js';
import { contextOf } from './request-context.js';
import { commentBody, commentIdParam, createPostBody, editPostBody, position, postIdParam } from './schemas.js';

const postResponse = z.object({ postId: z.string(), position });
const likeResponse = { 200: z.object({ liked: z.boolean(), position }) };
const bookmarkResponse = { 200: z.object({ bookmarked: z.boolean(), position }) };

export const postRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/posts', {
    schema: { body: createPostBody, response: { 201: postResponse } },
    handler: async (request, reply) => reply.code(201).send(await createPost(deps, actorOf(request), request.body, contextOf(request))),
  });
  app.put('/posts/:postId', {
    schema: { params: postIdParam, body: editPostBody, response: { 200: postResponse } },
    handler: (request) => editCaption(deps, actorOf(request), request.params.postId, request.body.caption, contextOf(request)),
  });
  app.delete('/posts/:postId', {
    schema: { params: postIdParam, response: { 200: postResponse } },
    handler: (request) => deletePost(deps, actorOf(request), request.params.postId, contextOf(request)),
  });

  app.post('/posts/:postId/like', {
    schema: { params: postIdParam, response: likeResponse },
    handler: (request) => like(deps, actorOf(request), request.params.postId, contextOf(request)),
  });
  app.delete('/posts/:postId/like', {
    schema: { params: postIdParam, response: likeResponse },
    handler: (request) => unlike(deps, actorOf(request), request.params.postId, contextOf(request)),
  });

  app.post('/posts/:postId/comments', {
    schema: { params: postIdParam, body: commentBody, response: { 201: z.object({ commentId: z.string(), position }) } },
    handler: async (request, reply) => {
      const input = { text: request.body.text, parentCommentId: request.body.parentCommentId ?? null };
      return reply.code(201).send(await addComment(deps, actorOf(request), request.params.postId, input, contextOf(request)));
    },
  });
  app.delete('/comments/:commentId', {
    schema: { params: commentIdParam, response: { 200: z.object({ commentId: z.string(), position }) } },
    handler: (request) => deleteComment(deps, actorOf(request), request.params.commentId, contextOf(request)),
  });

  app.post('/posts/:postId/bookmark', {
    schema: { params: postIdParam, response: bookmarkResponse },
    handler: (request) => bookmark(deps, actorOf(request), request.params.postId, contextOf(request)),
  });
  app.delete('/posts/:postId/bookmark', {
    schema: { params: postIdParam, response: bookmarkResponse },
    handler: (request) => unbookmark(deps, actorOf(request), request.params.postId, contextOf(request)),
  });
};
