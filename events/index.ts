export * from './envelope.js';
export * from './event-store.js';
export * from './position.js';
export * from './registry.js';
export * from './streams.js';
export * from './upcasters.js';
export * from './validate.js';
export type { MediaItem } from './fields.js';
export * as fields from './fields.js';
