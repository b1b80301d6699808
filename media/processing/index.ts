export type { MadeVariant, ProcessingFailure, ProcessingInput, ProcessingResult, ProcessingSuccess, ProcessMedia } from './processing.js';
export { createProcessMedia, processMedia, type ProcessingOptions } from './process-media.js';
export { declaredKind, sniffFile, sniffMediaType, type MediaKind, type SniffedType } from './sniff.js';
export { IMAGE_WIDTHS, THUMB_SIZE, planVariantWidths, processImage } from './image.js';
export { isRetryableFault, type RejectionReason } from './failure.js';
export { DURATION_SLACK_MS, processVideo, probeVideo, remuxable, transcodedSize, type Probe, type VideoOptions } from './video.js';
export { FFMPEG_PATH, FFPROBE_PATH, runBinary } from './ffmpeg.js';
