// The read side: a folder per read model (feed, profiles, notifications, search, stories; push
// carries live notifications to open streams), and runtime/ for what they share: the projection
// contract and its two shapes (runtime/projection.ts), the runner, checkpoints, the register fold
// (runtime/batch-changes.ts) and the bulk upsert. The composition root registers each read
// model's definition (app/read-models.ts).

export * from './runtime/index.js';
export { createProfilesReader, PROFILES, type ProfilesReader } from './profiles/index.js';
