import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import { sendError } from './error-handler.js';

// The web client (web/, built by Vite into web/dist) served by the API process at `/`
// (docs/architecture.md "Web client"):
// - /assets/<name>-<hash>.<ext>: the bundles, their names change with their bytes, so a year's
//   `immutable` cache is safe (a new build names new files; old ones stay cached harmlessly).
// - everything else a browser navigates to (/, /login, /p/<postId>, ...) answers index.html, which
//   the client's router reads, with `no-cache` so a deploy is picked up at the next navigation
//   (the browser revalidates with the ETag: a 304 costs one round trip).
// Paths of the API and of the other surfaces keep their own answers: a route registered there
// wins over the catch-all (the router prefers the longer static prefix), and an unknown one under
// them, or a missing file (a path with an extension), answers 404 ROUTE_NOT_FOUND as before.
// Public (no bearer: a browser's navigation sends none), in the per-address `anonymous` class, as
// the local media files are.

export const WEB_ASSETS_PREFIX = '/assets/';

/** Paths that are never the client's: the API, the operations routes, the docs, the media files. */
const NOT_CLIENT = /^\/(api|docs|media-files|assets|health|ready|metrics)(\/|$)/;
/** A last segment with an extension: a file asked for (favicon.ico, a stale chunk), not a screen. */
const FILE_LIKE = /\/[^/]*\.[^/]*$/;

/** A profile's screen: a username may hold periods (`/u/jane.doe`), which FILE_LIKE would take for an extension. */
const PROFILE = /^\/u\/[a-z0-9._]{1,30}(\/(tagged|followers|following))?\/?$/i;

export const isClientRoute = (path: string) => !NOT_CLIENT.test(path) && (PROFILE.test(path) || !FILE_LIKE.test(path));

// The index's policy: no inline scripts (Vite emits none), images and videos from anywhere the
// API's media URLs point to (a CDN, a presigned bucket, the local /media-files), API calls to
// this origin only, and uploads also to the bucket's when presigned URLs name one (the composer
// PUTs the bytes there itself).
const contentSecurityPolicy = (uploadOrigin: string | null) =>
  [
    "default-src 'self'",
    "img-src 'self' data: blob: https: http:",
    "media-src 'self' blob: https: http:",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self'${uploadOrigin ? ` ${uploadOrigin}` : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

export interface WebClientOptions {
  /** The build's folder (web/dist): index.html and assets/. */
  root: string;
  /** Where presigned upload URLs point when not at this API (MediaStorage.uploadOrigin). */
  uploadOrigin?: string | null;
}

const webClientPlugin: FastifyPluginAsync<WebClientOptions> = async (app, { root, uploadOrigin = null }) => {
  const CONTENT_SECURITY_POLICY = contentSecurityPolicy(uploadOrigin);
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) {
    app.log.warn({ root }, 'no web client build (npm run build:web): / is not served');
    return;
  }
  // Read once: a deploy replaces the process along with the build.
  const index = readFileSync(indexPath);
  const etag = `"${createHash('sha256').update(index).digest('base64url').slice(0, 22)}"`;

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(WEB_ASSETS_PREFIX)) route.config = { ...route.config, public: true, rateLimit: 'anonymous' };
  });
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: WEB_ASSETS_PREFIX,
    decorateReply: false,
    // The header is set whole below; @fastify/send's own would say max-age only.
    cacheControl: false,
    setHeaders: (response) => {
      response.header('cache-control', 'public, max-age=31536000, immutable');
      response.header('x-content-type-options', 'nosniff');
    },
  });

  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (!isClientRoute(path)) return sendError(reply, new AppError('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`));
    reply
      .header('cache-control', 'no-cache')
      .header('etag', etag)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(index);
  };
  const config = { public: true, rateLimit: 'anonymous' as const };
  const schema = { hide: true };
  app.get('/', { config, schema }, sendIndex);
  app.get('/*', { config, schema }, sendIndex);
};

export const webClient = webClientPlugin;
