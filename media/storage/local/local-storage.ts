import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, extname, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../kernel/errors.js';
import { isValidStorageKey, StorageUnavailable, StoredObjectMissing, type MediaStorage, type StoredObject } from '../media-storage.js';

// The MediaStorage port on local files: objects under `root` (DATA_DIR/media), served by the API
// itself (./routes.ts) at `${publicUrl}/media-files/<key>` with HMAC-SHA256 signed, expiring URLs.
// - An upload URL's signature covers the method, the key, the content type, the exact length and
//   the expiry: the route refuses a PUT whose headers are not the ones signed, and a body of any
//   other length.
// - A download URL's signature covers the key and the expiry.
// - Every write goes to a temporary file beside the object, then is renamed over it: readers see
//   the old object or the new one, never a part. The content type is kept in a sidecar file whose
//   name (`<key>~meta`) no key can have, since keys have no `~`.

export const MEDIA_FILES_PATH = '/media-files';

export interface LocalStorageOptions {
  /** The folder the objects live in (DATA_DIR/media). */
  root: string;
  /** Where clients reach the API (no trailing slash): URLs are `${publicUrl}/media-files/<key>?...`. */
  publicUrl: string;
  /** A CDN (or a web server over `root`) in front, for public accounts' media; unset: always signed. */
  publicBaseUrl?: string;
  /** The HMAC key of the URLs (generated once under DATA_DIR: app/media-storage.ts). */
  secret: string;
  /** The clock the URLs' expiry is checked against (milliseconds). */
  now?: () => number;
}

/** What a signed upload URL and the request that uses it carry. */
export interface UploadAttempt {
  key: string;
  expires: string | undefined;
  signature: string | undefined;
  contentType: string | undefined;
  contentLength: string | undefined;
}

export interface DownloadAttempt {
  key: string;
  expires: string | undefined;
  signature: string | undefined;
}

/** A stored object opened for reading (the route serves ranges of it); close the handle when done. */
export interface OpenedObject {
  handle: FileHandle;
  size: number;
  contentType: string;
  /** Changes whenever the object is written again. */
  etag: string;
}

export interface LocalMediaStorage extends MediaStorage {
  readonly backend: 'local';
  /** Whether a PUT's URL and headers are the ones signed (and unexpired), or why not. */
  checkUpload(attempt: UploadAttempt): { ok: true; length: number; contentType: string } | { ok: false; reason: string };
  /** Whether a GET's URL is signed and unexpired (and for how many more seconds), or why not. */
  checkDownload(attempt: DownloadAttempt): { ok: true; remainingSeconds: number } | { ok: false; reason: string };
  /** Stores the body of a signed PUT, refusing (UPLOAD_SIGNATURE_INVALID) more or fewer bytes than `length`. */
  receive(key: string, body: Readable, options: { contentType: string; length: number }): Promise<void>;
  /** The object, or null when there is none (or the key is not one the storage accepts). */
  open(key: string): Promise<OpenedObject | null>;
}

/** Content types by extension, for objects stored without a sidecar (written by hand, or an older layout). */
const TYPES_BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.heic': 'image/heic',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};

const metaFileOf = (file: string) => `${file}~meta`;
const tempFileOf = (file: string) => `${file}~tmp-${randomBytes(6).toString('hex')}`;

/** The signature's message: a PUT's fields, one a line; a GET's. Two kinds that cannot be mistaken for each other. */
const uploadMessage = (key: string, contentType: string, length: number, expires: number) => `PUT\n${key}\n${contentType}\n${length}\n${expires}`;
const downloadMessage = (key: string, expires: number) => `GET\n${key}\n${expires}`;

const unsigned = (reason: string) => ({ ok: false as const, reason });

