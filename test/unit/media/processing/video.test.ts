import { readFile, writeFile } from 'node:fs/promises';
import { isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessMedia, processMedia } from '../../../../media/processing/index.js';
import type { ProcessingResult, ProcessingSuccess } from '../../../../media/processing/processing.js';
import { sniffMediaType } from '../../../../media/processing/sniff.js';
import { probeVideo, remuxable, transcodedSize } from '../../../../media/processing/video.js';
import { makeAudioOnlyMp4, makeJpeg, makeVideo, scratchFolder, topLevelAtoms, type VideoFixtureOptions } from '../../../support/media-fixtures.js';

// The video path of processMedia (media/processing/video.ts), with the bundled ffmpeg and ffprobe
// on videos they generate (small, a few seconds, so that the suite stays quick).

let folder: Awaited<ReturnType<typeof scratchFolder>>;
beforeAll(async () => {
  folder = await scratchFolder('video-processing-');
});
afterAll(async () => {
  await folder.remove();
});

let count = 0;
const SECRETS = { title: 'Secret title', comment: 'hidden comment', location: '+48.8577+002.2950/' };

const video = (container: VideoFixtureOptions['container'], options: Partial<VideoFixtureOptions> = {}) =>
  makeVideo(folder.path, `fixture-${(count += 1)}.${container}`, { seconds: 2, container, ...options });

const process = (path: string, declaredType: string): Promise<ProcessingResult> => processMedia({ path, declaredType, workDir: folder.path });

const processed = async (path: string, declaredType: string): Promise<ProcessingSuccess> => {
  const result = await process(path, declaredType);
  if (result.outcome !== 'processed') throw new Error(`rejected: ${result.reason} ${result.message}`);
  return result;
};

const mp4Of = (result: ProcessingSuccess): string => {
  const made = result.variants.find((variant) => variant.name === 'video');
  if (made === undefined || Buffer.isBuffer(made.body)) throw new Error('the video variant is a file');
  return made.body.path;
};

/** H.264 yuv420p + AAC in an MP4 whose index (moov) comes before the data (mdat), with no tags of the upload. */
const expectWebReadyMp4 = async (result: ProcessingSuccess, audio = true) => {
  const path = mp4Of(result);
  const bytes = await readFile(path);
  expect(sniffMediaType(bytes)?.contentType).toBe('video/mp4');
  const atoms = topLevelAtoms(bytes);
  expect(atoms.indexOf('moov')).toBeGreaterThanOrEqual(0);
  expect(atoms.indexOf('moov')).toBeLessThan(atoms.indexOf('mdat'));
  const probe = (await probeVideo(path))!;
  expect(probe.video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: result.width, height: result.height });
  expect(probe.audio?.codec_name ?? null).toBe(audio ? 'aac' : null);
  expect(Object.keys(probe.tags).filter((tag) => !['major_brand', 'minor_version', 'compatible_brands'].includes(tag))).toEqual([]);
  expect(bytes.includes(Buffer.from('Secret title'))).toBe(false);
  expect(bytes.includes(Buffer.from('+48.8577'))).toBe(false);
  expect(result.width % 2).toBe(0);
  expect(result.height % 2).toBe(0);
  expect(result.width).toBeLessThanOrEqual(1080);
  expect(result.variants.find((variant) => variant.name === 'video')!.size).toBe(bytes.length);
};

