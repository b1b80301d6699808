import type { MediaVariant } from '../../events/fields.js';
import type { RecordedEvent } from '../../events/index.js';

// What the workers read off one media-{id} stream: enough to know whether there is work left
// and which objects belong to it. The media decider (domain/media/) keeps the rules; this is
// only a reading of the facts, so that a worker never redoes what the stream says is done.
export interface MediaFacts {
  exists: boolean;
  ownerId: string | null;
  originalKey: string | null;
  declaredType: string | null;
  uploaded: boolean;
  /** MediaProcessed or MediaRejected is on the stream. */
  finished: boolean;
  /** MediaDeleted or MediaExpired is on the stream. */
  ended: boolean;
  /** Every storage key the media ever had: the original and each variant recorded. */
  keys: string[];
}

export const readMediaFacts = (events: readonly RecordedEvent[]): MediaFacts => {
  const facts: MediaFacts = { exists: false, ownerId: null, originalKey: null, declaredType: null, uploaded: false, finished: false, ended: false, keys: [] };
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'MediaUploadRequested':
        facts.exists = true;
        facts.ownerId = data.ownerId as string;
        facts.originalKey = data.originalKey as string;
        facts.declaredType = data.declaredType as string;
        facts.keys.push(facts.originalKey);
        break;
      case 'MediaUploaded':
        facts.uploaded = true;
        break;
      case 'MediaProcessed':
        facts.finished = true;
        facts.keys.push(...(data.variants as MediaVariant[]).map((variant) => variant.key));
        break;
      case 'MediaRejected':
        facts.finished = true;
        break;
      case 'MediaDeleted':
      case 'MediaExpired':
        facts.ended = true;
        break;
      default:
        break;
    }
  }
  facts.keys = [...new Set(facts.keys)];
  return facts;
};
