import { Readable } from 'node:stream';
import type { MediaStorage, PresignedUpload, StoredObject } from '../../media/storage/media-storage.js';

// A MediaStorage in one process's memory, for fast tests of command handlers (like
// in-memory-event-store.ts). Presigned URLs are memory:// addresses that nothing serves: a test
// "uploads" by calling `upload(key, bytes)`. `setDown(true)` makes every call fail as an
// unreachable storage does, to test the 503s.

export interface InMemoryMediaStorage extends MediaStorage {
  /** Stores bytes under `key`, as a client's PUT to the presigned URL would. */
  upload(key: string, bytes: Buffer, contentType?: string): void;
  /** The stored keys, sorted. */
  keys(): string[];
  /** What presignUpload was asked, in order. */
  readonly presigned: { key: string; contentType: string; size: number }[];
  setDown(down: boolean): void;
}

export const createInMemoryMediaStorage = (): InMemoryMediaStorage => {
  const objects = new Map<string, { bytes: Buffer; contentType: string }>();
  const presigned: { key: string; contentType: string; size: number }[] = [];
  let down = false;
  const reachable = () => {
    if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  };

  return {
    backend: 'local',
    presigned,
    async presignUpload({ key, contentType, size, signedAt, expiresInSeconds }): Promise<PresignedUpload> {
      reachable();
      presigned.push({ key, contentType, size });
      const expiresAt = new Date(signedAt.getTime() + expiresInSeconds * 1000).toISOString();
      return {
        url: `memory://upload/${key}?expires=${encodeURIComponent(expiresAt)}`,
        method: 'PUT',
        headers: { 'content-type': contentType, 'content-length': String(size) },
        expiresAt,
      };
    },
    async downloadUrl({ key, signedAt, expiresInSeconds }) {
      reachable();
      return `memory://download/${key}?signedAt=${signedAt.getTime()}&ttl=${expiresInSeconds}`;
    },
    publicUrl: () => null,
    async head(key): Promise<StoredObject | null> {
      reachable();
      const object = objects.get(key);
      return object ? { size: object.bytes.length, contentType: object.contentType } : null;
    },
    async read(key) {
      reachable();
      const object = objects.get(key);
      if (!object) throw new Error(`no object ${key}`);
      return Readable.from([Buffer.from(object.bytes)]);
    },
    async put(key, body, { contentType }) {
      reachable();
      const chunks: Buffer[] = [];
      if (Buffer.isBuffer(body)) chunks.push(body);
      else for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
      objects.set(key, { bytes: Buffer.concat(chunks), contentType });
    },
    async delete(keys) {
      reachable();
      for (const key of keys) objects.delete(key);
    },
    async ping() {
      reachable();
    },
    async close() {},
    upload(key, bytes, contentType = 'application/octet-stream') {
      objects.set(key, { bytes: Buffer.from(bytes), contentType });
    },
    keys: () => [...objects.keys()].sort(),
    setDown(value) {
      down = value;
    },
  };
};
