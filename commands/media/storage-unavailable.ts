import { AppError } from '../../kernel/errors.js';

/**
 * The media storage failed (S3 unreachable or refusing, the local directory unwritable): the
 * HTTP layer answers 503 BACKEND_UNAVAILABLE naming "storage" (app/http/backend-errors.ts reads
 * `backend`). Refusals with a catalogue code pass through unchanged.
 */
export class StorageUnavailableError extends Error {
  readonly backend = 'storage';
  constructor(cause: unknown) {
    super(`media storage is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** An error that already names its backend (the adapters' StorageUnavailable: 's3', 'local-storage'). */
const namesBackend = (error: unknown) => error instanceof Error && typeof (error as { backend?: unknown }).backend === 'string';

/** Runs one storage call; a failure that does not name its backend becomes a StorageUnavailableError. */
export const viaStorage = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError || namesBackend(error)) throw error;
    throw new StorageUnavailableError(error);
  }
};
