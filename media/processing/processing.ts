// What processing takes and gives (docs/architecture.md "Media"). The processing library is pure
// of storage and of the event store: it reads one file and answers what it found and made; the
// worker (workers/media/) fetches the original, writes the variants and records the outcome.

/** One rendition made, not yet stored: the worker stores it under mediaKeys.variant(id, name, extension). */
export interface MadeVariant {
  /** `1080`, `640`, `320`, `thumb` (150 px square), `poster` for a video's frame, `video` for the MP4. */
  name: string;
  extension: string;
  contentType: string;
  width: number;
  height: number;
  /** The bytes, or a path to a file holding them (large transcoded videos). */
  body: Buffer | { path: string };
  size: number;
}

export interface ProcessingSuccess {
  outcome: 'processed';
  type: 'image' | 'video';
  /** The content type sniffed from the bytes. */
  detectedType: string;
  width: number;
  height: number;
  durationMs?: number;
  blurhash: string;
  dominantColor: string;
  variants: MadeVariant[];
}

export interface ProcessingFailure {
  outcome: 'rejected';
  /**
   * A stable code from the catalogue (kernel/errors.ts): MEDIA_UNSUPPORTED, MEDIA_TYPE_MISMATCH,
   * MEDIA_CORRUPT, MEDIA_TOO_MANY_PIXELS, MEDIA_TOO_LARGE, MEDIA_TOO_LONG (failure.ts `RejectionReason`).
   */
  reason: string;
  message: string;
}

export type ProcessingResult = ProcessingSuccess | ProcessingFailure;

export interface ProcessingInput {
  /** A local file holding the uploaded bytes (the worker downloads the original to a temporary folder). */
  path: string;
  /** What the client declared; the bytes must agree (image for image, video for video). */
  declaredType: string;
  /** A folder the processor may write large outputs into; removed by the caller. */
  workDir: string;
}

/** Never throws for bad bytes: those are a ProcessingFailure. Throws only for faults worth a retry. */
export type ProcessMedia = (input: ProcessingInput) => Promise<ProcessingResult>;
