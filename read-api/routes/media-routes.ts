import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { notFound } from '../../kernel/errors.js';
import type { MediaRecord } from '../../projections/media/media-reader.js';
import type { ReadDeps } from '../deps.js';
import { presentedVariant, type MediaPresenter } from '../media-presenter.js';
import { readQuery } from '../schemas.js';

// GET /api/v1/media/{mediaId}: an upload's status for its owner (docs/architecture.md "Media"),
// from the media read model; ?minPosition= waits for it (read-your-writes after complete).
// Media are private to their owner until attached: anyone else is told there is no such media.

const mediaIdParam = z.strictObject({ mediaId: z.uuid() });

export const mediaStatus = z.object({
  id: z.string(),
  status: z.enum(['pending', 'processing', 'ready', 'rejected', 'attached', 'expired', 'deleted']),
  /** Why processing rejected it: a stable code (MEDIA_* of the error catalogue) and its words. */
  reason: z.string().optional(),
  message: z.string().optional(),
  purpose: z.enum(['post', 'story', 'avatar']),
  type: z.enum(['image', 'video']).optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  durationMs: z.number().optional(),
  blurhash: z.string().optional(),
  dominantColor: z.string().optional(),
  /** The largest image variant, or the video's MP4 (signed, short-lived: only the owner sees this). */
  url: z.string().optional(),
  variants: z.array(presentedVariant).optional(),
});
export type MediaStatusBody = z.infer<typeof mediaStatus>;

/** Objects of expired or deleted media are gone: no URLs for them. */
const hasObjects = (record: MediaRecord) => record.status === 'ready' || record.status === 'attached';

export const presentMediaStatus = async (record: MediaRecord, presenter: MediaPresenter): Promise<MediaStatusBody> => {
  const body: MediaStatusBody = { id: record.mediaId, status: record.status, purpose: record.purpose };
  if (record.reason !== null) body.reason = record.reason;
  if (record.message !== null) body.message = record.message;
  if (!record.processed) return body;
  const { type, width, height, durationMs, blurhash, dominantColor } = record.processed;
  Object.assign(body, { type, width, height, ...(durationMs !== undefined && { durationMs }), blurhash, dominantColor });
  if (!hasObjects(record)) return body;
  // Signed and short-lived whatever the owner's privacy: nobody but the owner reads this.
  const presented = await presenter.presentOne({ mediaId: record.mediaId, ...record.processed }, { private: true });
  return { ...body, url: presented.url, variants: presented.variants ?? [] };
};

export const mediaRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/media/:mediaId', {
    config: { reads: ['media'], errors: ['MEDIA_NOT_FOUND'] },
    schema: { params: mediaIdParam, querystring: readQuery, response: { 200: mediaStatus } },
    handler: async (request) => {
      const { mediaId } = request.params;
      const record = await deps.mediaUploads.byId(mediaId);
      if (!record || record.ownerId !== actorOf(request)) throw notFound('MEDIA_NOT_FOUND', `No media ${mediaId}`);
      return presentMediaStatus(record, deps.media);
    },
  });
};
