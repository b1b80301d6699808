import type { RecordedEvent } from '../../events/index.js';
import type { Projection } from '../runtime/projection.js';
import { storiesEventTypes, type StoriesEvent, type StoriesStore } from './stories-store.js';
import { storyFactsOf } from './story-facts.js';

// The 'stories' projection: StoryPosted, StoryViewed, StoryDeleted and StoryExpired into a
// StoriesStore, in the "fold a batch, then write it in bulk" shape (runtime/projection.ts): the
// batch is folded here (story-facts.ts) and the store writes the result with its checkpoint.
// Whatever the adapter, its writes are idempotent (a batch applied twice changes
// nothing) and need no order between streams: a StoryViewed may land before its StoryPosted, and
// the reader only joins them when asked. The only order relied on is within one story's own
// stream (Posted before Deleted or Expired), which the log keeps even when instances split the
// projection by stream.

const handled = new Set<string>(storiesEventTypes);
const isStoriesEvent = (event: RecordedEvent): event is RecordedEvent & StoriesEvent => handled.has(event.type);

export const createStoriesProjection = (store: StoriesStore): Projection => ({
  name: 'stories',
  eventTypes: storiesEventTypes,
  setup: () => store.setup(),
  apply: (batch, checkpointKey) => store.write(storyFactsOf(batch.events.filter(isStoriesEvent)), checkpointKey, batch.position),
  checkpoint: (checkpointKey) => store.checkpoint(checkpointKey),
});
