import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { FFMPEG_PATH } from '../../media/processing/ffmpeg.js';

// Media fixtures made at test time with sharp and the bundled ffmpeg, never downloaded: photos of
// any size with EXIF orientation, GPS, XMP and an ICC profile, every supported image format, files
// that are not what they claim (truncated, SVG, text), a decompression bomb, and videos of n
// seconds in MP4, MOV and WebM with metadata to strip.

const run = promisify(execFile);

/** A smooth picture with a red top-left corner marker (so that a rotation can be seen), as raw RGB. */
const picture = (width: number, height: number): Buffer => {
  const pixels = Buffer.alloc(width * height * 3);
  const marker = Math.max(1, Math.floor(Math.min(width, height) / 8));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      if (x < marker && y < marker) {
        pixels[at] = 255;
        pixels[at + 1] = 0;
        pixels[at + 2] = 0;
        continue;
      }
      // A gradient with some texture, so encoders have something like a photo to work on.
      const texture = ((x * 7 + y * 13) % 23) - 11;
      pixels[at] = 40 + Math.floor((150 * x) / width) + texture;
      pixels[at + 1] = 80 + Math.floor((120 * y) / height) + texture;
      pixels[at + 2] = 160 - Math.floor((100 * (x + y)) / (width + height)) + texture;
    }
  }
  return pixels;
};

const canvas = (width: number, height: number) => sharp(picture(width, height), { raw: { width, height, channels: 3 } });

export const XMP_PACKET =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Secret Photographer</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';

export interface JpegOptions {
  width: number;
  height: number;
  /** EXIF Orientation, 1 to 8 (6: the camera was turned a quarter clockwise). */
  orientation?: number;
  /** Write a GPS position (and a camera Make) into the EXIF. */
  gps?: boolean;
  /** Embed this built-in ICC profile (default none). */
  icc?: 'p3' | 'srgb';
  xmp?: boolean;
  quality?: number;
}

/** A JPEG of `width` x `height` stored pixels (as stored: the orientation turns what is shown). */
export const makeJpeg = async ({ width, height, orientation, gps = false, icc, xmp = false, quality = 90 }: JpegOptions): Promise<Buffer> => {
  let image = canvas(width, height).jpeg({ quality });
  if (icc !== undefined) image = image.withIccProfile(icc);
  if (gps) image = image.withExif({ IFD0: { Make: 'Acme', Model: 'Phone 1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' } });
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  if (xmp) image = image.withXmp(XMP_PACKET);
  return image.toBuffer();
};

/** Whether an EXIF block holds a GPS IFD (tag 0x8825, in either byte order). */
export const exifHasGps = (exif: Buffer | undefined): boolean =>
  exif !== undefined && (exif.includes(Buffer.from([0x25, 0x88, 0x04, 0x00])) || exif.includes(Buffer.from([0x88, 0x25, 0x00, 0x04])));

export const makePng = async ({ width, height, alpha = false }: { width: number; height: number; alpha?: boolean }): Promise<Buffer> =>
  (alpha ? canvas(width, height).ensureAlpha(0.5) : canvas(width, height)).png().toBuffer();

export const makeWebp = async ({ width, height }: { width: number; height: number }): Promise<Buffer> => canvas(width, height).webp().toBuffer();

export const makeAvif = async ({ width, height }: { width: number; height: number }): Promise<Buffer> => canvas(width, height).avif({ effort: 0 }).toBuffer();

/** A GIF, animated when `frames` > 1 (each frame a shade darker). */
export const makeGif = async ({ width, height, frames = 1 }: { width: number; height: number; frames?: number }): Promise<Buffer> => {
  if (frames <= 1) return canvas(width, height).gif({ effort: 1 }).toBuffer();
  const pages = await Promise.all(Array.from({ length: frames }, (_, i) => canvas(width, height).linear(1 - i / (frames * 2), 0).png().toBuffer()));
  return sharp(pages, { join: { animated: true } }).gif({ delay: 100, effort: 1 }).toBuffer();
};

/** A JPEG cut off after `keep` of its bytes (default half): its header reads, its pixels do not. */
export const makeTruncatedJpeg = async ({ width = 400, height = 300, keep = 0.5 } = {}): Promise<Buffer> => {
  const whole = await makeJpeg({ width, height });
  return whole.subarray(0, Math.floor(whole.length * keep));
};

