import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { VIDEO_MAX_DURATION_MS } from '../../kernel/limits.js';
import { describe, isRetryableFault, rejected } from './failure.js';
import { FFMPEG_PATH, FFPROBE_PATH, lastLine, runBinary } from './ffmpeg.js';
import { renderImage } from './image.js';
import type { MadeVariant, ProcessingResult } from './processing.js';

// Videos with the bundled ffmpeg and ffprobe (docs/architecture.md "Media"):
// - probed first: no video stream or unreadable → MEDIA_CORRUPT; longer than
//   VIDEO_MAX_DURATION_MS → MEDIA_TOO_LONG (checked again on the output, for files whose header
//   tells no duration);
// - an H.264 (yuv420p, even size, at most 1080 wide, unrotated) MP4 or MOV with AAC audio or none is
//   remuxed without re-encoding (square pixels too); anything else is transcoded to H.264 yuv420p, at most 1080 wide
//   with even dimensions, and AAC; both ways the MP4 is written with `+faststart` (the index, `moov`,
//   before the data) and `-map_metadata -1` (no title, location, creation time or device left);
// - a poster frame (at 0.5 s, or the first frame of a shorter video), taken from the output, gives
//   the same image variants, blurhash and dominant colour as a photo, and the `poster` JPEG.
// Bounded: ffmpeg runs with `-threads 2`, killed past a timeout that grows with the duration; a
// file that takes longer is rejected rather than retried for ever.

export interface VideoOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /** ffmpeg's time limit is this plus `timeoutPerSecond` per second of video. */
  baseTimeoutMs?: number;
  timeoutPerSecond?: number;
  /** Encoder threads per ffmpeg run. */
  threads?: number;
}

export const MAX_VIDEO_WIDTH = 1080;
const POSTER_AT_SECONDS = 0.5;
const PROBE_TIMEOUT_MS = 30_000;
/**
 * Container timestamps and audio frames make a recording of exactly 90 s probe as a few
 * milliseconds longer (a WebM of 90 s reads 90.003 s): that much over the limit is still within it.
 */
export const DURATION_SLACK_MS = 100;

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  /** `1:1` for square pixels; `0:1` or absent when the file does not say. */
  sample_aspect_ratio?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

export interface Probe {
  formatName: string;
  durationMs: number | null;
  video: ProbedStream | null;
  audio: ProbedStream | null;
  tags: Record<string, string>;
  /** The rotation the file asks the player for, in degrees as ffprobe tells it (0, 90, 180, 270): 90 and 270 swap width and height. */
  rotation: number;
}

const toMs = (seconds: string | undefined): number | null => {
  const value = seconds === undefined ? Number.NaN : Number.parseFloat(seconds);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
};

/** ffprobe's view of a file, or null when it cannot read one. */
export const probeVideo = async (path: string, ffprobePath = FFPROBE_PATH): Promise<Probe | null> => {
  const run = await runBinary(ffprobePath, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', path], {
    timeoutMs: PROBE_TIMEOUT_MS,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (!run.ok) return null;
  let parsed: { format?: { format_name?: string; duration?: string; tags?: Record<string, string> }; streams?: ProbedStream[] };
  try {
    parsed = JSON.parse(run.stdout) as typeof parsed;
  } catch {
    return null;
  }
  const streams = parsed.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1) ?? null;
  const audio = streams.find((stream) => stream.codec_type === 'audio') ?? null;
  const tagged = Number.parseInt(video?.tags?.rotate ?? '', 10);
  const sideData = video?.side_data_list?.find((data) => typeof data.rotation === 'number')?.rotation;
  const rotation = (((Number.isFinite(tagged) ? tagged : (sideData ?? 0)) % 360) + 360) % 360;
  return {
    formatName: parsed.format?.format_name ?? '',
    durationMs: toMs(parsed.format?.duration) ?? toMs(video?.duration),
    video,
    audio,
    tags: parsed.format?.tags ?? {},
    rotation,
  };
};

/** The pixel aspect ratio (width of a pixel over its height), 1 when the file does not say. */
const pixelAspect = (stream: ProbedStream): number => {
  const [across, down] = (stream.sample_aspect_ratio ?? '1:1').split(':').map(Number);
  return across !== undefined && down !== undefined && across > 0 && down > 0 ? across / down : 1;
};

const even = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

/**
 * The size a transcode writes: the picture as shown (rotated, square pixels), at most
 * MAX_VIDEO_WIDTH wide, both sides even (H.264 yuv420p needs it), the aspect ratio kept.
 */
export const transcodedSize = (probe: Pick<Probe, 'video' | 'rotation'>): { width: number; height: number } => {
  const stream = probe.video ?? {};
  const across = (stream.width ?? 2) * pixelAspect(stream);
  const down = stream.height ?? 2;
  const [shownWidth, shownHeight] = probe.rotation % 180 === 90 ? [down, across] : [across, down];
  const width = Math.max(2, 2 * Math.floor(Math.min(MAX_VIDEO_WIDTH, shownWidth) / 2));
  return { width, height: even((width * shownHeight) / shownWidth) };
};

