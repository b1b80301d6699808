import type { CommandContext } from '../../commands/command-context.js';
import type { ProcessedMedia } from '../../events/fields.js';

// The commands the media workers issue (commands/media/, the media aggregate's handlers), as the
// workers need them: bound to their dependencies by the composition (app/media-workers.ts).

/** What a processing run found, to be recorded on the media stream as MediaProcessed or MediaRejected. */
export type ProcessingOutcome = { outcome: 'processed'; processed: ProcessedMedia } | { outcome: 'rejected'; reason: string; message: string };

export interface MediaWorkerCommands {
  /** Appends MediaProcessed or MediaRejected; a second result for the same media appends nothing. */
  recordProcessingResult(input: { mediaId: string; result: ProcessingOutcome }, ctx: CommandContext): Promise<unknown>;
  /** Appends MediaDeleted; answers the storage keys to delete (none when it was deleted already). */
  deleteMedia(input: { mediaId: string }, ctx: CommandContext): Promise<readonly string[]>;
  /** Appends MediaExpired; answers the storage keys to delete (none when it had ended already). */
  expireMedia(input: { mediaId: string }, ctx: CommandContext): Promise<readonly string[]>;
}
