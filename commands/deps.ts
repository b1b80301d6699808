import type { EventStore } from '../events/index.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import type { CredentialsStore } from './accounts/credentials-store.js';
import type { TokenService } from './accounts/tokens.js';

/** What command handlers are given by the composition root. */
export interface CommandDeps {
  store: EventStore;
  credentials: CredentialsStore;
  tokens: TokenService;
  /** How long a story lives (STORY_TTL). */
  storyTtlMs: number;
  /** Where uploads and their variants live (media/storage/): presigned uploads, and what is stored. */
  storage: MediaStorage;
}
