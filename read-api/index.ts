import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadDeps } from './deps.js';
import { feedRoutes } from './routes/feed-routes.js';
import { hashtagRoutes } from './routes/hashtag-routes.js';
import { mediaRoutes } from './routes/media-routes.js';
import { notificationRoutes } from './routes/notification-routes.js';
import { collectionRoutes } from './routes/collection-routes.js';
import { postRoutes } from './routes/post-routes.js';
import { searchRoutes } from './routes/search-routes.js';
import { storyRoutes } from './routes/story-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { suggestionRoutes } from './routes/suggestion-routes.js';
import { userRoutes } from './routes/user-routes.js';

/** Every query route of docs/architecture.md "HTTP API"; app/server.ts mounts them under /api/v1. */
export const readRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  await app.register(userRoutes, deps);
  await app.register(postRoutes, deps);
  await app.register(collectionRoutes, deps);
  await app.register(feedRoutes, deps);
  await app.register(storyRoutes, deps);
  await app.register(searchRoutes, deps);
  await app.register(hashtagRoutes, deps);
  await app.register(notificationRoutes, deps);
  await app.register(streamRoutes, deps);
  await app.register(mediaRoutes, deps);
  await app.register(suggestionRoutes, deps);
};
