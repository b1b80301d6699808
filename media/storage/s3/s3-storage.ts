import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isValidStorageKey, StorageUnavailable, StoredObjectMissing, type MediaStorage } from '../media-storage.js';

// The MediaStorage port on any S3-compatible store (AWS S3, S3Proxy, MinIO, R2) through the AWS
// SDK v3. Uploads go straight from the client to the store with a presigned PUT whose signature
// covers the content type and the exact length: the store itself refuses any other PUT.

export interface S3StorageOptions {
  bucket: string;
  /** For stores other than AWS: their URL (e.g. http://127.0.0.1:19000). */
  endpoint?: string;
  region: string;
  /** Unset: the SDK's own chain (AWS_ACCESS_KEY_ID, instance roles, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The bucket in the path rather than the host name (S3Proxy, MinIO). */
  forcePathStyle: boolean;
  /** A CDN or public bucket in front of the store (no trailing slash): public media are served from there, unsigned. */
  publicBaseUrl?: string;
}

/** The same keys as the local adapter takes, so that media move between the two. */
const checked = (key: string) => {
  if (!isValidStorageKey(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
  return key;
};

/** DeleteObjects takes at most this many keys. */
const DELETE_CHUNK = 1000;

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

const isMissing = (error: unknown) => {
  const name = (error as { name?: string }).name;
  return statusOf(error) === 404 || name === 'NotFound' || name === 'NoSuchKey';
};

/** An answer of the store (4xx) is the caller's business; no answer or a 5xx means the store is down. */
const unavailable = (error: unknown, what: string): unknown => {
  if (error instanceof StoredObjectMissing || error instanceof StorageUnavailable) return error;
  const status = statusOf(error);
  if (status !== undefined && status < 500) return error;
  return new StorageUnavailable('s3', `s3: ${what} failed: ${(error as Error).message || (error as Error).name}`, { cause: error });
};

export const createS3Storage = (options: S3StorageOptions): MediaStorage => {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // S3Proxy 2.6 (and other S3-compatible stores) answer 501 to the checksum headers the SDK sends by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  const Bucket = options.bucket;

  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw unavailable(error, what);
    }
  };

  return {
    backend: 's3',

    async presignUpload({ key, contentType, size, signedAt, expiresInSeconds }) {
      const command = new PutObjectCommand({ Bucket, Key: checked(key), ContentType: contentType, ContentLength: size });
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signingDate: signedAt,
        // Signed, not hoisted into the query: a PUT with another type or length fails the signature.
        signableHeaders: new Set(['content-type', 'content-length']),
      });
      return {
        url,
        method: 'PUT',
        headers: { 'content-type': contentType, 'content-length': String(size) },
        expiresAt: new Date(signedAt.getTime() + expiresInSeconds * 1000).toISOString(),
      };
    },

    // Read off a URL signed for a key never used, so that it is the SDK's own choice of host
    // (virtual-hosted or path style, the endpoint's or AWS's). Signing is local, unless the
    // credentials come from a provider (an instance role): one that fails leaves the origin unknown.
    async uploadOrigin() {
      try {
        return new URL(await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: 'media/upload-origin/original' }), { expiresIn: 60 })).origin;
      } catch {
        return null;
      }
    },

    downloadUrl: async ({ key, signedAt, expiresInSeconds }) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket, Key: checked(key) }), { expiresIn: expiresInSeconds, signingDate: signedAt }),

    publicUrl: (key) => (options.publicBaseUrl ? `${options.publicBaseUrl}/${key}` : null),

    head: (key) =>
      call(`HEAD ${key}`, async () => {
        try {
          const answer = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
          return { size: answer.ContentLength ?? 0, contentType: answer.ContentType };
        } catch (error) {
          if (isMissing(error)) return null;
          throw error;
        }
      }),

    read: (key) =>
      call(`GET ${key}`, async () => {
        try {
          const answer = await client.send(new GetObjectCommand({ Bucket, Key: key }));
          return answer.Body as Readable;
        } catch (error) {
          if (isMissing(error)) throw new StoredObjectMissing(key);
          throw error;
        }
      }),

    put: (key, body, { contentType, cacheControl }) =>
      call(`PUT ${key}`, async () => {
        // A stream of unknown length cannot be sent in one PUT without chunked signing, which
        // S3-compatible stores do not all take: buffer it (a file stream's length the SDK finds itself).
        const sendable = body instanceof Readable && !('path' in body) ? await buffered(body) : body;
        const input: PutObjectCommandInput = { Bucket, Key: checked(key), Body: sendable, ContentType: contentType, CacheControl: cacheControl };
        await client.send(new PutObjectCommand(input));
      }),

    delete: (keys) =>
      call(`DELETE ${keys.length} objects`, async () => {
        for (let start = 0; start < keys.length; start += DELETE_CHUNK) {
          const chunk = keys.slice(start, start + DELETE_CHUNK);
          const command = new DeleteObjectsCommand({ Bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } });
          command.middlewareStack.add((next) => async (args) => next({ ...args, request: withContentMd5(args.request) }), { step: 'build', priority: 'low', name: 'deleteObjectsContentMd5' });
          const answer = await client.send(command);
          // Absent keys are not errors in S3's answer; anything listed here is.
          const failed = (answer.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
          if (failed.length > 0) throw new Error(`s3: could not delete ${failed.map((error) => `${error.Key} (${error.Code})`).join(', ')}`);
        }
      }),

    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }), { abortSignal: AbortSignal.timeout(5_000) });
      } catch (error) {
        throw new StorageUnavailable('s3', `s3: bucket ${Bucket} does not answer: ${(error as Error).message || (error as Error).name}`, { cause: error });
      }
    },

    async close() {
      client.destroy();
    },
  };
};

/**
 * DeleteObjects must carry a checksum of its body. The SDK sends a CRC32 one (x-amz-checksum-crc32),
 * which S3Proxy 2.6 answers with 501: send the Content-MD5 every S3-compatible store takes instead.
 */
const withContentMd5 = (request: unknown): unknown => {
  const { headers, body } = request as { headers?: Record<string, string>; body?: unknown };
  if (headers && (typeof body === 'string' || Buffer.isBuffer(body))) {
    for (const name of Object.keys(headers)) if (/^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(name)) delete headers[name];
    headers['content-md5'] = createHash('md5').update(body).digest('base64');
  }
  return request;
};

const buffered = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};