/** A poster JPEG and the image variants made from it, each really the format it says. */
const expectPosterAndThumbs = async (result: ProcessingSuccess) => {
  const names = result.variants.map((variant) => `${variant.name}.${variant.extension}`);
  expect(names).toEqual(expect.arrayContaining(['video.mp4', 'poster.jpg', 'thumb.webp', 'thumb.jpg']));
  for (const variant of result.variants.filter((made) => made.name !== 'video')) {
    if (!Buffer.isBuffer(variant.body)) throw new Error('image variants are in memory');
    expect(sniffMediaType(variant.body)?.contentType).toBe(variant.contentType);
    const metadata = await sharp(variant.body).metadata();
    expect([metadata.width, metadata.height]).toEqual([variant.width, variant.height]);
  }
  expect(isBlurhashValid(result.blurhash).result).toBe(true);
  expect(result.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
};

describe('processMedia on videos', () => {
  it('an H.264/AAC MP4 is remuxed, not re-encoded: fast start, metadata stripped, poster and thumbs', async () => {
    const path = await video('mp4', { seconds: 3, metadata: SECRETS });
    const before = (await probeVideo(path))!;
    expect(before.tags).toMatchObject({ title: 'Secret title', location: SECRETS.location });
    expect(topLevelAtoms(await readFile(path)).indexOf('moov')).toBeGreaterThan(topLevelAtoms(await readFile(path)).indexOf('mdat'));
    expect(remuxable(before, 'video/mp4')).toBe(true);
    const result = await processed(path, 'video/mp4');
    expect(result).toMatchObject({ outcome: 'processed', type: 'video', detectedType: 'video/mp4', width: 320, height: 240 });
    expect(result.durationMs).toBeGreaterThanOrEqual(2900);
    expect(result.durationMs).toBeLessThanOrEqual(3100);
    await expectWebReadyMp4(result);
    await expectPosterAndThumbs(result);
    // Remuxed: the same H.264 stream (the fixture's ultrafast Constrained Baseline, not the High profile a transcode makes).
    expect((await probeVideo(mp4Of(result)))!.video!.profile).toBe(before.video!.profile);
  });

  it('a MOV (Motion JPEG, PCM) is transcoded to H.264/AAC MP4 with its location and title gone', async () => {
    const path = await video('mov', { metadata: SECRETS });
    expect((await probeVideo(path))!.tags).toMatchObject({ location: SECRETS.location });
    const result = await processed(path, 'video/quicktime');
    expect(result.detectedType).toBe('video/quicktime');
    await expectWebReadyMp4(result);
    await expectPosterAndThumbs(result);
    expect((await probeVideo(mp4Of(result)))!.video!.profile).toBe('High');
  });

  it('a WebM (VP8, Vorbis) is transcoded to H.264/AAC MP4', async () => {
    const path = await video('webm', { metadata: SECRETS });
    const result = await processed(path, 'video/webm');
    expect(result.detectedType).toBe('video/webm');
    await expectWebReadyMp4(result);
    await expectPosterAndThumbs(result);
  });

  it('a 1080p video is scaled to 1080 wide with an even height; one without sound stays silent', async () => {
    const path = await video('mp4-mpeg4', { width: 1920, height: 1080, audio: false, seconds: 1, fps: 5 });
    const result = await processed(path, 'video/mp4');
    expect([result.width, result.height]).toEqual([1080, 608]);
    await expectWebReadyMp4(result, false);
  });

  it('a rotated phone video is turned upright (width and height as shown), not remuxed', async () => {
    const path = await video('mp4', { rotate: 90, faststart: true });
    const before = (await probeVideo(path))!;
    expect(before.rotation % 180).toBe(90);
    expect(remuxable(before, 'video/mp4')).toBe(false);
    const result = await processed(path, 'video/mp4');
    expect([result.width, result.height]).toEqual([240, 320]);
    await expectWebReadyMp4(result);
  });

  it('refuses a video longer than 90 s as MEDIA_TOO_LONG, but not one a few ms over it (a WebM of 90 s probes as 90.003 s)', async () => {
    const path = await video('mp4', { seconds: 91, width: 64, height: 64, fps: 5, audio: false });
    expect(await process(path, 'video/mp4')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TOO_LONG' });
    const limit = await video('mp4', { seconds: 90.05, width: 64, height: 64, fps: 20, audio: false });
    expect((await probeVideo(limit))!.durationMs).toBe(90_050);
    expect(await process(limit, 'video/mp4')).toMatchObject({ outcome: 'processed', durationMs: 90_050 });
  });

  it('rejects an MP4 without video, a truncated one and ftyp over noise as MEDIA_CORRUPT', async () => {
    expect(await process(await makeAudioOnlyMp4(folder.path, 'audio.mp4'), 'video/mp4')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
    const whole = await readFile(await video('mp4'));
    const truncated = `${folder.path}/truncated.mp4`;
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(await process(truncated, 'video/mp4')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
    const noise = Buffer.concat([whole.subarray(0, 32), Buffer.alloc(4096, 0x5a)]);
    const garbage = `${folder.path}/garbage.mp4`;
    await writeFile(garbage, noise);
    expect(await process(garbage, 'video/mp4')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
  });

  it('a video that ffmpeg cannot finish within its time limit is rejected (MEDIA_CORRUPT), not retried for ever', async () => {
    const impatient = createProcessMedia({ baseTimeoutMs: 1, timeoutPerSecond: 0 });
    const result = await impatient({ path: await video('mov', { seconds: 1 }), declaredType: 'video/quicktime', workDir: folder.path });
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_CORRUPT' });
    expect(result.outcome === 'rejected' && result.message).toMatch(/longer than/);
  });

  it('a video declared as an image, or an image declared as a video, is MEDIA_TYPE_MISMATCH', async () => {
    expect(await process(await video('mp4', { seconds: 1 }), 'image/jpeg')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TYPE_MISMATCH' });
    const photo = `${folder.path}/photo.jpg`;
    await writeFile(photo, await makeJpeg({ width: 32, height: 32 }));
    expect(await process(photo, 'video/quicktime')).toMatchObject({ outcome: 'rejected', reason: 'MEDIA_TYPE_MISMATCH' });
  });
});

describe('transcodedSize', () => {
  const size = (width: number, height: number, rotation = 0, sample_aspect_ratio?: string) => transcodedSize({ video: { width, height, sample_aspect_ratio }, rotation });

  it('is the picture as shown, at most 1080 wide, both sides even, the aspect ratio kept', () => {
    expect(size(1920, 1080)).toEqual({ width: 1080, height: 608 });
    expect(size(320, 240)).toEqual({ width: 320, height: 240 });
    expect(size(321, 241)).toEqual({ width: 320, height: 240 });
    expect(size(1920, 1080, 90)).toEqual({ width: 1080, height: 1920 });
    expect(size(1920, 1080, 270)).toEqual({ width: 1080, height: 1920 });
    expect(size(3840, 2160, 180)).toEqual({ width: 1080, height: 608 });
  });

  it('turns non-square pixels square (anamorphic DVD-style 720x480 at 32:27 shows as 853x480, written 852x480 to be even)', () => {
    expect(size(720, 480, 0, '32:27')).toEqual({ width: 852, height: 480 });
    expect(size(720, 480, 0, '0:1')).toEqual({ width: 720, height: 480 });
  });
});
