import type { Readable } from 'node:stream';

// The storage port: where uploaded bytes and their variants live (docs/architecture.md "Media").
// Two adapters beside it, one contract suite for both (test/integration/media-storage.contract.ts):
//   - s3/: any S3-compatible store through @aws-sdk/client-s3 and its presigner;
//   - local/: files under DATA_DIR/media, with the API itself signing (HMAC) and serving the URLs.
// The storage itself refuses a PUT whose signature, expiry, content type or length is not the
// one signed: no byte reaches it unless the platform said so first.

export interface PresignUploadRequest {
  key: string;
  contentType: string;
  /** Exact length in bytes; a PUT of any other length is refused by the storage. */
  size: number;
  /** When the signature was made; URLs signed at the same instant are identical. */
  signedAt: Date;
  expiresInSeconds: number;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the client must send with the PUT, exactly (content type and length among them). */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface DownloadUrlRequest {
  key: string;
  /**
   * When the signature was made. The read path rounds it down to a window, so that a URL stays the
   * same for a while (browsers and CDNs cache it) and is never valid for longer than the window
   * plus `expiresInSeconds`.
   */
  signedAt: Date;
  expiresInSeconds: number;
}

export interface StoredObject {
  size: number;
  contentType: string | undefined;
}

export interface PutOptions {
  contentType: string;
  /** Variants never change under their key: `public, max-age=31536000, immutable`. */
  cacheControl?: string;
}

export interface MediaStorage {
  /** Which adapter, for `/ready`, metrics and 503s that name it. */
  readonly backend: 'local' | 's3';
  presignUpload(request: PresignUploadRequest): Promise<PresignedUpload>;
  /**
   * The origin presigned upload URLs point to when it is not the API's own (an S3 store's), which a
   * browser client must be let connect to (the web client's content security policy); null when
   * uploads go to the API itself (the local store's /media-files/) or it cannot be told.
   */
  uploadOrigin?(): Promise<string | null>;
  /** A signed, expiring GET URL. */
  downloadUrl(request: DownloadUrlRequest): Promise<string>;
  /**
   * An unsigned URL under MEDIA_PUBLIC_BASE_URL (a CDN in front of the bucket), or null when none
   * is configured. Only ever used for media of public accounts.
   */
  publicUrl(key: string): string | null;
  /** Size and type of a stored object, or null when there is none. */
  head(key: string): Promise<StoredObject | null>;
  /** The object's bytes as a stream; throws when there is none. */
  read(key: string): Promise<Readable>;
  /** Writes the whole object at once: readers see the old object or the new one, never a part. */
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void>;
  /** Deletes the objects; keys that do not exist are not an error (deletes are retried). */
  delete(keys: readonly string[]): Promise<void>;
  /** Answers when the storage is reachable (for `/ready`); throws naming it when not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Storage keys of one upload. Siblings under one folder, and never a key that is also a folder:
 * S3-compatible stores on a filesystem (S3Proxy's) cannot hold both `a` and `a/b`.
 */
export const mediaKeys = {
  original: (mediaId: string) => `media/${mediaId}/original`,
  variant: (mediaId: string, name: string, extension: string) => `media/${mediaId}/${name}.${extension}`,
  folder: (mediaId: string) => `media/${mediaId}/`,
};

/** What `read` throws for a key with no object (a worker retrying a file whose upload was swept). */
export class StoredObjectMissing extends Error {
  constructor(readonly key: string) {
    super(`no stored object ${key}`);
    this.name = 'StoredObjectMissing';
  }
}

/**
 * What an adapter throws when its store is down or unreachable: `backend` names it, so that the
 * API answers 503 BACKEND_UNAVAILABLE naming the storage (app/http/backend-errors.ts reads it).
 */
export class StorageUnavailable extends Error {
  constructor(
    readonly backend: 's3' | 'local-storage',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageUnavailable';
  }
}

/** A key the storages accept: segments of [A-Za-z0-9_.-], none empty or starting with a dot (no `..`, no hidden files), no leading `/`. */
export const isValidStorageKey = (key: string): boolean =>
  key.length > 0 && key.length <= 1024 && /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(key) && key.split('/').every((segment) => !segment.startsWith('.'));