/** Whether the file can be kept as it is, only remuxed (faststart, metadata stripped). */
export const remuxable = (probe: Probe, detectedType: string): boolean => {
  const { video, audio } = probe;
  if (detectedType !== 'video/mp4' && detectedType !== 'video/quicktime') return false;
  if (video === null || video.codec_name !== 'h264' || video.pix_fmt !== 'yuv420p') return false;
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width > MAX_VIDEO_WIDTH || width % 2 !== 0 || height % 2 !== 0 || probe.rotation !== 0 || pixelAspect(video) !== 1) return false;
  return audio === null || audio.codec_name === 'aac';
};

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export const processVideo = async (
  { path, workDir, detectedType }: { path: string; workDir: string; detectedType: string },
  options: VideoOptions = {},
): Promise<ProcessingResult> => {
  const ffmpeg = options.ffmpegPath ?? FFMPEG_PATH;
  const ffprobe = options.ffprobePath ?? FFPROBE_PATH;
  const threads = String(options.threads ?? 2);
  const input = await probeVideo(path, ffprobe);
  if (input === null) return rejected('MEDIA_CORRUPT', 'the video could not be read');
  if (input.video === null) return rejected('MEDIA_CORRUPT', 'the file holds no video stream');
  if (input.durationMs !== null && input.durationMs > VIDEO_MAX_DURATION_MS + DURATION_SLACK_MS) {
    return rejected('MEDIA_TOO_LONG', `the video lasts ${seconds(input.durationMs)}, more than ${seconds(VIDEO_MAX_DURATION_MS)}`);
  }
  const expectedSeconds = (input.durationMs ?? VIDEO_MAX_DURATION_MS) / 1000;
  const timeoutMs = (options.baseTimeoutMs ?? 60_000) + (options.timeoutPerSecond ?? 5_000) * expectedSeconds;
  const folder = await mkdtemp(join(workDir, 'video-'));
  const output = join(folder, 'video.mp4');
  const keep = remuxable(input, detectedType);
  const target = transcodedSize(input);
  const codecs = keep
    ? ['-c', 'copy']
    : [
        '-vf',
        // ffmpeg turns the picture upright first (autorotate), so the scale is to the size as shown.
        `scale=${target.width}:${target.height},setsar=1,format=yuv420p`,
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
      ];
  const transcode = await runBinary(
    ffmpeg,
    [
      '-hide_banner', '-nostdin', '-y', '-v', 'error', '-threads', threads,
      '-i', path,
      '-map', '0:v:0', '-map', '0:a:0?',
      '-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact',
      // Past the limit plus a second, a video of unknown length is cut and then refused below.
      '-t', String(VIDEO_MAX_DURATION_MS / 1000 + 1),
      ...codecs,
      '-threads', threads,
      '-movflags', '+faststart',
      '-f', 'mp4', output,
    ],
    { timeoutMs },
  );
  if (!transcode.ok) {
    if (isRetryableFault(new Error(transcode.stderr))) throw new Error(`ffmpeg: ${lastLine(transcode.stderr)}`);
    if (transcode.timedOut) return rejected('MEDIA_CORRUPT', `the video took longer than ${seconds(timeoutMs)} to process`);
    return rejected('MEDIA_CORRUPT', `the video could not be decoded: ${lastLine(transcode.stderr)}`);
  }
  const made = await probeVideo(output, ffprobe);
  if (made === null || made.video === null || made.durationMs === null) return rejected('MEDIA_CORRUPT', 'the video could not be decoded');
  // Checked again only for a file whose header told no duration (the output was cut just past the
  // limit): re-encoding may add a few milliseconds (audio priming) to one that was within it.
  if (input.durationMs === null && made.durationMs > VIDEO_MAX_DURATION_MS + DURATION_SLACK_MS) {
    return rejected('MEDIA_TOO_LONG', `the video lasts more than ${seconds(VIDEO_MAX_DURATION_MS)}`);
  }
  const poster = join(folder, 'poster.png');
  const frameAt = made.durationMs > 2 * POSTER_AT_SECONDS * 1000 ? POSTER_AT_SECONDS : 0;
  const frameArgs = (at: number) => ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-threads', threads, '-ss', String(at), '-i', output, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', poster];
  let frame = await runBinary(ffmpeg, frameArgs(frameAt), { timeoutMs: PROBE_TIMEOUT_MS });
  if (frame.ok && !(await exists(poster)) && frameAt > 0) frame = await runBinary(ffmpeg, frameArgs(0), { timeoutMs: PROBE_TIMEOUT_MS });
  if (!frame.ok || !(await exists(poster))) {
    if (!frame.ok && isRetryableFault(new Error(frame.stderr))) throw new Error(`ffmpeg: ${lastLine(frame.stderr)}`);
    return rejected('MEDIA_CORRUPT', 'no frame of the video could be decoded');
  }
  const rendered = await renderImage(poster, 'image/png');
  if ('outcome' in rendered) return rejected('MEDIA_CORRUPT', `the poster frame could not be made: ${rendered.message}`);
  let posterJpeg: { data: Buffer; info: OutputInfo };
  try {
    posterJpeg = await sharp(await readFile(poster)).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (isRetryableFault(error)) throw error;
    return rejected('MEDIA_CORRUPT', `the poster frame could not be made: ${describe(error)}`);
  }
  const width = made.video.width ?? rendered.width;
  const height = made.video.height ?? rendered.height;
  const { size } = await stat(output);
  const variants: MadeVariant[] = [
    { name: 'video', extension: 'mp4', contentType: 'video/mp4', width, height, body: { path: output }, size },
    { name: 'poster', extension: 'jpg', contentType: 'image/jpeg', width: posterJpeg.info.width, height: posterJpeg.info.height, body: posterJpeg.data, size: posterJpeg.data.length },
    ...rendered.variants,
  ];
  return {
    outcome: 'processed',
    type: 'video',
    detectedType,
    width,
    height,
    durationMs: made.durationMs,
    blurhash: rendered.blurhash,
    dominantColor: rendered.dominantColor,
    variants,
  };
};

const exists = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
};
