import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { processMedia } from '../media/processing/index.js';
import { makeJpeg, makeVideo, scratchFolder, writeFixture } from '../test/support/media-fixtures.js';
import { printFigures } from './support/report.js';

// Media processing benchmark (issue 12): a 12-megapixel JPEG (4000x3000, generated) through
// processMedia to every variant (1080, 640, 320 and the 150 px thumb, each in WebP and JPEG, plus
// the blurhash and dominant colour), next to a same-run baseline of sharp alone decoding it and
// writing the 1080 px WebP. Budget (docs/architecture.md "Performance budgets"): processing at most 1.5x the baseline's time per
// image. Then the seconds of video processed per second of a 10 s 1080p clip (MPEG-4 part 2, so
// transcoded to H.264). Alternates the two image runs, so that drift of a shared machine hits both.
//   npm run bench:media    (MEDIA_BENCH_IMAGES, default 12; MEDIA_BENCH_VIDEO=0 skips the video)
const IMAGES = Number(process.env.MEDIA_BENCH_IMAGES ?? 12);
const WARM_UP = 2;
const VIDEO = process.env.MEDIA_BENCH_VIDEO !== '0';

const folder = await scratchFolder('bench-media-');
try {
  const photo = await writeFixture(folder.path, 'photo.jpg', await makeJpeg({ width: 4000, height: 3000, quality: 90, icc: 'p3', gps: true }));

  const baseline = async () => {
    await sharp(photo).resize({ width: 1080 }).webp({ quality: 80 }).toBuffer();
  };
  const processing = async () => {
    const result = await processMedia({ path: photo, declaredType: 'image/jpeg', workDir: folder.path });
    if (result.outcome !== 'processed') throw new Error(`rejected: ${result.reason} ${result.message}`);
  };
  const time = async (run: () => Promise<void>): Promise<number> => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };

  for (let i = 0; i < WARM_UP; i += 1) {
    await baseline();
    await processing();
  }
  const baselineMs: number[] = [];
  const processingMs: number[] = [];
  for (let i = 0; i < IMAGES; i += 1) {
    baselineMs.push(await time(baseline));
    processingMs.push(await time(processing));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

  const figures: Record<string, unknown> = {
    image: '4000x3000 JPEG',
    images: IMAGES,
    processingMsPerImage: round(mean(processingMs)),
    processingMsMedian: round(median(processingMs)),
    processingImagesPerSecond: round(1000 / mean(processingMs), 2),
    baselineMsPerImage: round(mean(baselineMs)),
    baselineMsMedian: round(median(baselineMs)),
    baselineImagesPerSecond: round(1000 / mean(baselineMs), 2),
    ratio: round(mean(processingMs) / mean(baselineMs), 2),
    ratioOfMedians: round(median(processingMs) / median(baselineMs), 2),
    budgetRatio: 1.5,
  };
  console.table([
    { run: 'processMedia (8 variants + blurhash + colour)', msPerImage: figures.processingMsPerImage, median: figures.processingMsMedian, imagesPerSecond: figures.processingImagesPerSecond },
    { run: 'baseline: sharp decode + 1080 WebP', msPerImage: figures.baselineMsPerImage, median: figures.baselineMsMedian, imagesPerSecond: figures.baselineImagesPerSecond },
  ]);
  console.log(`ratio ${String(figures.ratio)}, of the medians ${String(figures.ratioOfMedians)} (budget 1.5)`);

  if (VIDEO) {
    const clip = await makeVideo(folder.path, 'clip.mp4', { seconds: 10, width: 1920, height: 1080, fps: 30, container: 'mp4-mpeg4' });
    const started = performance.now();
    const result = await processMedia({ path: clip, declaredType: 'video/mp4', workDir: folder.path });
    const seconds = (performance.now() - started) / 1000;
    if (result.outcome !== 'processed') throw new Error(`rejected: ${result.reason} ${result.message}`);
    figures.video = '10 s 1920x1080 30 fps MPEG-4 to H.264 1080x608';
    figures.videoProcessingSeconds = round(seconds, 2);
    figures.videoSecondsPerSecond = round((result.durationMs ?? 0) / 1000 / seconds, 2);
    console.log(`video: 10 s of 1080p in ${String(figures.videoProcessingSeconds)} s (${String(figures.videoSecondsPerSecond)} video seconds per second)`);
  }
  printFigures('media-processing', figures);
} finally {
  await folder.remove();
}
