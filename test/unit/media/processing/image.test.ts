import { isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMedia } from '../../../../media/processing/index.js';
import type { ProcessingResult, ProcessingSuccess } from '../../../../media/processing/processing.js';
import { sniffMediaType } from '../../../../media/processing/sniff.js';
import {
  exifHasGps,
  makeAvif,
  makeBombPng,
  makeGarbageJpeg,
  makeGif,
  makeJpeg,
  makePng,
  makeTruncatedJpeg,
  makeWebp,
  PDF,
  scratchFolder,
  SVG,
  TEXT,
  writeFixture,
} from '../../../support/media-fixtures.js';

// The image path of processMedia (media/processing/image.ts), with real sharp on generated files.

let folder: Awaited<ReturnType<typeof scratchFolder>>;
beforeAll(async () => {
  folder = await scratchFolder('image-processing-');
});
afterAll(async () => {
  await folder.remove();
});

let count = 0;
const process = async (bytes: Buffer, declaredType: string): Promise<ProcessingResult> =>
  processMedia({ path: await writeFixture(folder.path, `upload-${(count += 1)}`, bytes), declaredType, workDir: folder.path });

const processed = async (bytes: Buffer, declaredType: string): Promise<ProcessingSuccess> => {
  const result = await process(bytes, declaredType);
  if (result.outcome !== 'processed') throw new Error(`rejected: ${result.reason} ${result.message}`);
  return result;
};

const body = (variant: ProcessingSuccess['variants'][number]): Buffer => {
  if (!Buffer.isBuffer(variant.body)) throw new Error('an image variant is held in memory');
  return variant.body;
};

const shape = (result: ProcessingSuccess) => result.variants.map(({ name, extension, width, height }) => `${name}.${extension} ${width}x${height}`);

/** Every variant's bytes are what its content type says, and its size and dimensions are the real ones. */
const expectTrueVariants = async (result: ProcessingSuccess) => {
  for (const variant of result.variants) {
    const bytes = body(variant);
    expect(sniffMediaType(bytes)?.contentType, `${variant.name}.${variant.extension}`).toBe(variant.contentType);
    expect(variant.size).toBe(bytes.length);
    const metadata = await sharp(bytes).metadata();
    expect([metadata.width, metadata.height]).toEqual([variant.width, variant.height]);
    expect(variant.extension).toBe(variant.contentType === 'image/webp' ? 'webp' : 'jpg');
  }
};

