import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Readable } from 'node:stream';
import { AppError } from '../../../kernel/errors.js';
import { MEDIA_FILES_PATH, type LocalMediaStorage, type OpenedObject } from './local-storage.js';

// The local storage's own HTTP face (./local-storage.ts), outside /api/v1 and without a bearer
// token: the URL's signature is the authority (route config `public`, read by
// app/http/authentication.ts).
// - PUT /media-files/<key>: a signed upload. The signature is checked against the request's
//   Content-Type and Content-Length before the body is read; the body streams to disk with a cap
//   (any content type: a catch-all parser, in this plugin's scope only), and a body of another
//   length than signed stores nothing.
// - GET (and HEAD) /media-files/<key>: a signed download, with its content type, an ETag (304 on
//   If-None-Match), Cache-Control for the URL's remaining life, and byte ranges (video scrubbing).

export interface LocalMediaFilesOptions {
  storage: LocalMediaStorage;
}

interface Signed {
  Params: { '*': string };
  Querystring: { expires?: string; signature?: string };
}

const refuse = (reason: string) => new AppError('UPLOAD_SIGNATURE_INVALID', `the upload or download URL is not valid: ${reason}`);

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

type Range = { start: number; end: number } | 'unsatisfiable' | null;

/** A `Range` header's one byte range within `size` bytes; null: serve the whole object (several ranges, a unit other than bytes). */
export const byteRange = (header: string | undefined, size: number): Range => {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return /^bytes=.*,/.test(header.trim()) || !header.trim().startsWith('bytes=') ? null : 'unsatisfiable';
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return 'unsatisfiable';
  if (from === '') {
    // The last `to` bytes.
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || (to !== '' && Number(to) < start)) return 'unsatisfiable';
  return { start, end };
};

const etagMatches = (header: string | undefined, etag: string) =>
  header !== undefined && (header.trim() === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag));

const serve = (request: FastifyRequest, reply: FastifyReply, object: OpenedObject, remainingSeconds: number) => {
  const { handle, size, contentType, etag } = object;
  reply
    .header('etag', etag)
    // Keys never change what they hold; the URL itself expires.
    .header('cache-control', `private, max-age=${remainingSeconds}, immutable`)
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox");
  if (etagMatches(single(request.headers['if-none-match']), etag)) {
    void handle.close();
    return reply.code(304).send();
  }
  // If-Range: a range of the object the client has, else the whole (new) object.
  const ifRange = single(request.headers['if-range']);
  const range = ifRange === undefined || ifRange === etag ? byteRange(single(request.headers.range), size) : null;
  if (range === 'unsatisfiable') {
    void handle.close();
    return reply.code(416).header('content-range', `bytes */${size}`).type('text/plain').send('range not satisfiable');
  }
  reply.type(contentType);
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  reply.header('content-length', String(size === 0 ? 0 : end - start + 1));
  if (request.method === 'HEAD' || size === 0) {
    void handle.close();
    return reply.send();
  }
  return reply.send(handle.createReadStream({ start, end, autoClose: true }));
};

const routes: FastifyPluginAsync<LocalMediaFilesOptions> = async (app, { storage }) => {
  // Uploads are raw bytes of whatever type was signed, streamed: a parser that hands the stream on.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  // Per address, as anonymous callers (app/http/rate-limit.ts): the signed URL carries no account.
  const open = { public: true, idempotency: false as const, rateLimit: 'anonymous' as const };
  const hidden = { hide: true };

  app.put<Signed>(`${MEDIA_FILES_PATH}/*`, {
    config: open,
    schema: hidden,
    // Before the body is read: a refused upload costs no bytes.
    onRequest: async (request) => {
      const verdict = storage.checkUpload({
        key: request.params['*'],
        expires: single(request.query.expires),
        signature: single(request.query.signature),
        contentType: single(request.headers['content-type']),
        contentLength: single(request.headers['content-length']),
      });
      if (!verdict.ok) throw refuse(verdict.reason);
    },
    handler: async (request, reply) => {
      const contentType = request.headers['content-type']!;
      const length = Number(request.headers['content-length']);
      const body = (request.body as Readable | undefined) ?? null;
      if (!body && length !== 0) throw refuse('no body');
      await storage.receive(request.params['*'], body ?? Readable.from([]), { contentType, length });
      return reply.code(200).send();
    },
  });

  // HEAD is its own route, so that its Content-Length is the object's (Fastify's implicit HEAD sends 0 for an empty body).
  app.route<Signed>({
    method: ['GET', 'HEAD'],
    url: `${MEDIA_FILES_PATH}/*`,
    exposeHeadRoute: false,
    config: open,
    schema: hidden,
    handler: async (request, reply) => {
      const key = request.params['*'];
      const verdict = storage.checkDownload({ key, expires: single(request.query.expires), signature: single(request.query.signature) });
      if (!verdict.ok) throw refuse(verdict.reason);
      const object = await storage.open(key);
      if (!object) throw new AppError('MEDIA_NOT_FOUND', `no stored object ${key}`);
      return serve(request, reply, object, verdict.remainingSeconds);
    },
  });
};

/**
 * The routes as a plugin. Its content-type parser stays in its own scope: the rest of the API
 * keeps refusing bodies other than JSON.
 */
export const localMediaFiles = fp(async (app, options: LocalMediaFilesOptions) => app.register(routes, options), {
  name: 'instagram-local-media-files',
  fastify: '5.x',
});
