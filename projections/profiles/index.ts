export { createProfilesProjection, PROFILES } from './profiles-projection.js';
export { createProfilesReader, type ProfilesReader } from './profiles-reader.js';
export type * from './reader-types.js';
