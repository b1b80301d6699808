import { AppError } from '../../kernel/errors.js';
import { decodeCursor, encodeCursor } from '../runtime/page.js';
import type { FeedKey } from './feed-store.js';

// Opaque keyset cursors for feed pages (runtime/page.ts encodes them): the last item's
// (score, postId). A page resumes strictly after that item, so posts that arrive meanwhile
// (newer, so in front of it) neither shift nor repeat what later pages hold.

/** Cursors made lately, by post id: a page's last item is the same on every read of an unchanged feed. */
const recentCursors = new Map<string, { score: number; cursor: string }>();
const RECENT_CURSORS = 10_000;

/** encodeCursor([score, postId]), remembered (the JSON and base64 of it were ~1.5 % of a home page's CPU: bench:feed). */
export const encodeFeedCursor = (key: FeedKey): string => {
  const known = recentCursors.get(key.postId);
  if (known !== undefined && known.score === key.score) return known.cursor;
  const cursor = encodeCursor([key.score, key.postId]);
  if (known === undefined && recentCursors.size >= RECENT_CURSORS) recentCursors.delete(recentCursors.keys().next().value!);
  recentCursors.set(key.postId, { score: key.score, cursor });
  return cursor;
};

export const decodeFeedCursor = (cursor: string): FeedKey => {
  const [score, postId] = decodeCursor(cursor, ['number', 'string']) as [number, string];
  if (!Number.isSafeInteger(score) || postId === '') throw new AppError('INVALID_CURSOR');
  return { score, postId };
};
