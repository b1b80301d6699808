export { deliverFanOutChunk, inProcessFanOut, type FanOut, type FanOutChunk } from './fan-out.js';
export { feedEventTypes } from './feed-handlers.js';
export { DEFAULT_FEED_PACING, type FeedPacing, type FeedSettings, type FeedTunables } from './feed-options.js';
export { createFeedProjection, type FeedProjectionOptions } from './feed-projection.js';
export { createFeedReader, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type FeedPage, type FeedPageRequest, type FeedReader } from './feed-reader.js';
export { createPostgresFeedStore, type PostgresFeedStoreOptions } from './feed-store-postgres.js';
export { createRedisFeedStore, type RedisFeedStoreOptions } from './feed-store-redis.js';
export { DEFAULT_FEED_CAP, type CelebrityState, type FeedEntry, type FeedKey, type FeedStore, type RangeQuery } from './feed-store.js';
export { FEED, feedReadModel, type FeedReadModelOptions } from './feed-read-model.js';
