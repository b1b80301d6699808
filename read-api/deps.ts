import type { MediaReader } from '../projections/media/media-reader.js';
import type { FeedReader } from '../projections/feed/feed-reader.js';
import type { NotificationsReader } from '../projections/notifications/notifications-reader.js';
import type { ProfilesReader } from '../projections/profiles/profiles-reader.js';
import type { PushBus } from '../projections/push/push-bus.js';
import type { SearchStore } from '../projections/search/search-store.js';
import type { StoriesReader } from '../projections/stories/stories-reader.js';
import type { CardCache } from './card-cache.js';
import type { DegradedReads } from './degraded.js';
import type { EventStreamOptions } from './event-stream.js';
import type { Freshness } from './freshness.js';
import type { MediaPresenter } from './media-presenter.js';
import type { RankedOrders } from './ranked-orders.js';
import type { StreamCaps } from './routes/stream-routes.js';
import type { ViewerMarks } from './viewer-marks.js';

/** What the read routes are given by the composition root: read models, and nothing that writes. */
export interface ReadDeps {
  profiles: ProfilesReader;
  /** Post, user and pair cards of the profiles read model, in process (read-api/card-cache.ts): the post page, the profile, the feed's hydration. */
  cards: CardCache;
  /** The viewer's likedByMe/bookmarkedByMe, which cards leave out. */
  marks: ViewerMarks;
  feed: FeedReader;
  stories: StoriesReader;
  notifications: NotificationsReader;
  /** The query side of the search store. */
  search: Pick<SearchStore, 'searchUsers' | 'searchPosts' | 'postsByHashtag' | 'suggestHashtags' | 'explore' | 'searchPlaces' | 'location' | 'postsByLocation'>;
  freshness: Freshness;
  /** Turns stored media items (storage keys) into what the API answers (URLs), by the media URL rule. */
  media: MediaPresenter;
  /** The media read model (the 'media' projection): each upload's status, for its owner. */
  mediaUploads: MediaReader;
  /** Where the ranked home feed pins each session's order (read-api/ranked-orders.ts). */
  rankedOrders: RankedOrders;
  /** The clock, for hiding stories past their expiry and the ranked feed's decay. */
  now: () => Date;
  /** Where GET /api/v1/stream subscribes to the caller's pushes. */
  push: Pick<PushBus, 'subscribe'>;
  /** Where GET /api/v1/stream learns that its session ended (the sessions of the write side, which the platform passes in). */
  sessions: { onRevoked(sessionId: string, listener: () => void): () => void; isRevoked(sessionId: string): boolean | Promise<boolean> };
  /** Which Redis read models cannot answer now (read-api/degraded.ts); absent without Redis. */
  degraded?: DegradedReads;
  /** Heartbeat and slow-client bound of the event streams (defaults: 15 s, 256 KiB). */
  streaming?: EventStreamOptions;
  /** Open streams allowed per account and per process (read-api/routes/stream-routes.ts; defaults 5 and 10,000). */
  streamCaps?: StreamCaps;
}
