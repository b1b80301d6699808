import { readFile } from 'node:fs/promises';
import { encode } from 'blurhash';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { IMAGE_MAX_PIXELS } from '../../kernel/limits.js';
import { describe, isRetryableFault, rejected } from './failure.js';
import type { MadeVariant, ProcessingResult, ProcessingSuccess } from './processing.js';

// Images with sharp (docs/architecture.md "Media"):
// - the header is read first, so a decompression bomb is refused (MEDIA_TOO_MANY_PIXELS) before a
//   pixel is decoded; decoding then runs with `limitInputPixels` and `failOn: 'error'` as well;
// - auto-oriented (EXIF Orientation applied, so width and height are those shown), and every
//   output stripped of EXIF (GPS included) and XMP, keeping only the ICC colour profile;
// - decoded once: one pipeline decodes (JPEG shrink-on-load included), orients and scales to the
//   widest variant into an uncompressed TIFF that keeps the profile; every variant, the blurhash
//   and the dominant colour are made from that in parallel;
// - an animated GIF or WebP gives its first frame.

/** The nominal widths of the sized variants, widest first; each variant is named by its width. */
export const IMAGE_WIDTHS = [1080, 640, 320] as const;
/** The side of the square, cover-cropped `thumb` (smaller only when the image itself is). */
export const THUMB_SIZE = 150;
/** blurhash components (x by y). */
export const BLURHASH_COMPONENTS = 4;
/** The side of the small sRGB rendition that the blurhash and the dominant colour are computed on. */
const SUMMARY_SIZE = 32;

const FORMATS = [
  { extension: 'webp', contentType: 'image/webp', encode: (image: Sharp) => image.webp({ quality: 80 }) },
  { extension: 'jpg', contentType: 'image/jpeg', encode: (image: Sharp) => image.flatten({ background: '#ffffff' }).jpeg({ quality: 80 }) },
] as const;

export interface PlannedWidth {
  name: string;
  width: number;
}

/**
 * The sized variants of an image `width` px wide (after orientation). Never upscaled: a nominal
 * width wider than the image is skipped, except that the image's own width is kept, under the
 * name of the smallest nominal width at least as wide (a 500 px image gives `320` and `640`, the
 * latter 500 px wide; a 200 px one gives only `320`, 200 px wide). So there is always at least
 * one, no two have the same width, and the widest is min(1080, width).
 */
export const planVariantWidths = (width: number): PlannedWidth[] => {
  const planned: PlannedWidth[] = [];
  for (const nominal of [...IMAGE_WIDTHS].reverse()) {
    if (width >= nominal) {
      planned.push({ name: String(nominal), width: nominal });
      continue;
    }
    if (width > (planned.at(-1)?.width ?? 0)) planned.push({ name: String(nominal), width });
    break;
  }
  return planned.reverse();
};

/** Width and height as shown, once the EXIF orientation (5 to 8 turn the image a quarter) is applied. */
export const orientedSize = (metadata: Pick<Metadata, 'width' | 'height' | 'orientation'>): { width: number; height: number } =>
  (metadata.orientation ?? 1) >= 5 ? { width: metadata.height ?? 0, height: metadata.width ?? 0 } : { width: metadata.width ?? 0, height: metadata.height ?? 0 };

const decodeOptions: SharpOptions = { limitInputPixels: IMAGE_MAX_PIXELS, failOn: 'error', autoOrient: true };

const hex = (value: number): string => Math.max(0, Math.min(255, Math.round(value))).toString(16).padStart(2, '0');

// sharp's prebuilt libvips reads HEIF only with AV1 inside (AVIF): HEVC-coded HEIC photos (an
// iPhone's default) are refused as unsupported, not corrupt, with a message that says what to do.
const HEVC_DECODER = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
const HEIC_UNSUPPORTED = 'HEIC (HEVC-coded) photos cannot be decoded here: upload a JPEG (on an iPhone, Settings > Camera > Formats > Most Compatible)';

/** A file sniffed as HEIC that sharp cannot read is unsupported here; any other is corrupt. */
const undecodable = (detectedType: string, message: string) =>
  detectedType === 'image/heic' && !HEVC_DECODER ? rejected('MEDIA_UNSUPPORTED', HEIC_UNSUPPORTED) : rejected('MEDIA_CORRUPT', message);

export type ImageRenditions = Pick<ProcessingSuccess, 'width' | 'height' | 'blurhash' | 'dominantColor' | 'variants'>;

const SHARP_FORMATS: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'image/heic': 'heif', 'image/heif': 'heif', 'image/avif': 'heif' };

