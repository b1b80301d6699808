import { runPageBench } from './support/page-bench.js';

// The post page, GET /api/v1/posts/{id}: a post with 5 comments and 5 likes, viewed by a follower
// of its (public) author, at 50 connections, against the same answer from one Redis GET on the
// same server (bench/support/page-bench.ts). Needs Redis.
await runPageBench({ bench: 'post-page', key: 'postPage', label: 'GET /api/v1/posts/{id}', path: ({ postId }) => `/api/v1/posts/${postId}` });
