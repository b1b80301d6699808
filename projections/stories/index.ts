export { createStoriesProjection } from './stories-projection.js';
export { createStoriesReader } from './stories-reader.js';
export type { Instant, StoriesReader, TrayEntry, TrayStory } from './stories-reader.js';
export { createPostgresStoriesStore } from './stories-store-postgres.js';
export { createRedisStoriesStore, type RedisStoriesStoreOptions } from './stories-store-redis.js';
export { storiesEventTypes } from './stories-store.js';
export type { StoriesEvent, StoriesStore, Story, StoryStatus, StoryViewer } from './stories-store.js';