/**
 * Every rendition of the image in the file at `path` (sniffed as `detectedType`), or why not.
 * Never throws for bad bytes; throws only for faults of the machine (isRetryableFault).
 */
export const renderImage = async (path: string, detectedType: string): Promise<ImageRenditions | ReturnType<typeof rejected>> => {
  // Read into memory (at most IMAGE_MAX_BYTES), not opened by path: libvips caches files it opened
  // by name, which would hold deleted temporary files open and could answer a reused path with
  // the old file's pixels.
  const bytes = await readFile(path);
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    if (isRetryableFault(error)) throw error;
    return undecodable(detectedType, `the image could not be read: ${describe(error)}`);
  }
  const expectedFormat = SHARP_FORMATS[detectedType];
  if (expectedFormat !== undefined && metadata.format !== expectedFormat) {
    return rejected('MEDIA_CORRUPT', `the bytes start as ${detectedType} but do not decode as one (${metadata.format ?? 'unknown'})`);
  }
  if (metadata.format === 'heif' && metadata.compression === 'hevc' && !HEVC_DECODER) return rejected('MEDIA_UNSUPPORTED', HEIC_UNSUPPORTED);
  const stored = { width: metadata.width ?? 0, height: metadata.height ?? 0 };
  if (stored.width < 1 || stored.height < 1) return rejected('MEDIA_CORRUPT', 'the image has no dimensions');
  if (stored.width * stored.height > IMAGE_MAX_PIXELS) {
    return rejected('MEDIA_TOO_MANY_PIXELS', `the image is ${stored.width}x${stored.height}, more than ${IMAGE_MAX_PIXELS / 1_000_000} megapixels`);
  }
  const shown = orientedSize(metadata);
  // A CMYK profile cannot travel with RGB WebP and JPEG variants: those are converted to sRGB instead.
  const keepProfile = metadata.icc !== undefined && metadata.space !== 'cmyk';
  try {
    const planned = planVariantWidths(shown.width);
    const widest = planned[0]!.width;
    let decoded = sharp(bytes, decodeOptions);
    if (widest < shown.width) decoded = decoded.resize({ width: widest });
    if (keepProfile) decoded = decoded.keepIccProfile();
    const master = await decoded.tiff({ compression: 'none' }).toBuffer({ resolveWithObject: true });
    const from = (): Sharp => {
      const image = sharp(master.data, { failOn: 'error' });
      return keepProfile ? image.keepIccProfile() : image;
    };
    const thumb = Math.min(THUMB_SIZE, master.info.width, master.info.height);
    const jobs: { name: string; shape: (image: Sharp) => Sharp }[] = [
      ...planned.map(({ name, width }) => ({ name, shape: (image: Sharp) => (width < master.info.width ? image.resize({ width }) : image) })),
      { name: 'thumb', shape: (image: Sharp) => image.resize(thumb, thumb, { fit: 'cover' }) },
    ];
    const made = Promise.all(
      jobs.flatMap(({ name, shape }) =>
        FORMATS.map(async (format): Promise<MadeVariant> => {
          const { data, info } = await format.encode(shape(from())).toBuffer({ resolveWithObject: true });
          return { name, extension: format.extension, contentType: format.contentType, width: info.width, height: info.height, body: data, size: data.length };
        }),
      ),
    );
    const summary = sharp(master.data)
      .flatten({ background: '#ffffff' })
      .resize(SUMMARY_SIZE, SUMMARY_SIZE, { fit: 'inside' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const [variants, small] = await Promise.all([made, summary]);
    const { dominant } = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 4 } }).stats();
    return {
      width: shown.width,
      height: shown.height,
      blurhash: encode(new Uint8ClampedArray(small.data.buffer, small.data.byteOffset, small.data.length), small.info.width, small.info.height, BLURHASH_COMPONENTS, BLURHASH_COMPONENTS),
      dominantColor: `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`,
      variants,
    };
  } catch (error) {
    if (isRetryableFault(error)) throw error;
    const message = describe(error);
    if (/pixel limit/i.test(message)) return rejected('MEDIA_TOO_MANY_PIXELS', `the image decodes to more than ${IMAGE_MAX_PIXELS / 1_000_000} megapixels`);
    return undecodable(detectedType, `the image could not be decoded: ${message}`);
  }
};

/** An image file to its variants, dimensions, blurhash and dominant colour. */
export const processImage = async (path: string, detectedType: string): Promise<ProcessingResult> => {
  const rendered = await renderImage(path, detectedType);
  if ('outcome' in rendered) return rendered;
  return { outcome: 'processed', type: 'image', detectedType, ...rendered };
};
