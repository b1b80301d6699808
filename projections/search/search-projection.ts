import type { Projection } from '../runtime/projection.js';
import { searchEventTypes, type SearchStore } from './search-store.js';

// The 'search' projection (docs/architecture.md "Projections"): users, posts, hashtags and explore, over a SearchStore
// (Elasticsearch, or PostgreSQL where it is not configured). The "fold a batch, then write it in
// bulk" shape (runtime/projection.ts) with the fold inside each adapter, because what guards a
// write differs by backend; the store stores the checkpoint with (PostgreSQL: in the transaction
// of) the batch's writes. Search fires no side effects, so a replay runs exactly like live
// processing.
export const SEARCH = 'search';

export const createSearchProjection = (store: SearchStore): Projection => ({
  name: SEARCH,
  eventTypes: searchEventTypes,
  setup: () => store.setup(),
  apply: (batch, checkpointKey) => store.apply(batch.events, checkpointKey, batch.position),
  checkpoint: (checkpointKey) => store.checkpoint(checkpointKey),
});
