import type { EventStore } from '../events/index.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import type { CredentialsStore } from './accounts/credentials-store.js';
import type { TokenService } from './accounts/tokens.js';

/** What command handlers are given by the composition root. */
export interface CommandDeps {
  store: EventStore;
  /** MEDIA_EXTERNAL_HOSTS: the hosts whose URLs new posts and stories may carry instead of uploads (default none). */
  mediaExternalHosts: readonly string[];
  credentials: CredentialsStore;
  tokens: TokenService;
  /** How long a story lives (STORY_TTL). */
  storyTtlMs: number;
  /** Where uploads and their variants live (media/storage/): presigned uploads, and what is stored. */
  storage: MediaStorage;
}
