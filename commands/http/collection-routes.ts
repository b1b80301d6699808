import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { addToCollection, createCollection, deleteCollection, removeFromCollection, renameCollection } from '../collections/collections.js';
import type { CommandDeps } from '../deps.js';
import { routesActingOn } from './acting-on.js';
import { contextOf } from './request-context.js';
import { collectionBody, collectionIdParam, collectionPostParam, position } from './schemas.js';

// Collections of saved posts (docs/rules.md "Collections"); the reads are in read-api/routes/collection-routes.ts.
const collectionResponse = z.object({ collectionId: z.string(), position });
const collectionPostResponse = { 200: z.object({ collectionId: z.string(), postId: z.string(), inCollection: z.boolean(), position }) };

export const collectionRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  const onCollection = routesActingOn(app, 'collectionId', collectionIdParam);

  app.post('/collections', {
    schema: { body: collectionBody, response: { 201: collectionResponse } },
    handler: async (request, reply) =>
      reply.code(201).send(await createCollection(deps, { ownerId: actorOf(request), name: request.body.name }, contextOf(request))),
  });
  app.put('/collections/:collectionId', {
    schema: { params: collectionIdParam, body: collectionBody, response: { 200: collectionResponse } },
    handler: (request) =>
      renameCollection(deps, { actorId: actorOf(request), collectionId: request.params.collectionId, name: request.body.name }, contextOf(request)),
  });
  onCollection('DELETE', '/collections/:collectionId', { 200: collectionResponse }, (actorId, collectionId, ctx) => deleteCollection(deps, { actorId, collectionId }, ctx));

  app.post('/collections/:collectionId/posts/:postId', {
    schema: { params: collectionPostParam, response: collectionPostResponse },
    handler: (request) => addToCollection(deps, { actorId: actorOf(request), ...request.params }, contextOf(request)),
  });
  app.delete('/collections/:collectionId/posts/:postId', {
    schema: { params: collectionPostParam, response: collectionPostResponse },
    handler: (request) => removeFromCollection(deps, { actorId: actorOf(request), ...request.params }, contextOf(request)),
  });
};