export const createLocalStorage = (options: LocalStorageOptions): LocalMediaStorage => {
  const root = resolve(options.root);
  const now = options.now ?? Date.now;
  const sign = (message: string) => createHmac('sha256', options.secret).update(message).digest('base64url');
  const matches = (message: string, signature: string | undefined) => {
    if (!signature) return false;
    const expected = Buffer.from(sign(message));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  const urlOf = (key: string, query: string) => `${options.publicUrl}${MEDIA_FILES_PATH}/${key}?${query}`;

  /** The file of `key`, or null when the key could reach outside `root` or is not a key at all. */
  const fileOf = (key: string): string | null => {
    if (!isValidStorageKey(key)) return null;
    const file = resolve(root, key);
    return file.startsWith(root + sep) ? file : null;
  };
  const fileOrThrow = (key: string) => {
    const file = fileOf(key);
    if (!file) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
    return file;
  };

  /** Any failure of the disk itself (full, read-only, gone) names the storage. */
  const disk = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError || error instanceof StoredObjectMissing) throw error;
      const code = (error as { code?: string }).code;
      if (code && /^E(NOSPC|ROFS|ACCES|PERM|IO|DQUOT|MFILE|NFILE)$/.test(code)) throw new StorageUnavailable('local-storage', `local storage: ${what} failed: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  };

  /** Writes the object to a temporary file, then its sidecar and the object by rename. */
  const commit = async (file: string, contentType: string, write: (temp: string) => Promise<void>) => {
    await mkdir(dirname(file), { recursive: true });
    try {
      await commitOnce(file, contentType, write);
    } catch (error) {
      // A delete of the folder's last object pruned the folder under us: make it again, once.
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      await mkdir(dirname(file), { recursive: true });
      await commitOnce(file, contentType, write);
    }
  };
  const commitOnce = async (file: string, contentType: string, write: (temp: string) => Promise<void>) => {
    const temp = tempFileOf(file);
    const metaTemp = tempFileOf(metaFileOf(file));
    try {
      await write(temp);
      await writeFile(metaTemp, JSON.stringify({ contentType }));
      await rename(metaTemp, metaFileOf(file));
      await rename(temp, file);
    } catch (error) {
      await Promise.all([rm(temp, { force: true }), rm(metaTemp, { force: true })]);
      throw error;
    }
  };

  const contentTypeOf = async (file: string): Promise<string | undefined> => {
    const meta = await readFile(metaFileOf(file), 'utf8').catch(() => null);
    if (meta) {
      const { contentType } = JSON.parse(meta) as { contentType?: unknown };
      if (typeof contentType === 'string') return contentType;
    }
    return TYPES_BY_EXTENSION[extname(file).toLowerCase()];
  };

  /** Removes the folders a delete left empty, up to `root`. */
  const pruneEmptyFolders = async (file: string) => {
    for (let folder = dirname(file); folder.startsWith(root + sep); folder = dirname(folder)) {
      if (!(await rmdir(folder).then(() => true, () => false))) return;
    }
  };

  return {
    backend: 'local',

    async presignUpload({ key, contentType, size, signedAt, expiresInSeconds }) {
      fileOrThrow(key);
      const expires = Math.floor(signedAt.getTime() / 1000) + expiresInSeconds;
      const url = urlOf(key, `expires=${expires}&signature=${sign(uploadMessage(key, contentType, size, expires))}`);
      return { url, method: 'PUT', headers: { 'content-type': contentType, 'content-length': String(size) }, expiresAt: new Date(expires * 1000).toISOString() };
    },

    async downloadUrl({ key, signedAt, expiresInSeconds }) {
      fileOrThrow(key);
      const expires = Math.floor(signedAt.getTime() / 1000) + expiresInSeconds;
      return urlOf(key, `expires=${expires}&signature=${sign(downloadMessage(key, expires))}`);
    },

    publicUrl: (key) => (options.publicBaseUrl ? `${options.publicBaseUrl}/${key}` : null),

    checkUpload({ key, expires, signature, contentType, contentLength }) {
      if (!fileOf(key)) return unsigned('not a storage key');
      const expiry = Number(expires);
      if (!expires || !Number.isSafeInteger(expiry)) return unsigned('no expiry');
      if (contentType === undefined) return unsigned('no Content-Type');
      if (contentLength === undefined || !/^\d{1,15}$/.test(contentLength)) return unsigned('no Content-Length (a chunked body cannot match the signed length)');
      const length = Number(contentLength);
      if (!matches(uploadMessage(key, contentType, length, expiry), signature)) return unsigned('the signature does not match the key, Content-Type and Content-Length');
      if (now() / 1000 > expiry) return unsigned('the URL has expired');
      return { ok: true, length, contentType };
    },

    checkDownload({ key, expires, signature }) {
      if (!fileOf(key)) return unsigned('not a storage key');
      const expiry = Number(expires);
      if (!expires || !Number.isSafeInteger(expiry)) return unsigned('no expiry');
      if (!matches(downloadMessage(key, expiry), signature)) return unsigned('the signature does not match');
      const remainingSeconds = Math.floor(expiry - now() / 1000);
      if (remainingSeconds < 0) return unsigned('the URL has expired');
      return { ok: true, remainingSeconds };
    },

    receive: (key, body, { contentType, length }) =>
      disk(`PUT ${key}`, async () => {
        const file = fileOrThrow(key);
        let received = 0;
        // Counts while streaming to disk: never more than `length` bytes are written, nothing is buffered.
        const capped = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            received += chunk.length;
            if (received > length) done(new AppError('UPLOAD_SIGNATURE_INVALID', `the body is longer than the ${length} bytes signed`));
            else done(null, chunk);
          },
          flush(done) {
            done(received === length ? null : new AppError('UPLOAD_SIGNATURE_INVALID', `the body has ${received} bytes, not the ${length} signed`));
          },
        });
        await commit(file, contentType, (temp) => pipeline(body, capped, createWriteStream(temp, { flags: 'wx' })));
      }),

    open: (key) =>
      disk(`GET ${key}`, async () => {
        const file = fileOf(key);
        if (!file) return null;
        const handle = await open(file, 'r').catch((error: unknown) => {
          if ((error as { code?: string }).code === 'ENOENT' || (error as { code?: string }).code === 'EISDIR') return null;
          throw error;
        });
        if (!handle) return null;
        try {
          const stats = await handle.stat();
          if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
          const contentType = (await contentTypeOf(file)) ?? 'application/octet-stream';
          return { handle, size: stats.size, contentType, etag: `"${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}-${stats.ino.toString(36)}"` };
        } catch (error) {
          await handle.close();
          if ((error as { code?: string }).code === 'EISDIR') return null;
          throw error;
        }
      }),

    head: (key) =>
      disk(`HEAD ${key}`, async (): Promise<StoredObject | null> => {
        const file = fileOf(key);
        if (!file) return null;
        const stats = await stat(file).catch(() => null);
        if (!stats?.isFile()) return null;
        return { size: stats.size, contentType: await contentTypeOf(file) };
      }),

    read: (key) =>
      disk(`GET ${key}`, async () => {
        const file = fileOf(key);
        const handle = file ? await open(file, 'r').catch(() => null) : null;
        if (!handle) throw new StoredObjectMissing(key);
        return handle.createReadStream();
      }),

    put: (key, body, { contentType }) =>
      disk(`PUT ${key}`, async () => {
        const file = fileOrThrow(key);
        await commit(file, contentType, (temp) => (Buffer.isBuffer(body) ? writeFile(temp, body, { flag: 'wx' }) : pipeline(body, createWriteStream(temp, { flags: 'wx' }))));
      }),

    delete: (keys) =>
      disk(`DELETE ${keys.length} objects`, async () => {
        for (const key of keys) {
          const file = fileOf(key);
          if (!file) continue;
          await rm(file, { force: true });
          await rm(metaFileOf(file), { force: true });
          await pruneEmptyFolders(file);
        }
      }),

    async ping() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, fsConstants.R_OK | fsConstants.W_OK);
      } catch (error) {
        throw new StorageUnavailable('local-storage', `local storage: ${root} is not a writable folder: ${(error as Error).message}`, { cause: error });
      }
    },

    async close() {},
  };
};