/** JPEG magic followed by noise: a file that claims to be a JPEG and is not one. */
export const makeGarbageJpeg = (length = 2048): Buffer => {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 131 + 17) % 251;
  bytes[0] = 0xff;
  bytes[1] = 0xd8;
  bytes[2] = 0xff;
  return bytes;
};

export const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script><rect width="100" height="100" fill="red"/></svg>');
export const TEXT = Buffer.from('just some text, not a picture\n');
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

/**
 * A decompression bomb: a PNG whose header claims `width` x `height` (default 20,000 x 20,000, 400
 * megapixels) over a few bytes of data. Its header reads; decoding it would fail (or, were the data
 * there, take gigabytes), so a refusal that names the pixel count proves nothing was decoded.
 */
export const makeBombPng = async ({ width = 20_000, height = 20_000 } = {}): Promise<Buffer> => {
  const small = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000000' } }).png().toBuffer();
  const png = Buffer.from(small);
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ... CRC over type + data (13).
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
};

/** A folder for a test's files, and a function that removes it. */
export const scratchFolder = async (prefix = 'media-'): Promise<{ path: string; remove: () => Promise<void> }> => {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
};

/** Writes bytes into a folder and answers the file's path. */
export const writeFixture = async (folder: string, name: string, bytes: Buffer): Promise<string> => {
  const path = join(folder, name);
  await writeFile(path, bytes);
  return path;
};

export interface VideoFixtureOptions {
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  /** mp4 (H.264 + AAC), mov (Motion JPEG + PCM, so it must be transcoded), webm (VP8 + Vorbis), mp4-mpeg4 (MPEG-4 part 2 in MP4). */
  container?: 'mp4' | 'mov' | 'webm' | 'mp4-mpeg4';
  audio?: boolean;
  /** Global tags to write (title, location, ...): processing must strip them. */
  metadata?: Record<string, string>;
  /** Rotation to tag the video stream with (a phone held upright), in degrees. */
  rotate?: number;
  /** Put the index (moov) at the front already. */
  faststart?: boolean;
}

const VIDEO_CODECS = {
  mp4: { video: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], audio: ['-c:a', 'aac'], format: 'mp4' },
  'mp4-mpeg4': { video: ['-c:v', 'mpeg4'], audio: ['-c:a', 'aac'], format: 'mp4' },
  mov: { video: ['-c:v', 'mjpeg', '-q:v', '5'], audio: ['-c:a', 'pcm_s16le'], format: 'mov' },
  webm: { video: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'], audio: ['-c:a', 'libvorbis'], format: 'webm' },
} as const;

/** A test-pattern video of `seconds` with a tone, written into `folder`; answers its path. */
export const makeVideo = async (folder: string, name: string, options: VideoFixtureOptions): Promise<string> => {
  const { seconds, width = 320, height = 240, fps = 25, container = 'mp4', audio = true, metadata = {}, rotate, faststart = false } = options;
  const path = join(folder, name);
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}:duration=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`);
  args.push('-t', String(seconds), '-threads', '2');
  for (const [key, value] of Object.entries(metadata)) args.push('-metadata', `${key}=${value}`);
  if (faststart) args.push('-movflags', '+faststart');
  const codecs = VIDEO_CODECS[container];
  args.push(...codecs.video, ...(audio ? codecs.audio : []), '-f', codecs.format);
  // This ffmpeg writes a rotation (the display matrix) only when copying streams: a second pass.
  const encoded = rotate === undefined ? path : `${path}.unrotated`;
  await run(FFMPEG_PATH, [...args, encoded], { timeout: 120_000, maxBuffer: 1024 * 1024 });
  if (rotate !== undefined) {
    await run(FFMPEG_PATH, ['-v', 'error', '-y', '-i', encoded, '-map', '0', '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, ...(faststart ? ['-movflags', '+faststart'] : []), '-f', codecs.format, path], { timeout: 60_000 });
    await rm(encoded);
  }
  return path;
};

/** The top-level boxes (atoms) of an MP4 file, in order: `moov` before `mdat` is a fast start. */
export const topLevelAtoms = (bytes: Buffer): string[] => {
  const atoms: string[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    if (size === 0) size = bytes.length - at;
    atoms.push(type);
    if (size < 8) break;
    at += size;
  }
  return atoms;
};

/** An MP4 holding only an AAC tone: a video file with no video in it. */
export const makeAudioOnlyMp4 = async (folder: string, name: string, seconds = 1): Promise<string> => {
  const path = join(folder, name);
  await run(FFMPEG_PATH, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`, '-c:a', 'aac', '-f', 'mp4', path], { timeout: 60_000 });
  return path;
};