describe('processMedia on images', () => {
  it('a JPEG wider than 1080 gives 1080, 640 and 320 wide variants and a 150 px square thumb, each in WebP and JPEG', async () => {
    const result = await processed(await makeJpeg({ width: 1600, height: 1200 }), 'image/jpeg');
    expect(result).toMatchObject({ outcome: 'processed', type: 'image', detectedType: 'image/jpeg', width: 1600, height: 1200 });
    expect(shape(result)).toEqual([
      '1080.webp 1080x810', '1080.jpg 1080x810', '640.webp 640x480', '640.jpg 640x480',
      '320.webp 320x240', '320.jpg 320x240', 'thumb.webp 150x150', 'thumb.jpg 150x150',
    ]);
    await expectTrueVariants(result);
    expect(isBlurhashValid(result.blurhash)).toEqual({ result: true });
    expect(result.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('never upscales: a 500 px image keeps its own width as `640`, then 320', async () => {
    const result = await processed(await makePng({ width: 500, height: 250 }), 'image/png');
    expect(shape(result)).toEqual(['640.webp 500x250', '640.jpg 500x250', '320.webp 320x160', '320.jpg 320x160', 'thumb.webp 150x150', 'thumb.jpg 150x150']);
    const tiny = await processed(await makePng({ width: 90, height: 60 }), 'image/png');
    expect(shape(tiny)).toEqual(['320.webp 90x60', '320.jpg 90x60', 'thumb.webp 60x60', 'thumb.jpg 60x60']);
  });

  it('reads PNG (with alpha: kept in WebP, flattened in JPEG), WebP, GIF and AVIF', async () => {
    const png = await processed(await makePng({ width: 400, height: 300, alpha: true }), 'image/png');
    expect(png.detectedType).toBe('image/png');
    expect((await sharp(body(png.variants[0]!)).metadata()).hasAlpha).toBe(true);
    expect((await sharp(body(png.variants[1]!)).metadata()).hasAlpha).toBe(false);
    await expectTrueVariants(png);
    for (const [bytes, type] of [
      [await makeWebp({ width: 700, height: 350 }), 'image/webp'],
      [await makeGif({ width: 330, height: 200 }), 'image/gif'],
      [await makeAvif({ width: 400, height: 400 }), 'image/avif'],
    ] as const) {
      const result = await processed(bytes, 'image/jpeg');
      expect(result.detectedType, type).toBe(type);
      expect(result.variants.length).toBeGreaterThanOrEqual(4);
      await expectTrueVariants(result);
      expect(isBlurhashValid(result.blurhash).result).toBe(true);
    }
  });

  it('an animated GIF gives still variants of its first frame', async () => {
    const gif = await makeGif({ width: 200, height: 120, frames: 4 });
    expect((await sharp(gif).metadata()).pages).toBe(4);
    const result = await processed(gif, 'image/gif');
    expect([result.width, result.height]).toEqual([200, 120]);
    for (const variant of result.variants) expect((await sharp(body(variant)).metadata()).pages ?? 1).toBe(1);
  });

  it('applies EXIF orientation 6: a 1200x800 stored photo comes out 800x1200, turned a quarter clockwise', async () => {
    const result = await processed(await makeJpeg({ width: 1200, height: 800, orientation: 6 }), 'image/jpeg');
    expect([result.width, result.height]).toEqual([800, 1200]);
    const widest = result.variants.find((variant) => variant.extension === 'jpg')!;
    expect([widest.width, widest.height]).toEqual([800, 1200]);
    // The red marker, stored top left, is shown top right once turned clockwise.
    const { data, info } = await sharp(body(widest)).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(pixel(info.width - 10, 10)[0]).toBeGreaterThan(200);
    expect(pixel(10, 10)[0]).toBeLessThan(200);
    expect((await sharp(body(widest)).metadata()).orientation ?? 1).toBe(1);
  });

  it('strips EXIF (GPS included) and XMP from every variant, and keeps the ICC colour profile', async () => {
    const original = await makeJpeg({ width: 1200, height: 900, gps: true, icc: 'p3', xmp: true });
    const before = await sharp(original).metadata();
    expect(exifHasGps(before.exif)).toBe(true);
    expect(before.xmp).toBeDefined();
    expect(before.icc).toBeDefined();
    const result = await processed(original, 'image/jpeg');
    for (const variant of result.variants) {
      const after = await sharp(body(variant)).metadata();
      expect(after.exif, `${variant.name}.${variant.extension}`).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.icc?.equals(before.icc!)).toBe(true);
      expect(body(variant).includes(Buffer.from('Secret Photographer'))).toBe(false);
      expect(body(variant).includes(Buffer.from('Acme'))).toBe(false);
    }
  });

  it('refuses a decompression bomb from its header (MEDIA_TOO_MANY_PIXELS), without decoding it', async () => {
    // The bomb's header claims 400 megapixels over 8x8 pixels of data: decoding would fail as
    // corrupt, so the pixel refusal can only have come from the header.
    const result = await process(await makeBombPng(), 'image/png');
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TOO_MANY_PIXELS' });
    expect(result.outcome === 'rejected' && result.message).toContain('20000x20000');
  });

  it('rejects a truncated JPEG and JPEG magic over noise as MEDIA_CORRUPT', async () => {
    expect(await process(await makeTruncatedJpeg(), 'image/jpeg')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
    expect(await process(makeGarbageJpeg(), 'image/jpeg')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
  });

  it('rejects SVG, text and PDF as MEDIA_UNSUPPORTED, whatever they are declared as', async () => {
    for (const bytes of [SVG, TEXT, PDF]) expect(await process(bytes, 'image/png')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_UNSUPPORTED' });
  });

  it('rejects a HEIC that this sharp cannot decode as MEDIA_UNSUPPORTED, saying what to upload instead', async () => {
    const brands = Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1');
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 8 + brands.length - 4]), brands, Buffer.alloc(512, 0x11)]);
    const result = await process(heic, 'image/heic');
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_UNSUPPORTED' });
    expect(result.outcome === 'rejected' && result.message).toContain('JPEG');
  });

  it('rejects an image declared as a video as MEDIA_TYPE_MISMATCH', async () => {
    expect(await process(await makeJpeg({ width: 64, height: 64 }), 'video/mp4')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TYPE_MISMATCH' });
  });

  it('rejects an image over IMAGE_MAX_BYTES as MEDIA_TOO_LARGE before decoding it', async () => {
    const oversized = Buffer.concat([await makeJpeg({ width: 64, height: 64 }), Buffer.alloc(16 * 1024 * 1024)]);
    expect(await process(oversized, 'image/jpeg')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TOO_LARGE' });
  });

  it('throws, rather than rejects, when the file itself is missing (a fault of the worker, worth a retry)', async () => {
    await expect(processMedia({ path: `${folder.path}/nothing-here`, declaredType: 'image/jpeg', workDir: folder.path })).rejects.toThrow(/ENOENT/);
  });
});
