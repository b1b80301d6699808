import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { completeUpload, requestUpload } from '../media/media.js';
import { contextOf } from './request-context.js';
import { mediaIdParam, position, uploadBody } from './schemas.js';

// The upload flow (docs/architecture.md "Media"): ask for a presigned PUT, PUT the bytes to it,
// then say they are there. GET /api/v1/media/{mediaId} (read-api) tells how processing went.

const uploadResponse = z.object({
  mediaId: z.string(),
  uploadUrl: z.string(),
  method: z.literal('PUT'),
  /** Send these with the PUT, exactly: the signature covers the content type and length. */
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string(),
  position,
});
const completeResponse = z.object({ mediaId: z.string(), status: z.literal('processing'), position });

export const mediaRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/media/uploads', {
    schema: { body: uploadBody, response: { 201: uploadResponse } },
    config: { rateLimit: 'media', errors: ['MEDIA_TYPE_UNSUPPORTED', 'MEDIA_TOO_LARGE', 'MEDIA_WRONG_PURPOSE', 'BACKEND_UNAVAILABLE'] },
    handler: async (request, reply) => {
      const { filename, contentType, size, purpose } = request.body;
      const upload = await requestUpload(deps, { ownerId: actorOf(request), filename, contentType, size, purpose }, contextOf(request));
      return reply.code(201).send(upload);
    },
  });
  app.post('/media/:mediaId/complete', {
    schema: { params: mediaIdParam, response: { 202: completeResponse } },
    // An upload is counted once, when it is requested (class media); completing it is a plain write.
    config: { rateLimit: 'write', errors: ['MEDIA_NOT_FOUND', 'MEDIA_NOT_UPLOADED', 'MEDIA_ALREADY_COMPLETED', 'MEDIA_UPLOAD_EXPIRED', 'BACKEND_UNAVAILABLE'] },
    handler: async (request, reply) =>
      reply.code(202).send(await completeUpload(deps, { actorId: actorOf(request), mediaId: request.params.mediaId }, contextOf(request))),
  });
};
