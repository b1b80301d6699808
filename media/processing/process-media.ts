import { stat } from 'node:fs/promises';
import { IMAGE_MAX_BYTES, VIDEO_MAX_BYTES } from '../../kernel/limits.js';
import { rejected } from './failure.js';
import { processImage } from './image.js';
import type { ProcessingInput, ProcessingResult, ProcessMedia } from './processing.js';
import { declaredKind, sniffFile } from './sniff.js';
import { processVideo, type VideoOptions } from './video.js';

// The processing library's entry point (processing.ts `ProcessMedia`): one uploaded file in, what
// it is and what was made of it out. Type from the bytes, never from the declared type: the bytes
// are sniffed, then must be of the kind declared (image for image, video for video), then within
// that kind's byte limit, and only then decoded.

const MAX_BYTES = { image: IMAGE_MAX_BYTES, video: VIDEO_MAX_BYTES } as const;
const megabytes = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;

export type ProcessingOptions = VideoOptions;

export const createProcessMedia =
  (options: ProcessingOptions = {}): ProcessMedia =>
  async ({ path, declaredType, workDir }: ProcessingInput): Promise<ProcessingResult> => {
    const { size } = await stat(path);
    const sniffed = await sniffFile(path);
    if (sniffed === null) return rejected('MEDIA_UNSUPPORTED', 'the bytes are not a JPEG, PNG, WebP, GIF, HEIC, AVIF, MP4, MOV or WebM file');
    const declared = declaredKind(declaredType);
    if (declared !== sniffed.kind) {
      return rejected('MEDIA_TYPE_MISMATCH', `declared as ${declaredType} but the bytes are ${sniffed.contentType}`);
    }
    if (size > MAX_BYTES[sniffed.kind]) {
      return rejected('MEDIA_TOO_LARGE', `the ${sniffed.kind} is ${megabytes(size)}, more than the ${megabytes(MAX_BYTES[sniffed.kind])} allowed`);
    }
    return sniffed.kind === 'image' ? processImage(path, sniffed.contentType) : processVideo({ path, workDir, detectedType: sniffed.contentType }, options);
  };

/** processMedia with the bundled ffmpeg and ffprobe and the default bounds. */
export const processMedia: ProcessMedia = createProcessMedia();
