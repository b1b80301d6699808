import type { ViewerKey } from './stories-store.js';

// A story's viewers in Redis are one sorted set whose members all score 0 and read
// `{viewedAtMs, 15 digits}|{viewerId}`: lexicographic order is then (viewedAt, viewerId), so a
// keyset page is one ZREVRANGEBYLEX from the last member served, exact even when many views
// share a millisecond (a score range could not resume inside such a tie). 15 digits last until
// the year 33658; views are never dated before 1970.

const WIDTH = 15;

export const viewerMember = (key: ViewerKey): string => `${String(key.viewedAtMs).padStart(WIDTH, '0')}|${key.viewerId}`;

export const parseViewerMember = (member: string): ViewerKey => ({
  viewedAtMs: Number(member.slice(0, WIDTH)),
  viewerId: member.slice(WIDTH + 1),
});
