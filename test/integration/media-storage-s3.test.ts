import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { backendOf } from '../../app/http/backend-errors.js';
import { createS3Storage } from '../../media/storage/s3/s3-storage.js';
import { mediaKeys, StorageUnavailable } from '../../media/storage/media-storage.js';
import { freePort } from '../../scripts/services/probe.js';
import { s3TestSettings } from '../support/s3.js';
import { mediaStorageContract } from './media-storage.contract.js';

// The MediaStorage contract on S3 (S3Proxy from Maven Central, authentication on: services:up's, or
// one test/support/s3.ts starts), then what only this adapter has.

mediaStorageContract('S3 (S3Proxy)', async () => {
  const settings = await s3TestSettings();
  const storage = createS3Storage(settings);
  const withCdn: ReturnType<typeof createS3Storage>[] = [];
  return {
    storage,
    withPublicBaseUrl: async (base) => {
      const cdn = createS3Storage({ ...settings, publicBaseUrl: base });
      withCdn.push(cdn);
      return cdn;
    },
    close: async () => {
      await Promise.all([storage, ...withCdn].map((store) => store.close()));
    },
  };
});

describe('S3 storage', () => {
  it('a presigned upload signs the content type and length as headers (not in the query), so the store checks them', async () => {
    const storage = createS3Storage(await s3TestSettings());
    const presigned = await storage.presignUpload({ key: mediaKeys.original(uuidv7()), contentType: 'video/mp4', size: 1234, signedAt: new Date(), expiresInSeconds: 900 });
    const signedHeaders = new URL(presigned.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-type', 'content-length', 'host']));
    expect(new URL(presigned.url).searchParams.get('X-Amz-Expires')).toBe('900');
    await storage.close();
  });

  it("the upload origin is the presigned URLs' (the web client's policy lets browsers connect there): path style, the endpoint's; virtual-hosted, the bucket's host", async () => {
    const settings = await s3TestSettings();
    const pathStyle = createS3Storage({ ...settings, forcePathStyle: true });
    const presigned = await pathStyle.presignUpload({ key: mediaKeys.original(uuidv7()), contentType: 'image/jpeg', size: 10, signedAt: new Date(), expiresInSeconds: 60 });
    expect(await pathStyle.uploadOrigin!()).toBe(new URL(presigned.url).origin);
    expect(await pathStyle.uploadOrigin!()).toBe(new URL(settings.endpoint!).origin);
    const aws = createS3Storage({ bucket: 'some-bucket', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, forcePathStyle: false });
    expect(await aws.uploadOrigin!()).toBe('https://some-bucket.s3.eu-west-1.amazonaws.com');
    await Promise.all([pathStyle.close(), aws.close()]);
  });

  it('a store that does not answer: ping, head and put throw StorageUnavailable naming s3, which the API answers with a 503 naming it', async () => {
    const settings = await s3TestSettings();
    const storage = createS3Storage({ ...settings, endpoint: `http://127.0.0.1:${await freePort()}` });
    const key = mediaKeys.original(uuidv7());
    const attempts = [() => storage.ping(), () => storage.head(key), () => storage.put(key, Buffer.from('x'), { contentType: 'image/jpeg' }), () => storage.read(key), () => storage.delete([key])];
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(StorageUnavailable);
      expect(backendOf(error)).toBe('s3');
    }
    await storage.close();
  });

  it('a bucket that does not exist fails ping naming s3 and the bucket', async () => {
    const settings = await s3TestSettings();
    const storage = createS3Storage({ ...settings, bucket: `absent-${uuidv7().slice(-12)}` });
    await expect(storage.ping()).rejects.toThrow(/^s3: bucket absent-/);
    await storage.close();
  });

});
