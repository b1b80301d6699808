export { createMediaProjection, MEDIA, mediaEventTypes } from './media-projection.js';
export { mediaReadModel } from './media-read-model.js';
export { createMediaReader, type MediaReader, type MediaRecord, type MediaRecordStatus } from './media-reader.js';
