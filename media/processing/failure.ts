import type { ProcessingFailure } from './processing.js';

// Bad bytes are an answer (a ProcessingFailure the worker records as MediaRejected), never an
// exception; only faults that a retry may cure are thrown (processing.ts `ProcessMedia`).

/** The reason codes processing answers with; each is in kernel/errors.ts. */
export type RejectionReason = 'MEDIA_UNSUPPORTED' | 'MEDIA_TYPE_MISMATCH' | 'MEDIA_CORRUPT' | 'MEDIA_TOO_MANY_PIXELS' | 'MEDIA_TOO_LONG' | 'MEDIA_TOO_LARGE';

export const rejected = (reason: RejectionReason, message: string): ProcessingFailure => ({ outcome: 'rejected', reason, message });

// System errors of the machine, not of the file: a full disk, no file handles or memory left, an
// I/O error. A retry (maybe on another worker) may well succeed.
const RETRYABLE_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'ENOMEM', 'EIO', 'EAGAIN', 'EBUSY', 'EDQUOT', 'EROFS']);

export const isRetryableFault = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /no space left on device|out of memory|too many open files/i.test(message);
};

/** The first line of an error, short enough to show to the uploader. */
export const describe = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((part) => part.trim() !== '') ?? 'unknown error';
  return line.trim().slice(0, 200);
};
