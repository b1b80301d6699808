import { runPageBench } from './support/page-bench.js';

// The profile, GET /api/v1/users/{username}: a public author with one post, viewed by its follower,
// at 50 connections, against the same answer from one Redis GET on the same server
// (bench/support/page-bench.ts). Needs Redis.
await runPageBench({ bench: 'profile', key: 'profile', label: 'GET /api/v1/users/{username}', path: ({ authorUsername }) => `/api/v1/users/${authorUsername}` });
