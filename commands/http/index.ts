import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CommandDeps } from '../deps.js';
import { accountRoutes } from './account-routes.js';
import { authRoutes } from './auth-routes.js';
import { collectionRoutes } from './collection-routes.js';
import { graphRoutes } from './graph-routes.js';
import { mediaRoutes } from './media-routes.js';
import { notificationRoutes } from './notification-routes.js';
import { passwordRoutes } from './password-routes.js';
import { postRoutes } from './post-routes.js';
import { storyRoutes } from './story-routes.js';
import { twoFactorRoutes } from './two-factor-routes.js';

/** Every write route of docs/architecture.md "HTTP API"; app/server.ts mounts them under /api/v1. */
export const commandRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  await app.register(accountRoutes, deps);
  await app.register(passwordRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(twoFactorRoutes, deps);
  await app.register(graphRoutes, deps);
  await app.register(postRoutes, deps);
  await app.register(collectionRoutes, deps);
  await app.register(storyRoutes, deps);
  await app.register(notificationRoutes, deps);
  await app.register(mediaRoutes, deps);
};
