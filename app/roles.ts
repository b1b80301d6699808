// One binary, several roles (docs/architecture.md "Processes"), so that the same build runs as one process on a single
// machine or as separate processes against shared servers:
//   api        commands and queries over HTTP
//   projector  the projectors (all, or those named in PROJECTIONS)
//   worker     background workers: the story expiry process, the media workers (processing, janitor,
//              sweeper; with Kafka, the processing consumers) and, with Kafka, fan-out consumers
//   all        everything in one process (the default)
export const ROLES = ['all', 'api', 'projector', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const servesHttp = (role: Role) => role === 'all' || role === 'api';

/** Where the media workers run (app/media-workers.ts): the worker processes, and the single process of `all`. */
export const runsMediaWorkers = (role: Role) => role === 'all' || role === 'worker';
